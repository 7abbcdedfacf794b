/**
 * The opening handshake of RFC 6455 §4, client side: the upgrade request,
 * the reading of the server's response head, and the checks a client must
 * make before it treats the connection as a WebSocket. Also the accept key
 * the server side computes (the benchmark's blaster uses it).
 *
 * @module
 */

/** The handshake's fixed GUID (RFC 6455 §1.3). */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** The most a response head may take before the client gives up. */
export const MAX_HEAD_BYTES = 16 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The server refused or garbled the upgrade; `status` is its HTTP status. */
export class WsHandshakeError extends Error {
  /**
   * @param message what went wrong, for logs and `/stats`
   * @param status the HTTP status, when the server sent one
   */
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "WsHandshakeError";
  }
}

/** The server's response head. */
export interface ResponseHead {
  status: number;
  statusText: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Map<string, string>;
  /** Where the bytes after the head begin (the first frames, or a body). */
  bodyAt: number;
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes, base64. */
export function newKey(): string {
  return btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
}

/** `Sec-WebSocket-Accept` for `key`: base64 of SHA-1 of key + GUID. */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    encoder.encode(key + GUID),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The upgrade request for `url` (no extension, no subprotocol offered). */
export function upgradeRequest(
  url: URL,
  key: string,
  userAgent: string,
): Uint8Array {
  const path = `${url.pathname || "/"}${url.search}`;
  return encoder.encode(
    `GET ${path} HTTP/1.1\r\n` +
      `Host: ${url.host}\r\n` +
      "Upgrade: websocket\r\n" +
      "Connection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${key}\r\n` +
      "Sec-WebSocket-Version: 13\r\n" +
      `User-Agent: ${userAgent}\r\n\r\n`,
  );
}

/**
 * Reads a response head from `bytes[0, end)`; `undefined` while the blank
 * line that ends it has not arrived. Throws {@link WsHandshakeError} for a
 * head over {@link MAX_HEAD_BYTES} or one that is not HTTP/1.1.
 */
export function readResponseHead(
  bytes: Uint8Array,
  end: number,
): ResponseHead | undefined {
  const limit = Math.min(end, MAX_HEAD_BYTES);
  let stop = -1;
  for (let i = 3; i < limit; i++) {
    if (
      bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 &&
      bytes[i - 3] === 13
    ) {
      stop = i - 3;
      break;
    }
  }
  if (stop < 0) {
    if (end >= MAX_HEAD_BYTES) {
      throw new WsHandshakeError(
        `a response head over ${MAX_HEAD_BYTES} bytes`,
      );
    }
    return undefined;
  }
  const [line = "", ...lines] = decoder.decode(bytes.subarray(0, stop)).split(
    "\r\n",
  );
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(line);
  if (m === null) {
    throw new WsHandshakeError(
      `not an HTTP response: ${JSON.stringify(line.slice(0, 80))}`,
    );
  }
  const headers = new Map<string, string>();
  for (const h of lines) {
    const colon = h.indexOf(":");
    if (colon <= 0) continue;
    const name = h.slice(0, colon).trim().toLowerCase();
    const value = h.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return {
    status: Number(m[1]),
    statusText: m[2] ?? "",
    headers,
    bodyAt: stop + 4,
  };
}

/**
 * Checks a response head against RFC 6455 §4.1: status 101, `Upgrade:
 * websocket`, `Connection: Upgrade`, the accept key of our key, and no
 * extension or subprotocol we did not offer. Throws {@link WsHandshakeError}
 * naming the first thing wrong; `body` (what followed the head, if any) is
 * quoted for a refusal, since venues explain a 403 or 429 there.
 */
export function checkUpgrade(
  head: ResponseHead,
  expectedAccept: string,
  body = "",
): void {
  if (head.status !== 101) {
    const text = body.trim().slice(0, 200);
    throw new WsHandshakeError(
      `HTTP ${head.status}${head.statusText ? ` ${head.statusText}` : ""}${
        text ? `: ${text}` : ""
      }`,
      head.status,
    );
  }
  const h = head.headers;
  if ((h.get("upgrade") ?? "").toLowerCase() !== "websocket") {
    throw new WsHandshakeError(
      "the response does not upgrade to websocket",
      101,
    );
  }
  const connection = (h.get("connection") ?? "").toLowerCase().split(",");
  if (!connection.some((t) => t.trim() === "upgrade")) {
    throw new WsHandshakeError("the response lacks Connection: Upgrade", 101);
  }
  if (h.get("sec-websocket-accept") !== expectedAccept) {
    throw new WsHandshakeError("wrong Sec-WebSocket-Accept", 101);
  }
  if (h.has("sec-websocket-extensions")) {
    throw new WsHandshakeError(
      "the server chose an extension that was not offered",
      101,
    );
  }
  if (h.has("sec-websocket-protocol")) {
    throw new WsHandshakeError(
      "the server chose a subprotocol that was not offered",
      101,
    );
  }
}

/**
 * Reads the server's answer to the upgrade request from `conn` and checks
 * it ({@link checkUpgrade}); returns the bytes that came after the head
 * (the first frames). A refusal's body is read as far as `Content-Length`
 * announces (at most 512 bytes) and quoted in the error.
 */
export async function readUpgrade(
  conn: { read(p: Uint8Array): Promise<number | null> },
  accept: string,
): Promise<Uint8Array> {
  const buf = new Uint8Array(16 * 1024 + 512);
  let end = 0;
  for (;;) {
    const n = await conn.read(buf.subarray(end));
    if (n === null) {
      throw new WsHandshakeError(
        "the server closed the connection during the handshake",
      );
    }
    end += n;
    const head = readResponseHead(buf, end);
    if (head === undefined) continue;
    if (head.status !== 101) {
      // A refusal's body says why (a venue's 403 or 429): read what
      // Content-Length announces, up to a quotable length.
      const length = Number(head.headers.get("content-length"));
      const want = head.bodyAt + Math.min(length >= 0 ? length : 0, 512);
      while (end < want) {
        const more = await conn.read(buf.subarray(end, want));
        if (more === null) break;
        end += more;
      }
    }
    const rest = buf.slice(head.bodyAt, end);
    const body = head.status === 101 ? "" : decoder.decode(rest);
    checkUpgrade(head, accept, body);
    return rest;
  }
}
