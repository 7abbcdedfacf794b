/**
 * The frames a WebSocket client writes (masked, RFC 6455 §5.3) and the
 * close frame's payload, both ways.
 *
 * @module
 */

import {
  CLOSE_PROTOCOL_ERROR,
  decodeText,
  WsProtocolError,
} from "./ws_protocol.ts";

const encoder = new TextEncoder();

/**
 * One masked client frame (FIN set) of `payload`, masked with `mask` (four
 * fresh random bytes per frame, RFC 6455 §5.3).
 */
export function encodeClientFrame(
  opcode: number,
  payload: Uint8Array,
  mask: Uint8Array,
): Uint8Array {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 0x10000 ? 4 : 10;
  const out = new Uint8Array(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 0x10000) {
    out[1] = 0x80 | 126;
    out[2] = len >>> 8;
    out[3] = len & 0xff;
  } else {
    out[1] = 0x80 | 127;
    const view = new DataView(out.buffer);
    view.setUint32(2, Math.floor(len / 0x100000000));
    view.setUint32(6, len >>> 0);
  }
  out.set(mask.subarray(0, 4), head);
  const at = head + 4;
  for (let i = 0; i < len; i++) out[at + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/**
 * The code and reason of a close frame's payload (1005, "" when it is
 * empty). Throws {@link WsProtocolError} for a one-byte payload, a code no
 * endpoint may send, or a reason that is not UTF-8.
 */
export function readClosePayload(
  payload: Uint8Array,
): { code: number; reason: string } {
  if (payload.length === 0) return { code: 1005, reason: "" };
  if (payload.length === 1) {
    throw new WsProtocolError(
      "a close frame of one byte",
      CLOSE_PROTOCOL_ERROR,
    );
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!sendableCloseCode(code)) {
    throw new WsProtocolError(
      `close code ${code} is not one a peer may send`,
      CLOSE_PROTOCOL_ERROR,
    );
  }
  return { code, reason: decodeText(payload.subarray(2)) };
}

/** Codes a peer may put in a close frame (RFC 6455 §7.4, IANA registry). */
export function sendableCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 &&
    code !== 1006;
}

/**
 * The payload of a close frame: nothing without a code, else the code and
 * the UTF-8 reason.
 */
export function encodeClosePayload(
  code: number | undefined,
  reason = "",
): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const text = encoder.encode(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/**
 * What `WebSocket.close` accepts: no code, 1000 or 3000–4999, and a reason
 * of at most 123 bytes; throws a `DOMException` as `WebSocket` does.
 */
export function checkCloseArguments(
  code: number | undefined,
  reason: string | undefined,
): void {
  if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
    throw new DOMException(`close code ${code}`, "InvalidAccessError");
  }
  if (reason !== undefined && encoder.encode(reason).length > 123) {
    throw new DOMException("a close reason over 123 bytes", "SyntaxError");
  }
}
