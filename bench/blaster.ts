/**
 * A loopback WebSocket server that speaks just enough of Coinbase Exchange's
 * ws-feed for the end-to-end benchmarks: it completes the handshake itself
 * (raw TCP, no compression), answers each `subscribe` with a `subscriptions`
 * ack, serves `GET /products`, and on `start` writes pre-built unmasked text
 * frames of the Coinbase corpus to every subscribed connection, either as
 * fast as the socket drains (chunks of 3,000 frames) or at a fixed rate. The
 * frames are encoded once into one buffer, so sending costs one `write` per
 * chunk and the receiver is what gets measured.
 *
 * Run it as its own process (`spawnBlaster`, so it has the other core, as an
 * exchange would) or in this one (`startBlaster`, for tests). Control and
 * reports go over plain HTTP on the same port: `POST /start`, `GET /report`.
 *
 * @module
 */

import { writeAll } from "../src/core/write_all.ts";
import { acceptKey } from "../src/transport/ws_handshake.ts";
import { encodeFrames, frame, readHead, respond } from "./blaster_wire.ts";

export { blasterAt, spawnBlaster, subscribed } from "./blaster_spawn.ts";

/** What {@link startBlaster} serves. */
export interface BlasterOptions {
  /** Data frames each subscribed connection gets, once, after `start`. */
  frames: readonly string[];
  /** Product ids `GET /products` lists. */
  products: readonly string[];
  /** Frames per second; 0 (default): as fast as the socket drains. */
  rate?: number;
  /** @default 0 (any free port) */
  port?: number;
}

/** One accepted WebSocket connection, as the blaster saw it. */
export interface BlasterConnection {
  id: number;
  /** `subscribe` messages answered (one ack each). */
  subscribes: number;
  /** Distinct product ids subscribed to, over every channel. */
  products: number;
  state: "waiting" | "sending" | "done" | "closed";
  /** Data frames fully written to the socket. */
  sent: number;
}

/** A running blaster, in this process or another. */
export interface BlasterHandle {
  /** `ws://127.0.0.1:PORT`. */
  readonly url: string;
  /** Sends the frames to every waiting connection; resolves to how many. */
  start(): Promise<number>;
  /** Every connection so far. */
  report(): Promise<BlasterConnection[]>;
  close(): Promise<void>;
}

