/**
 * Test-only WebSocket plumbing: a raw-TCP server the test scripts byte by
 * byte (it answers the handshake with a right or deliberately wrong accept
 * key, writes exactly the bytes it is given, and records the client's frames
 * unmasked), and a builder of server frames that can break every rule.
 *
 * @module
 */

import { acceptKey } from "./ws_handshake.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a string (UTF-8) or the bytes themselves. */
export function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** How {@link serverFrame} may bend the rules. */
export interface FrameOptions {
  /** @default true */
  fin?: boolean;
  /** RSV1–3 as a 3-bit number. @default 0 */
  rsv?: number;
  /** Masks the payload (a server must not). */
  mask?: Uint8Array;
  /** Forces the length form (7, 16 or 64 bits) even where not minimal. */
  lengthForm?: 7 | 16 | 64;
  /** Writes this 64-bit length instead of the payload's (as high, low words). */
  declared64?: [number, number];
}

/** One server frame; unmasked and minimal unless `opts` say otherwise. */
export function serverFrame(
  opcode: number,
  data: string | Uint8Array,
  opts: FrameOptions = {},
): Uint8Array {
  const payload = bytes(data);
  const len = payload.length;
  const form = opts.lengthForm ??
    (opts.declared64 ? 64 : len < 126 ? 7 : len < 0x10000 ? 16 : 64);
  const head = form === 7 ? 2 : form === 16 ? 4 : 10;
  const maskLen = opts.mask ? 4 : 0;
  const out = new Uint8Array(head + maskLen + len);
  const view = new DataView(out.buffer);
  out[0] = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  const m = opts.mask ? 0x80 : 0;
  if (form === 7) out[1] = m | len;
  else if (form === 16) {
    out[1] = m | 126;
    view.setUint16(2, len);
  } else {
    out[1] = m | 127;
    const [high, low] = opts.declared64 ??
      [Math.floor(len / 0x100000000), len >>> 0];
    view.setUint32(2, high);
    view.setUint32(6, low);
  }
  if (opts.mask) out.set(opts.mask, head);
  for (let i = 0; i < len; i++) {
    out[head + maskLen + i] = payload[i]! ^ (opts.mask ? opts.mask[i & 3]! : 0);
  }
  return out;
}

/** A frame the client sent, as the server read it (payload unmasked). */
export interface ClientFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  mask: Uint8Array;
  payload: Uint8Array;
}

/** The code of a close frame's payload (`undefined` when empty). */
export function closeCode(frame: ClientFrame): number | undefined {
  const p = frame.payload;
  return p.length >= 2 ? (p[0]! << 8) | p[1]! : undefined;
}

/** One accepted TCP connection of a {@link RawWsServer}. */
export class RawPeer {
  /** The client's request head (empty when it sent none). */
  request = "";
  readonly frames: ClientFrame[] = [];
  #buf: Uint8Array = new Uint8Array(0);
  #wake: (() => void) | undefined;
  #ended = false;
  #headRead!: () => void;
  /** Resolves once the request head arrived (or the connection ended). */
  readonly head: Promise<void> = new Promise((r) => this.#headRead = r);
  /** Resolves once the client's side of the TCP connection ended. */
  readonly done: Promise<void>;

  /**
   * @param conn the accepted connection
   * @param frames read the client's frames; when false, reading stops after
   *   the request head (so a close resets the connection once the client
   *   sent something, and `done` no longer means the client ended)
   */
  constructor(readonly conn: Deno.Conn, readonly readFrames = true) {
    this.done = this.#readAll();
  }

  /** The value of a request header (case-insensitive name). */
  header(name: string): string | undefined {
    const re = new RegExp(`^${name}:\\s*(.*)$`, "im");
    return re.exec(this.request)?.[1]?.trim();
  }

  /** Writes exactly `data` in one write call. */
  async write(data: string | Uint8Array): Promise<void> {
    const b = bytes(data);
    let o = 0;
    while (o < b.length) o += await this.conn.write(b.subarray(o));
  }

  /**
   * Answers with 101 (the right accept key unless `accept` is given) and
   * `after` (frames) in the same write.
   */
  async upgrade(
    opts: { accept?: string; headers?: string; after?: Uint8Array } = {},
  ): Promise<void> {
    const accept = opts.accept ??
      await acceptKey(this.header("sec-websocket-key") ?? "");
    await this.write(concat(
      bytes(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
          `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
          `${opts.headers ?? ""}\r\n`,
      ),
      opts.after ?? new Uint8Array(0),
    ));
  }

  /** The next frame the client sends; `null` once it closed TCP instead. */
  async frame(): Promise<ClientFrame | null> {
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return f;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** Closes the TCP connection (no close frame) and waits for the reader. */
  async close(): Promise<void> {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    await this.done;
  }

  async #readAll(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        this.#buf = concat(this.#buf, chunk.slice(0, n));
        this.#parse();
        if (!this.readFrames && this.request !== "") return this.#end();
      }
    } catch {
      // closed by the test or reset by the client
    }
    try {
      this.conn.close(); // the client is gone: nothing left to leak
    } catch {
      // already closed
    }
    this.#end();
  }

  #end(): void {
    this.#ended = true;
    this.#headRead();
    this.#wake?.();
  }

  #parse(): void {
    if (this.request === "") {
      const text = decoder.decode(this.#buf);
      const at = text.indexOf("\r\n\r\n");
      if (at < 0) return;
      this.request = text.slice(0, at + 4);
      this.#buf = this.#buf.slice(encoder.encode(this.request).length);
      this.#headRead();
    }
    for (;;) {
      const b = this.#buf;
      if (b.length < 2) return;
      let len = b[1]! & 0x7f;
      let at = 2;
      const view = new DataView(b.buffer, b.byteOffset, b.length);
      if (len === 126) {
        if (b.length < 4) return;
        len = view.getUint16(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = view.getUint32(2) * 0x100000000 + view.getUint32(6);
        at = 10;
      }
      const masked = (b[1]! & 0x80) !== 0;
      const mask = masked ? b.slice(at, at + 4) : new Uint8Array(4);
      if (masked) at += 4;
      if (b.length < at + len) return;
      const payload = b.slice(at, at + len);
      for (let i = 0; i < len; i++) payload[i]! ^= mask[i & 3]!;
      this.frames.push({
        fin: (b[0]! & 0x80) !== 0,
        rsv: (b[0]! >> 4) & 7,
        opcode: b[0]! & 0x0f,
        masked,
        mask,
        payload,
      });
      this.#buf = b.slice(at + len);
      this.#wake?.();
    }
  }
}

/** A raw-TCP server on 127.0.0.1; each `next()` accepts one connection. */
export class RawWsServer {
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #peers: RawPeer[] = [];

  /** `ws://127.0.0.1:<port><path>`. */
  url(path = "/"): string {
    return `ws://127.0.0.1:${this.#listener.addr.port}${path}`;
  }

  /** Accepts the next connection and waits for its request head (or EOF). */
  async next(readFrames = true): Promise<RawPeer> {
    const peer = new RawPeer(await this.#listener.accept(), readFrames);
    this.#peers.push(peer);
    await peer.head;
    return peer;
  }

  /** Stops listening and closes every connection it accepted. */
  async close(): Promise<void> {
    this.#listener.close();
    await Promise.all(this.#peers.map((p) => p.close()));
  }
}
