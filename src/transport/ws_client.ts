/**
 * tickgate's own WebSocket client (RFC 6455) over `Deno.connect` (and
 * `Deno.startTls` for `wss:`). It exists for speed: Deno's `WebSocket` builds and
 * dispatches one `MessageEvent` per frame, which costs more than cutting the
 * frame out of the TCP read in JavaScript. This client reads into one
 * buffer and hands every complete frame of a read to `onmessage` in a loop,
 * through one reused event object, so a read of hundreds of frames costs one
 * async operation. It speaks text and binary messages, fragmentation, ping
 * (answered with pong), the close handshake, TLS, and fails the connection
 * on what a client must refuse (see `ws_frame.ts`).
 *
 * Not offered: permessage-deflate, subprotocols, redirects, HTTP proxies.
 * A URL that `HTTP_PROXY`/`HTTPS_PROXY` send through a proxy is opened
 * with Deno's `WebSocket` instead (`defaultSocketFactory`), and
 * `WS_CLIENT=deno` uses Deno's everywhere.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { writeAll } from "../core/write_all.ts";
import { VERSION } from "../version.ts";
import type { FrameEvent, SocketLike } from "./types.ts";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FrameReader,
  type FrameSink,
} from "./ws_frame.ts";
import {
  OP_CLOSE,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  WsProtocolError,
} from "./ws_protocol.ts";
import {
  checkCloseArguments,
  encodeClientFrame,
  encodeClosePayload,
  readClosePayload,
} from "./ws_client_frame.ts";
import {
  acceptKey,
  newKey,
  readUpgrade,
  upgradeRequest,
} from "./ws_handshake.ts";
import { wsEndpoint } from "./ws_endpoint.ts";

/** Settings of a {@link WsClient}. */
export interface WsClientOptions {
  /** The largest message accepted; a larger one fails with 1009. @default 64 MiB */
  maxMessageBytes?: number;
  /** Sent as `User-Agent`. @default `tickgate/<version>` */
  userAgent?: string;
  /** How long a close waits for the server's close frame. @default {1500} */
  closeTimeoutMs?: number;
  /** Opens the TCP (ws:) or TLS (wss:) connection. @default {dial} */
  dial?: (url: URL, signal: AbortSignal) => Promise<Deno.Conn>;
}

const encoder = new TextEncoder();
/**
 * How long a close waits for the server's close frame: within the
 * connection machine's 2 s grace, so nothing outlives its `close()`.
 */
const DEFAULT_CLOSE_TIMEOUT_MS = 1_500;

/**
 * Opens TCP for `ws:`, and TLS over it for `wss:` (default ports 80 and
 * 443); `signal` abandons the attempt.
 */
export async function dial(url: URL, signal: AbortSignal): Promise<Deno.Conn> {
  const { hostname, port } = wsEndpoint(url);
  const tcp = await Deno.connect({ hostname, port, signal });
  tcp.setNoDelay(true);
  return url.protocol === "wss:" ? await Deno.startTls(tcp, { hostname }) : tcp;
}

/**
 * A WebSocket client with the `WebSocket` surface the transport uses
 * ({@link SocketLike}). Events are never fired from inside a method call.
 *
 * @example Usage
 * ```ts ignore
 * const ws = new WsClient("wss://ws-feed.exchange.coinbase.com");
 * ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe" }));
 * ws.onmessage = (ev) => console.log(ev.data);
 * ```
 */
