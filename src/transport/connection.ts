/**
 * The one WebSocket connection machine every venue uses: connect with a
 * timeout, deliver frames, keep alive, detect staleness, reconnect through
 * jittered backoff, and stop hammering a venue through a circuit breaker.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { backoffDelay, type BackoffOptions } from "../core/backoff.ts";
import { type BreakerOptions, CircuitBreaker } from "../core/breaker.ts";
import { type SendLimit, SendPacer } from "./send_pacer.ts";
import { proxyFor } from "./proxy_env.ts";
import { WsClient } from "./ws_client.ts";
import type {
  ConnectionState,
  HeartbeatSpec,
  SocketFactory,
  SocketLike,
} from "./types.ts";

/** Callbacks of a {@link Connection}'s owner. Exceptions are caught. */
export interface ConnectionHandlers {
  /** The socket opened: send subscriptions. Called after every (re)connect. */
  onOpen(): void;
  /**
   * A text frame (binary frames decoded as UTF-8); `receivedTs` is clock ms;
   * `more`: another frame of the same read follows at once (`FrameEvent.more`).
   */
  onFrame(data: string, receivedTs: number, more: boolean): void;
  /** Every state change, with a human-readable reason. */
  onStateChange?(state: ConnectionState, detail: string): void;
}

/** Settings of a {@link Connection}. */
export interface ConnectionOptions {
  /** Identifies the connection in logs and stats, e.g. `coinbase-0`. */
  id: string;
  /** The URL to connect to; called at each connect attempt. */
  url: () => string;
  /** Where frames and state changes go. */
  handlers: ConnectionHandlers;
  /** Time source for timestamps and timers. @default {systemClock} */
  clock?: Clock;
  /** Opens sockets. @default {defaultSocketFactory} (tickgate's own client) */
  socketFactory?: SocketFactory;
  /** An attempt not open after this long is abandoned. @default {10000} */
  connectTimeoutMs?: number;
  /** Reconnect when no frame arrived for this long while open; 0 disables. @default {30000} */
  staleMs?: number;
  /** Reconnect delays. @default {DEFAULT_BACKOFF} */
  backoff?: BackoffOptions;
  /** Jitter source in `[0, 1)`. @default {Math.random} */
  random?: () => number;
  /** When to stop reconnecting for a while. @default {DEFAULT_BREAKER} */
  breaker?: BreakerOptions;
  /** Application-level keepalive sent every `intervalMs` while open. @default {undefined} */
  heartbeat?: HeartbeatSpec;
  /**
   * Outgoing budget per socket; sends beyond it wait in order (and are
   * discarded when the socket goes: a reconnect resubscribes anyway).
   * @default {undefined} (unlimited)
   */
  sendLimit?: SendLimit;
}

/** Counters of a {@link Connection}, for stats and health. */
export interface ConnectionStats {
  /** Sockets that opened. */
  connects: number;
  /** Reconnects scheduled after a socket was lost (not after `close()`). */
  reconnects: number;
  /** Attempts that never opened (timeout, refused, bad URL). */
  connectErrors: number;
  /** Reconnects caused by stale detection. */
  staleReconnects: number;
  /** Frames delivered. */
  framesReceived: number;
  /** Characters of the frames delivered (bytes, for ASCII JSON). */
  charsReceived: number;
  /** Frames sent (subscriptions, keepalives). */
  framesSent: number;
  /** Frames waiting for the send budget right now. */
  sendQueue: number;
  /** The latest error: socket error, timeout, handler exception, … */
  lastError: string | undefined;
  /** Close code of the latest socket close. */
  lastCloseCode: number | undefined;
}

const CLOSE_GRACE_MS = 2_000;
const decoder = new TextDecoder();
type TimerKind =
  | "connect"
  | "stale"
  | "heartbeat"
  | "retry"
  | "close"
  | "pace";

/**
 * The default socket: tickgate's own client ({@link WsClient}), but Deno's
 * `WebSocket` where `HTTP_PROXY`/`HTTPS_PROXY` send the URL through a
 * proxy (which Deno's speaks and tickgate's does not).
 */
export function defaultSocketFactory(url: string): SocketLike {
  let viaProxy = false;
  try {
    viaProxy = proxyFor(new URL(url), (name) => Deno.env.get(name)) !==
      undefined;
  } catch {
    // Not a URL: WsClient says so.
  }
  return viaProxy ? denoSocketFactory(url) : new WsClient(url);
}

/** Opens Deno's built-in `WebSocket` (`WS_CLIENT=deno`). */
export function denoSocketFactory(url: string): SocketLike {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  // Its MessageEvents are FrameEvents in shape: `data` is all the transport reads.
  return ws as unknown as SocketLike;
}