const CHUNK_FRAMES = 3000;
const enc = new TextEncoder();
const dec = new TextDecoder();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Peer {
  readonly info: BlasterConnection;
  readonly #conn: Deno.Conn;
  readonly #subs = new Map<string, Set<string>>();
  readonly #all = new Set<string>();
  #writing: Promise<void> = Promise.resolve();

  constructor(id: number, conn: Deno.Conn) {
    this.info = { id, subscribes: 0, products: 0, state: "waiting", sent: 0 };
    this.#conn = conn;
  }

  /** Writes in order with every other write on this socket. */
  write(data: Uint8Array): Promise<void> {
    const p = this.#writing.then(() => writeAll(this.#conn, data));
    this.#writing = p.catch(() => {});
    return p;
  }

  /** Reads client frames until the socket closes. */
  async read(initial: Uint8Array): Promise<void> {
    let buf = initial;
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      while (buf.length >= 2) {
        let len = buf[1]! & 0x7f;
        const masked = (buf[1]! & 0x80) !== 0;
        let p = len === 126 ? 4 : len === 127 ? 10 : 2;
        if (buf.length < p + (masked ? 4 : 0)) break;
        if (len === 126) len = (buf[2]! << 8) | buf[3]!;
        else if (len === 127) {
          const view = new DataView(buf.buffer, buf.byteOffset);
          len = Number(view.getBigUint64(2));
        }
        const mask = masked ? buf.slice(p, p += 4) : undefined;
        if (buf.length < p + len) break;
        const op = buf[0]! & 0x0f;
        const payload = buf.slice(p, p + len);
        if (mask) { for (let i = 0; i < len; i++) payload[i]! ^= mask[i & 3]!; }
        buf = buf.subarray(p + len);
        if (!this.#frame(op, payload)) return;
      }
      const n = await this.#conn.read(chunk).catch(() => null);
      if (n === null) return this.#closed();
      const next = new Uint8Array(buf.length + n);
      next.set(buf);
      next.set(chunk.subarray(0, n), buf.length);
      buf = next;
    }
  }

  /** Handles one client frame; false once the socket is done. */
  #frame(op: number, payload: Uint8Array): boolean {
    if (op === 0x8) {
      void this.write(frame(0x8, payload.subarray(0, 2)))
        .finally(() => this.#closed());
      return false;
    }
    if (op === 0x9) void this.write(frame(0xa, payload)).catch(() => {});
    if (op === 0x1) this.#text(dec.decode(payload));
    return true;
  }

  #text(text: string): void {
    let m: { type?: unknown; channels?: unknown; product_ids?: unknown };
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m.type !== "subscribe" || !Array.isArray(m.channels)) return;
    const top = Array.isArray(m.product_ids) ? m.product_ids : [];
    for (const c of m.channels) {
      const name = typeof c === "string" ? c : String(c?.name);
      const ids: unknown[] =
        typeof c === "object" && Array.isArray(c.product_ids)
          ? c.product_ids
          : top;
      let set = this.#subs.get(name);
      if (set === undefined) this.#subs.set(name, set = new Set());
      for (const id of ids) {
        set.add(String(id));
        this.#all.add(String(id));
      }
    }
    this.info.subscribes++;
    this.info.products = this.#all.size;
    const channels = [...this.#subs].map(([name, ids]) => ({
      name,
      product_ids: [...ids],
    }));
    const ack = JSON.stringify({ type: "subscriptions", channels });
    void this.write(frame(0x1, enc.encode(ack))).catch(() => {});
  }

  /** Sends frames `[0, offsets.length - 1)` of `buf`, paced or flooding. */
  async send(buf: Uint8Array, offsets: Float64Array, rate: number) {
    this.info.state = "sending";
    const n = offsets.length - 1;
    const t0 = performance.now();
    try {
      while (this.info.sent < n && this.info.state === "sending") {
        const from = this.info.sent;
        let to = Math.min(n, from + CHUNK_FRAMES);
        if (rate > 0) {
          const due = Math.floor((performance.now() - t0) * rate / 1000);
          to = Math.min(n, due);
          if (to <= from) {
            await sleep(1);
            continue;
          }
        }
        await this.write(buf.subarray(offsets[from], offsets[to]));
        this.info.sent = to;
      }
      if (this.info.state === "sending") this.info.state = "done";
    } catch {
      this.#closed();
    }
  }

  /** Closes the socket (its read loop then ends). */
  close(): void {
    this.#closed();
  }

  #closed(): void {
    this.info.state = "closed";
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Starts a blaster in this process.
 *
 * @example Usage
 * ```ts ignore
 * const b = await startBlaster({ frames, products });
 * // connect and subscribe, then:
 * await b.start();
 * ```
 */
export function startBlaster(options: BlasterOptions): BlasterHandle {
  const { buf, offsets } = encodeFrames(options.frames);
  const products = JSON.stringify(options.products.map((id) => ({ id })));
  const listener = Deno.listen({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
  });
  const peers: Peer[] = [];
  const reading = new Set<Promise<void>>();
  const start = () => {
    let n = 0;
    for (const p of peers) {
      if (p.info.state !== "waiting" || p.info.subscribes === 0) continue;
      void p.send(buf, offsets, options.rate ?? 0);
      n++;
    }
    return n;
  };
  const report = () => peers.map((p) => ({ ...p.info }));
  const serve = async (conn: Deno.Conn) => {
    const req = await readHead(conn).catch(() => undefined);
    if (req === undefined) return conn.close();
    const key = req.headers.get("sec-websocket-key");
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket" || !key) {
      const [method = "", path = ""] = req.line.split(" ");
      if (path.startsWith("/products")) {
        return respond(conn, "200 OK", products);
      }
      if (path === "/report") {
        return respond(conn, "200 OK", JSON.stringify(report()));
      }
      if (path === "/start" && method === "POST") {
        return respond(conn, "200 OK", String(start()));
      }
      return respond(conn, "404 Not Found", "{}");
    }
    await writeAll(
      conn,
      enc.encode(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
          `Connection: Upgrade\r\nSec-WebSocket-Accept: ${await acceptKey(
            key,
          )}\r\n\r\n`,
      ),
    );
    const peer = new Peer(peers.length, conn);
    peers.push(peer);
    await peer.read(req.rest);
  };
  const loop = (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      const p = serve(conn).catch(() => {});
      reading.add(p);
      p.finally(() => reading.delete(p));
    }
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `ws://127.0.0.1:${port}`,
    start: () => Promise.resolve(start()),
    report: () => Promise.resolve(report()),
    async close() {
      listener.close();
      await loop;
      for (const p of peers) p.close();
      await Promise.allSettled(reading);
    },
  };
}