export class WsClient implements SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: FrameEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  /** The URL connected to. */
  readonly url: string;
  readonly #options: WsClientOptions;
  readonly #reader: FrameReader;
  /** The number of the current read: {@link FrameEvent.batch}. */
  #batch = 0;
  #conn: Deno.Conn | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closeSent = false;
  #closeReceived: { code: number; reason: string } | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;
  /** Abandons a dial still under way when the socket is closed. */
  readonly #abort = new AbortController();

  /**
   * Starts connecting to `url` (`ws:` or `wss:`); throws a `SyntaxError`
   * for any other URL, as `WebSocket` does.
   */
  constructor(url: string, options: WsClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // Not quoted: a URL can carry a key in its query.
      throw new SyntaxError("not a URL");
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw new SyntaxError(`not a ws: or wss: URL: ${parsed.protocol}`);
    }
    this.url = url;
    this.#options = options;
    this.#reader = new FrameReader(
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    );
    void this.#run(parsed);
  }

  /** Sends a text message; throws while connecting, ignored once closing. */
  send(data: string): void {
    if (this.readyState === 0) {
      throw new DOMException(
        "the socket is still connecting",
        "InvalidStateError",
      );
    }
    if (this.readyState !== 1) return;
    this.#send(OP_TEXT, encoder.encode(data));
  }

  /**
   * Starts the close handshake (`code` 1000 or 3000–4999, `reason` at most
   * 123 bytes); `onclose` follows once the server answers, or after the
   * close timeout. While connecting, abandons the attempt.
   */
  close(code?: number, reason?: string): void {
    checkCloseArguments(code, reason);
    if (this.readyState >= 2) return;
    if (this.readyState === 0) {
      this.readyState = 2;
      queueMicrotask(() => this.#finish(1006, "", "closed before it opened"));
      return;
    }
    this.readyState = 2;
    this.#closeSent = true;
    this.#send(OP_CLOSE, encodeClosePayload(code, reason));
    this.#armCloseTimer(1006, "", "no close frame");
  }

  /**
   * Ends the socket with `code` after the close timeout, should the close
   * handshake not finish first (a peer that stopped reading or answering).
   */
  #armCloseTimer(code: number, reason: string, error?: string): void {
    if (this.#closeTimer !== undefined) return;
    const ms = this.#options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.#closeTimer = setTimeout(() => {
      this.#finish(code, reason, error && `${error} within ${ms} ms`);
    }, ms);
  }

  /** The frame reader's callbacks; only messages of an open socket go on. */
  readonly #sink: FrameSink = {
    message: (data, more) => {
      if (this.readyState !== 1) return false;
      try {
        // A fresh event: storing the young message into a long-lived one
        // costs a write barrier, and an inlined listener allocates nothing.
        this.onmessage?.({ data, batch: this.#batch, more });
      } catch {
        // The listener's own failure is its to report; the stream goes on.
      }
      return this.readyState === 1;
    },
    control: (op, payload) => {
      if (op === OP_PING) {
        if (!this.#closeSent) this.#send(OP_PONG, payload);
      } else if (op === OP_CLOSE && this.#closeReceived === undefined) {
        this.#closeReceived = readClosePayload(payload);
        if (!this.#closeSent) {
          this.#closeSent = true;
          this.readyState = 2;
          this.#send(OP_CLOSE, payload.subarray(0, 2));
        }
      }
    },
  };

  async #run(url: URL): Promise<void> {
    try {
      const key = newKey();
      const accept = acceptKey(key);
      const conn = await (this.#options.dial ?? dial)(url, this.#abort.signal);
      this.#conn = conn;
      if (this.#finished) return conn.close();
      const agent = this.#options.userAgent ?? `tickgate/${VERSION}`;
      await writeAll(conn, upgradeRequest(url, key, agent));
      const rest = await readUpgrade(conn, await accept);
      // close() may have run meanwhile; its finish is queued.
      if (this.#finished || this.readyState !== 0) return;
      this.readyState = 1;
      this.#fire(() => this.onopen?.(new Event("open")));
      if (rest.length > 0) {
        this.#batch++;
        this.#reader.space().set(rest);
        this.#reader.filled(rest.length, this.#sink);
      }
      while (this.#closeReceived === undefined && !this.#finished) {
        const n = await conn.read(this.#reader.space());
        if (n === null) break;
        this.#batch++;
        this.#reader.filled(n, this.#sink);
      }
      const received = this.#closeReceived;
      if (received !== undefined) {
        this.#armCloseTimer(received.code, received.reason);
        await this.#writing;
        this.#finish(received.code, received.reason);
      } else {
        this.#finish(1006, "", this.#closeSent ? undefined : "connection lost");
      }
    } catch (e) {
      if (this.#finished) return;
      if (e instanceof WsProtocolError) {
        // Fail the connection: say why in a close frame, then drop it.
        const why = `protocol error: ${e.message}`;
        if (!this.#closeSent && this.readyState === 1) {
          this.#closeSent = true;
          this.#send(OP_CLOSE, encodeClosePayload(e.closeCode));
          this.#armCloseTimer(1006, "", why);
          await this.#writing;
        }
        // As WebSocket reports a failed connection: 1006, with the cause.
        return this.#finish(1006, "", why);
      }
      this.#finish(1006, "", errorText(e));
    }
  }

  #send(op: number, payload: Uint8Array): void {
    const conn = this.#conn;
    if (conn === undefined) return;
    const frame = encodeClientFrame(
      op,
      payload,
      crypto.getRandomValues(new Uint8Array(4)),
    );
    this.#writing = this.#writing.then(() => writeAll(conn, frame)).catch(
      (e) => {
        // After the server's close frame, a reset on our echo is expected:
        // the read loop reports the code the server sent.
        if (this.#finished || this.#closeReceived !== undefined) return;
        this.#finish(1006, "", `write failed: ${errorText(e)}`);
      },
    );
  }

  /** Closes the TCP connection once and reports: `onerror` if failed, then `onclose`. */
  #finish(code: number, reason: string, error?: string): void {
    if (this.#finished) return;
    this.#finished = true;
    this.readyState = 3;
    clearTimeout(this.#closeTimer);
    this.#abort.abort();
    try {
      this.#conn?.close();
    } catch {
      // already closed by the peer
    }
    if (error !== undefined) {
      this.#fire(() =>
        this.onerror?.(new ErrorEvent("error", { message: error }))
      );
    }
    const wasClean = error === undefined && this.#closeReceived !== undefined;
    this.#fire(() =>
      this.onclose?.(new CloseEvent("close", { code, reason, wasClean }))
    );
  }

  #fire(fn: () => void): void {
    try {
      fn();
    } catch {
      // A listener's failure must not stop the socket's own bookkeeping.
    }
  }
}