/**
 * One logical connection that survives socket losses. A connection counts as
 * successful once it received its first frame: that resets the failure count
 * and closes the breaker. Failures are: attempts that time out, error or close
 * before the first frame, and {@link Connection.reconnect} requests.
 *
 * @example Usage
 * ```ts
 * const conn = new Connection({
 *   id: "coinbase-0",
 *   url: () => "wss://ws-feed.exchange.coinbase.com",
 *   handlers: { onOpen: () => {}, onFrame: (data) => console.log(data) },
 * });
 * conn.start();
 * await conn.close();
 * ```
 */
export class Connection {
  /** The id given in the options. */
  readonly id: string;
  #opts: ConnectionOptions;
  #clock: Clock;
  #breaker: CircuitBreaker;
  #state: ConnectionState = "idle";
  #socket: SocketLike | undefined;
  #gotFrame = false;
  /** The socket read the latest frame came from, and its receive time. */
  #batch: number | undefined;
  #batchTs = 0;
  /** A heartbeat went out and its pong has not come back yet. */
  #awaitingPong = false;
  /** The error event of the current socket: the cause of its close. */
  #socketError: string | undefined;
  #openedAt: number | undefined;
  #lastFrameAt: number | undefined;
  #closing: Promise<void> | undefined;
  #timers = new Map<TimerKind, TimerId>();
  #pacer: SendPacer | undefined;
  /** Frames waiting for the send budget (only with a `sendLimit`). */
  #outbox: string[] = [];
  #stats: ConnectionStats = {
    connects: 0,
    reconnects: 0,
    connectErrors: 0,
    staleReconnects: 0,
    framesReceived: 0,
    charsReceived: 0,
    framesSent: 0,
    sendQueue: 0,
    lastError: undefined,
    lastCloseCode: undefined,
  };

  /**
   * Creates an idle connection; nothing happens before {@link Connection.start}.
   * @param options see {@link ConnectionOptions}
   */
  constructor(options: ConnectionOptions) {
    this.id = options.id;
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    this.#breaker = new CircuitBreaker(options.breaker, this.#clock);
    if (options.sendLimit) this.#pacer = new SendPacer(options.sendLimit);
  }

  /** Where the machine is. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Clock ms of the latest frame (over all sockets so far). */
  get lastFrameAt(): number | undefined {
    return this.#lastFrameAt;
  }

  /** Clock ms the current socket opened; `undefined` unless open. */
  get openedAt(): number | undefined {
    return this.#openedAt;
  }

  /** A snapshot of the counters. */
  get stats(): Readonly<ConnectionStats> {
    return { ...this.#stats, sendQueue: this.#outbox.length };
  }

  /** Begin connecting. Only the first call on an idle connection acts. */
  start(): void {
    if (this.#state === "idle" && !this.#closing) this.#connect();
  }

  /**
   * Sends `frame`, or queues it behind earlier frames when the send budget
   * is spent; `false` (nothing sent or queued) unless the socket is open.
   */
  send(frame: string): boolean {
    const ws = this.#socket;
    if (this.#state !== "open" || ws === undefined || ws.readyState !== 1) {
      return false;
    }
    const pacer = this.#pacer;
    if (pacer === undefined) return this.#write(ws, frame);
    if (this.#outbox.length === 0 && pacer.waitMs(this.#clock.now()) === 0) {
      return this.#write(ws, frame);
    }
    this.#outbox.push(frame);
    if (!this.#timers.has("pace")) this.#schedulePace(ws, pacer);
    return true;
  }

  #write(ws: SocketLike, frame: string): boolean {
    try {
      ws.send(frame);
      this.#pacer?.record(this.#clock.now());
      this.#stats.framesSent++;
      return true;
    } catch (e) {
      this.#stats.lastError = `send failed: ${errorText(e)}`;
      return false;
    }
  }

  #schedulePace(ws: SocketLike, pacer: SendPacer): void {
    const wait = Math.max(1, pacer.waitMs(this.#clock.now()));
    this.#schedule("pace", wait, () => {
      if (ws !== this.#socket) return;
      while (this.#outbox.length > 0 && pacer.waitMs(this.#clock.now()) === 0) {
        if (!this.#write(ws, this.#outbox.shift()!)) break;
      }
      if (this.#outbox.length > 0) this.#schedulePace(ws, pacer);
    });
  }

  /**
   * Closes the current socket and reconnects through backoff; counts as a
   * failure. Ignored unless a socket is connecting or open.
   */
  reconnect(reason: string): void {
    const ws = this.#socket;
    if (this.#closing || ws === undefined) return;
    this.#drop(ws, "reconnect");
    this.#lost(reason, true);
  }

  /**
   * Opens the breaker now: no attempt until the cooldown (`cooldownMs`, else
   * the breaker's own), then one probe.
   */
  tripBreaker(reason: string, cooldownMs?: number): void {
    this.#breaker.trip(reason, cooldownMs);
    if (this.#closing || this.#state === "idle") return;
    const ws = this.#socket;
    if (ws !== undefined) {
      this.#drop(ws, "breaker tripped");
      this.#stats.reconnects++;
    }
    this.#cancelAll();
    this.#openedAt = undefined;
    this.#waitForBreaker(undefined);
  }

  /**
   * Stops every timer and closes the socket with code 1000. Resolves once the
   * socket reports closed, or after at most 2 s. Nothing reconnects afterwards.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#cancelAll();
    const ws = this.#socket;
    this.#socket = undefined;
    this.#openedAt = undefined;
    this.#closing = ws === undefined || ws.readyState === 3
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
        const done = () => {
          this.#cancel("close");
          resolve();
        };
        ws.onopen = ws.onmessage = ws.onerror = null;
        ws.onclose = (ev) => {
          this.#stats.lastCloseCode = ev.code;
          done();
        };
        this.#schedule("close", CLOSE_GRACE_MS, done);
        closeQuietly(ws, "client close");
      });
    this.#state = "closed";
    this.#call("onStateChange", () => {
      this.#opts.handlers.onStateChange?.("closed", "closed by client");
    });
    return this.#closing;
  }

  #connect(): void {
    if (this.#closing) return;
    if (!this.#breaker.canAttempt()) return this.#waitForBreaker(undefined);
    let ws: SocketLike;
    let url: string;
    try {
      url = this.#opts.url();
      ws = (this.#opts.socketFactory ?? defaultSocketFactory)(url);
    } catch (e) {
      this.#stats.connectErrors++;
      this.#stats.lastError = `connect failed: ${errorText(e)}`;
      return this.#lost(this.#stats.lastError, true);
    }
    this.#socket = ws;
    this.#batch = undefined;
    this.#gotFrame = false;
    this.#socketError = undefined;
    ws.onopen = () => this.#on(ws, () => this.#onOpen(ws));
    // The frame path: no closure or object per frame.
    ws.onmessage = (ev) => {
      if (ws === this.#socket) {
        this.#onFrame(ev.data, ev.batch, ev.more === true);
      }
    };
    ws.onerror = (ev) =>
      this.#on(ws, () => {
        const msg = ev instanceof ErrorEvent ? ev.message : "";
        this.#socketError = msg || undefined;
        this.#stats.lastError = `socket error${msg ? `: ${msg}` : ""}`;
      });
    ws.onclose = (ev) => this.#on(ws, () => this.#onClose(ev));
    const timeoutMs = this.#opts.connectTimeoutMs ?? 10_000;
    this.#schedule("connect", timeoutMs, () => {
      if (ws !== this.#socket) return;
      this.#stats.connectErrors++;
      this.#stats.lastError = `connect timeout after ${timeoutMs} ms`;
      this.#drop(ws, "connect timeout");
      this.#lost(this.#stats.lastError, true);
    });
    this.#setState("connecting", `connecting to ${describeUrl(url)}`);
  }

  #onOpen(ws: SocketLike): void {
    this.#cancel("connect");
    this.#openedAt = this.#clock.now();
    this.#stats.connects++;
    this.#awaitingPong = false;
    this.#scheduleStale(ws);
    const hb = this.#opts.heartbeat;
    if (hb !== undefined && hb.intervalMs > 0) this.#scheduleHeartbeat(ws, hb);
    this.#setState("open", `open (connect #${this.#stats.connects})`);
    if (ws === this.#socket) {
      this.#call("onOpen", () => this.#opts.handlers.onOpen());
    }
  }

  #onFrame(data: unknown, batch: number | undefined, more: boolean): void {
    // One clock read per read of the socket: its frames arrived together.
    let now: number;
    if (batch === undefined || batch !== this.#batch) {
      now = this.#clock.now();
      this.#batch = batch;
      this.#batchTs = now;
      // Once a read, not once a frame: a field that may hold `undefined`
      // keeps a number boxed, so each store would allocate one.
      this.#lastFrameAt = now;
    } else now = this.#batchTs;
    let text: string;
    if (typeof data === "string") text = data;
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      text = decoder.decode(data);
    } else {
      this.#stats.lastError = `unsupported frame type: ${typeof data}`;
      return;
    }
    this.#stats.framesReceived++;
    this.#stats.charsReceived += text.length;
    if (this.#awaitingPong && this.#opts.heartbeat?.isPong?.(text)) {
      this.#awaitingPong = false;
    }
    if (!this.#gotFrame) {
      this.#gotFrame = true;
      this.#breaker.recordSuccess();
    }
    try {
      this.#opts.handlers.onFrame(text, now, more);
    } catch (e) {
      this.#stats.lastError = `onFrame threw: ${errorText(e)}`;
    }
  }

  #onClose(ev: CloseEvent): void {
    this.#stats.lastCloseCode = ev.code;
    const wasOpen = this.#openedAt !== undefined;
    if (!wasOpen) this.#stats.connectErrors++;
    this.#socket = undefined;
    const what = `${ev.code}${ev.reason ? ` ${ev.reason}` : ""}`;
    const error = this.#socketError;
    const cause = !wasOpen
      ? `connect failed: ${error ?? what}`
      : error === undefined
      ? `closed by server: ${what}`
      : `socket failed: ${error}`;
    this.#lost(cause, !this.#gotFrame);
  }

  /** The socket is gone (not by `close()`): schedule the next attempt. */
  #lost(cause: string, failed: boolean): void {
    this.#cancelAll();
    this.#openedAt = undefined;
    if (failed) this.#breaker.recordFailure();
    if (this.#closing) return;
    this.#stats.reconnects++;
    if (this.#breaker.state === "open") return this.#waitForBreaker(cause);
    const failures = this.#breaker.failures;
    const ms = backoffDelay(failures, this.#opts.backoff, this.#opts.random);
    this.#schedule("retry", ms, () => this.#connect());
    this.#setState(
      "backoff",
      `${cause}; reconnecting in ${ms} ms (${failures} consecutive failures)`,
    );
  }

  #waitForBreaker(cause: string | undefined): void {
    const ms = this.#breaker.msUntilProbe() || this.#breaker.cooldownMs || 1;
    this.#schedule("retry", ms, () => this.#connect());
    const why = this.#breaker.reason ?? "open";
    this.#setState(
      "breaker-open",
      `${cause ? `${cause}; ` : ""}breaker open (${why}); probing in ${
        seconds(ms)
      } s`,
    );
  }

  #scheduleStale(ws: SocketLike): void {
    const staleMs = this.#opts.staleMs ?? 30_000;
    if (staleMs <= 0) return;
    const since = () =>
      (this.#gotFrame ? this.#lastFrameAt : this.#openedAt) ?? 0;
    const wait = Math.max(1, since() + staleMs + 1 - this.#clock.now());
    this.#schedule("stale", wait, () => {
      if (ws !== this.#socket) return;
      const idle = this.#clock.now() - since();
      if (idle <= staleMs) return this.#scheduleStale(ws);
      this.#stats.staleReconnects++;
      this.reconnect(`stale: no frame for ${seconds(idle)} s`);
    });
  }

  #scheduleHeartbeat(ws: SocketLike, hb: HeartbeatSpec): void {
    this.#schedule("heartbeat", hb.intervalMs, () => {
      if (ws !== this.#socket) return;
      if (this.#awaitingPong) {
        this.#stats.staleReconnects++;
        return this.reconnect(
          `stale: no pong within ${seconds(hb.intervalMs)} s`,
        );
      }
      this.#scheduleHeartbeat(ws, hb);
      const sent = this.send(hb.message());
      this.#awaitingPong = sent && hb.isPong !== undefined;
    });
  }

  #setState(state: ConnectionState, detail: string): void {
    if (this.#closing) return;
    this.#state = state;
    this.#call("onStateChange", () => {
      this.#opts.handlers.onStateChange?.(state, detail);
    });
  }

  /** Runs a socket callback for `ws` only while it is the current socket. */
  #on(ws: SocketLike, fn: () => void): void {
    if (ws === this.#socket) this.#call("socket callback", fn);
  }

  #call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.#stats.lastError = `${what} threw: ${errorText(e)}`;
    }
  }

  /** Detaches and closes `ws`; its late events are ignored. */
  #drop(ws: SocketLike, reason: string): void {
    if (ws === this.#socket) this.#socket = undefined;
    ws.onopen =
      ws.onmessage =
      ws.onerror =
      ws.onclose =
        null;
    closeQuietly(ws, reason);
  }

  #schedule(kind: TimerKind, ms: number, fn: () => void): void {
    this.#cancel(kind);
    const id = this.#clock.setTimeout(() => {
      this.#timers.delete(kind);
      this.#call(`${kind} timer`, fn);
    }, ms);
    this.#timers.set(kind, id);
  }

  #cancel(kind: TimerKind): void {
    const id = this.#timers.get(kind);
    if (id === undefined) return;
    this.#clock.clearTimeout(id);
    this.#timers.delete(kind);
  }

  /** Stops every timer but the close grace, and forgets unsent frames. */
  #cancelAll(): void {
    for (const kind of [...this.#timers.keys()]) {
      if (kind !== "close") this.#cancel(kind);
    }
    this.#outbox.length = 0;
    this.#pacer?.reset();
  }
}

function closeQuietly(ws: SocketLike, reason: string): void {
  try {
    ws.close(1000, reason);
  } catch {
    try {
      ws.close();
    } catch {
      // already closed or never opened: nothing left to release
    }
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.slice(0, 80);
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
