/**
 * What tickgate's WebSocket client and its frame reader share (RFC 6455):
 * opcodes, the close codes a client fails a connection with, the protocol
 * error, and strict UTF-8 decoding of text messages.
 *
 * @module
 */

/** Frame opcodes (RFC 6455 §5.2). */
export const OP_CONTINUATION = 0x0;
/** A text frame. */
export const OP_TEXT = 0x1;
/** A binary frame. */
export const OP_BINARY = 0x2;
/** A close frame. */
export const OP_CLOSE = 0x8;
/** A ping frame. */
export const OP_PING = 0x9;
/** A pong frame. */
export const OP_PONG = 0xa;

/** Close codes the client sends when it fails a connection (RFC 6455 §7.4.1). */
export const CLOSE_PROTOCOL_ERROR = 1002;
/** A text frame that is not UTF-8. */
export const CLOSE_INVALID_DATA = 1007;
/** A message over the size limit. */
export const CLOSE_TOO_BIG = 1009;

/** The peer broke the protocol; `closeCode` is what the client answers with. */
export class WsProtocolError extends Error {
  /**
   * @param message what was wrong
   * @param closeCode the close code to send (1002, 1007 or 1009)
   */
  constructor(message: string, readonly closeCode: number) {
    super(message);
    this.name = "WsProtocolError";
  }
}

/** What invalid UTF-8 decodes to, and what a strict check then looks for. */
export const REPLACEMENT = "\uFFFD";
// A leading byte-order mark is kept, as Deno's WebSocket keeps it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const strictDecoder = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});

/**
 * Decodes UTF-8. Invalid bytes decode to U+FFFD, so only a text holding one
 * (never an ASCII frame: V8 answers that search at once) is checked again
 * strictly, which throws a {@link WsProtocolError} when the bytes are not
 * UTF-8.
 */
export function decodeText(bytes: Uint8Array): string {
  const text = decoder.decode(bytes);
  if (text.indexOf(REPLACEMENT) !== -1) {
    try {
      strictDecoder.decode(bytes);
    } catch {
      throw new WsProtocolError("text that is not UTF-8", CLOSE_INVALID_DATA);
    }
  }
  return text;
}
