/**
 * The wire helpers of the blaster (`blaster.ts`): WebSocket frames encoded
 * once into one buffer, and a minimal HTTP/1.1 request-head reader and JSON
 * responder, all over raw `Deno.Conn`s.
 *
 * @module
 */

import { writeAll } from "../src/core/write_all.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes frames as unmasked text frames into one buffer with offsets. */
export function encodeFrames(frames: readonly string[]) {
  const payloads = frames.map((f) => enc.encode(f));
  let total = 0;
  for (const p of payloads) total += p.length + (p.length < 126 ? 2 : 4);
  const buf = new Uint8Array(total);
  const offsets = new Float64Array(frames.length + 1);
  let o = 0;
  for (let i = 0; i < payloads.length; i++) {
    offsets[i] = o;
    o = putFrame(buf, o, 0x1, payloads[i]!);
  }
  offsets[frames.length] = o;
  return { buf, offsets };
}

/** Writes one unmasked frame (payload < 64 KiB) at `o`; returns the end. */
export function putFrame(
  buf: Uint8Array,
  o: number,
  op: number,
  p: Uint8Array,
) {
  buf[o++] = 0x80 | op;
  if (p.length < 126) buf[o++] = p.length;
  else {
    buf[o++] = 126;
    buf[o++] = p.length >> 8;
    buf[o++] = p.length & 0xff;
  }
  buf.set(p, o);
  return o + p.length;
}

/** One unmasked frame of `payload`. */
export function frame(op: number, payload: Uint8Array): Uint8Array {
  const buf = new Uint8Array(payload.length + 4);
  return buf.subarray(0, putFrame(buf, 0, op, payload));
}

/** Reads an HTTP request head; the bytes after it come back too. */
export async function readHead(conn: Deno.Conn) {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(8192);
  for (;;) {
    const end = dec.decode(buf).indexOf("\r\n\r\n");
    if (end >= 0) {
      const [line = "", ...rest] = dec.decode(buf.subarray(0, end)).split(
        "\r\n",
      );
      const headers = new Map<string, string>();
      for (const h of rest) {
        const i = h.indexOf(":");
        if (i > 0) {
          headers.set(
            h.slice(0, i).trim().toLowerCase(),
            h.slice(i + 1).trim(),
          );
        }
      }
      return { line, headers, rest: buf.slice(end + 4) };
    }
    if (buf.length > 65536) return undefined;
    const n = await conn.read(chunk);
    if (n === null) return undefined;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
  }
}

/** Answers with a JSON body and closes the connection. */
export async function respond(conn: Deno.Conn, status: string, body: string) {
  const head = `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${enc.encode(body).length}\r\nConnection: close\r\n\r\n`;
  await writeAll(conn, enc.encode(head + body)).catch(() => {});
  conn.close();
}
