/**
 * RFC 6455 framing for tickgate's own WebSocket client: a reader that cuts
 * every complete frame out of one receive buffer per TCP read (no event
 * object per frame), decodes the whole text frames of a read in runs,
 * reassembles fragmented messages, and checks what a client must check
 * (unmasked server frames, no reserved bits, control-frame limits, valid
 * UTF-8, a size limit). The opcodes, close codes and errors it shares with
 * the rest of the client are in `ws_protocol.ts`.
 *
 * @module
 */

import {
  CLOSE_PROTOCOL_ERROR,
  CLOSE_TOO_BIG,
  decodeText,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  REPLACEMENT,
  WsProtocolError,
} from "./ws_protocol.ts";

/** The default largest message, as Deno's own `WebSocket` (64 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const INITIAL_BUFFER_BYTES = 128 * 1024;
/**
 * Whole text frames that follow each other in a read are decoded together,
 * up to this many bytes, then cut apart: one decoder call for several
 * frames. Small, because a value read out of a frame (a price of 13
 * characters or more is a slice, not a copy) keeps the whole decoded text
 * alive, where a frame decoded alone would keep only that frame.
 */
export const RUN_BYTES = 4096;
/** At most this many frames a run. */
export const RUN_FRAMES = 64;
/** The first byte of a whole (FIN) text frame with no reserved bit. */
const WHOLE_TEXT = 0x80 | 0x1;
const SPACE = 0x20;
/** The least free space a read gets. */
const MIN_READ = 4096;
// A leading byte-order mark is kept, as Deno's WebSocket keeps it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Where a {@link FrameReader} delivers what it cut out. */
export interface FrameSink {
  /**
   * A whole message: text decoded, binary as a copy; `more`: another
   * message follows within this call of {@link FrameReader.filled}, at
   * once. Returns `false` to stop delivering messages (the socket is
   * closing).
   */
  message(data: string | Uint8Array, more: boolean): boolean;
  /** A close, ping or pong frame (the payload is a copy). */
  control(opcode: number, payload: Uint8Array): void;
}

/**
 * One connection's receive side. Read into {@link FrameReader.space}, then
 * call {@link FrameReader.filled}: every complete frame in the buffer is
 * delivered, in order, before it returns; a partial frame waits for the
 * next read. Throws {@link WsProtocolError} when the peer broke the protocol
 * (the connection must then be failed).
 *
 * @example Usage
 * ```ts ignore
 * const reader = new FrameReader(DEFAULT_MAX_MESSAGE_BYTES);
 * const n = await conn.read(reader.space());
 * if (n !== null) reader.filled(n, sink);
 * ```
 */
export class FrameReader {
  readonly #max: number;
  #buf = new Uint8Array(INITIAL_BUFFER_BYTES);
  #start = 0;
  #end = 0;
  /** Bytes the frame at `#start` needs, once its header said so. */
  #need = 0;
  #fragments: Uint8Array[] = [];
  #fragmentOp = 0;
  #fragmentBytes = 0;
  /** Start and end of each whole text frame's payload in the run. */
  readonly #run = new Int32Array(2 * RUN_FRAMES);
  #runFrames = 0;

  /** @param maxMessageBytes the largest message (or frame) accepted */
  constructor(maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    this.#max = maxMessageBytes;
  }

  /** Bytes received but not yet delivered (a partial frame). */
  get pending(): number {
    return this.#end - this.#start;
  }

  /**
   * The free end of the buffer, to read into. Makes room first: moves a
   * partial frame to the front, grows the buffer (doubling, no further than
   * the frame under way needs, so a header announcing 60 MiB allocates
   * nothing before the bytes come), and goes back to the initial size once
   * a large frame is through.
   */
  space(): Uint8Array {
    const pending = this.#end - this.#start;
    const buf = this.#buf;
    if (
      buf.length > INITIAL_BUFFER_BYTES &&
      Math.max(pending, this.#need) + MIN_READ <= INITIAL_BUFFER_BYTES
    ) {
      this.#moveTo(new Uint8Array(INITIAL_BUFFER_BYTES));
    } else if (pending === 0) {
      this.#start = this.#end = 0;
    } else if (buf.length - this.#end < MIN_READ) {
      if (buf.length - pending >= MIN_READ && this.#start > 0) {
        this.#moveTo(buf);
      } else {
        const grown = Math.max(
          pending + MIN_READ,
          Math.min(buf.length * 2, this.#need + MIN_READ),
        );
        this.#moveTo(new Uint8Array(grown));
      }
    }
    return this.#buf.subarray(this.#end);
  }

  /** Moves the pending bytes to the front of `to`, which becomes the buffer. */
  #moveTo(to: Uint8Array<ArrayBuffer>): void {
    const pending = this.#end - this.#start;
    if (to === this.#buf) to.copyWithin(0, this.#start, this.#end);
    else to.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = to;
    this.#start = 0;
    this.#end = pending;
  }

  /** `n` bytes were read into the last {@link FrameReader.space}: deliver. */
  filled(n: number, sink: FrameSink): void {
    this.#end += n;
    const buf = this.#buf;
    const end = this.#end;
    let start = this.#start;
    let deliver = true;
    this.#need = 0;
    try {
      while (end - start >= 2) {
        const b0 = buf[start]!;
        const b1 = buf[start + 1]!;
        if ((b1 & 0x80) !== 0) {
          throw new WsProtocolError(
            "a masked frame from the server",
            CLOSE_PROTOCOL_ERROR,
          );
        }
        if ((b0 & 0x70) !== 0) {
          throw new WsProtocolError(
            "reserved bits set (no extension was agreed)",
            CLOSE_PROTOCOL_ERROR,
          );
        }
        let len = b1;
        let head = 2;
        if (len === 126) {
          if (end - start < 4) break;
          len = (buf[start + 2]! << 8) | buf[start + 3]!;
          head = 4;
        } else if (len === 127) {
          if (end - start < 10) break;
          const high = (buf[start + 2]! << 24 | buf[start + 3]! << 16 |
            buf[start + 4]! << 8 | buf[start + 5]!) >>> 0;
          const low = (buf[start + 6]! << 24 | buf[start + 7]! << 16 |
            buf[start + 8]! << 8 | buf[start + 9]!) >>> 0;
          if (high >= 0x80000000) {
            throw new WsProtocolError(
              "a 64-bit length with its top bit set",
              CLOSE_PROTOCOL_ERROR,
            );
          }
          len = high * 0x100000000 + low;
          head = 10;
        }
        const op = b0 & 0x0f;
        if (op >= 8 && (len > 125 || (b0 & 0x80) === 0)) {
          throw new WsProtocolError(
            "a control frame fragmented or over 125 bytes",
            CLOSE_PROTOCOL_ERROR,
          );
        }
        if (len > this.#max) {
          throw new WsProtocolError(
            `a frame of ${len} bytes (limit ${this.#max})`,
            CLOSE_TOO_BIG,
          );
        }
        if (end - start < head + len) {
          this.#need = head + len;
          break;
        }
        const at = start + head;
        const from = start;
        start = at + len;
        this.#start = start;
        if (b0 === WHOLE_TEXT && this.#fragmentOp === 0) {
          // The hot path: a whole text message in one frame joins the run.
          const run = this.#run;
          const k = this.#runFrames++;
          // Between two payloads of a run, the header becomes spaces, so
          // the run decodes as one ASCII text when its payloads are ASCII.
          // (A loop: `fill` is a runtime call, dear for 2 to 10 bytes.)
          if (k > 0) { for (let i = from; i < at; i++) buf[i] = SPACE; }
          run[2 * k] = at;
          run[2 * k + 1] = start;
          if (k + 1 === RUN_FRAMES || start - run[0]! >= RUN_BYTES) {
            deliver = this.#flush(
              buf,
              sink,
              deliver,
              wholeTextAt(buf, start, end),
            );
          }
          continue;
        }
        deliver = this.#flush(buf, sink, deliver);
        if (op >= 8) {
          this.#control(op, buf.slice(at, start), sink);
        } else {
          const whole = this.#data(op, (b0 & 0x80) !== 0, buf, at, start);
          if (whole !== undefined && deliver) {
            deliver = sink.message(whole, false);
          }
        }
      }
      deliver = this.#flush(buf, sink, deliver);
    } catch (e) {
      // What came before the offending frame is delivered first.
      this.#flush(buf, sink, deliver);
      throw e;
    } finally {
      this.#runFrames = 0;
      this.#start = start;
      if (start === end) this.#start = this.#end = 0;
    }
  }

  /**
   * Delivers the run of whole text frames (in order, each but the last with
   * `more`, the last with `more` when `next`: the next run's first frame is
   * in), decoded in one call when the run is ASCII, else frame by frame.
   * Returns whether to go on delivering.
   */
  #flush(
    buf: Uint8Array,
    sink: FrameSink,
    deliver: boolean,
    next = false,
  ): boolean {
    const n = this.#runFrames;
    if (n === 0) return deliver;
    this.#runFrames = 0;
    const run = this.#run;
    const from = run[0]!;
    const to = run[2 * n - 1]!;
    let text: string | undefined;
    if (n > 1) {
      text = decoder.decode(buf.subarray(from, to));
      // One character a byte and no U+FFFD: every byte was ASCII (a
      // multi-byte character is shorter; a stray byte becomes U+FFFD).
      if (text.length !== to - from || text.indexOf(REPLACEMENT) !== -1) {
        text = undefined;
      }
    }
    for (let i = 0; i < n && deliver; i++) {
      const at = run[2 * i]!;
      const end = run[2 * i + 1]!;
      const message = text === undefined
        ? decodeText(buf.subarray(at, end))
        : text.slice(at - from, end - from);
      deliver = sink.message(message, i + 1 < n || next);
    }
    return deliver;
  }

  #control(op: number, payload: Uint8Array, sink: FrameSink): void {
    if (op !== OP_CLOSE && op !== OP_PING && op !== OP_PONG) {
      throw new WsProtocolError(`unknown opcode ${op}`, CLOSE_PROTOCOL_ERROR);
    }
    sink.control(op, payload);
  }

  /** A data frame other than a whole text one; the message once complete. */
  #data(
    op: number,
    fin: boolean,
    buf: Uint8Array,
    from: number,
    to: number,
  ): string | Uint8Array | undefined {
    if (op === OP_CONTINUATION) {
      if (this.#fragmentOp === 0) {
        throw new WsProtocolError(
          "a continuation frame with no message to continue",
          CLOSE_PROTOCOL_ERROR,
        );
      }
    } else if (op === OP_TEXT || op === OP_BINARY) {
      if (this.#fragmentOp !== 0) {
        throw new WsProtocolError(
          "a new message inside a fragmented one",
          CLOSE_PROTOCOL_ERROR,
        );
      }
      if (fin) {
        return op === OP_TEXT
          ? decodeText(buf.subarray(from, to))
          : buf.slice(from, to);
      }
      this.#fragmentOp = op;
    } else {
      throw new WsProtocolError(`unknown opcode ${op}`, CLOSE_PROTOCOL_ERROR);
    }
    this.#fragmentBytes += to - from;
    if (this.#fragmentBytes > this.#max) {
      throw new WsProtocolError(
        `a message over ${this.#max} bytes`,
        CLOSE_TOO_BIG,
      );
    }
    this.#fragments.push(buf.slice(from, to));
    if (!fin) return undefined;
    const whole = new Uint8Array(this.#fragmentBytes);
    let o = 0;
    for (const part of this.#fragments) {
      whole.set(part, o);
      o += part.length;
    }
    const text = this.#fragmentOp === OP_TEXT;
    this.#fragments = [];
    this.#fragmentOp = 0;
    this.#fragmentBytes = 0;
    return text ? decodeText(whole) : whole;
  }
}

/**
 * Whether a whole text frame with a 7- or 16-bit length lies complete in
 * `buf` from `at` to before `end`: the message a run cut at its limit can
 * say will follow at once.
 */
function wholeTextAt(buf: Uint8Array, at: number, end: number): boolean {
  if (end - at < 2 || buf[at] !== WHOLE_TEXT) return false;
  const len = buf[at + 1]!;
  if (len < 126) return end - at >= 2 + len;
  return len === 126 && end - at >= 4 &&
    end - at >= 4 + ((buf[at + 2]! << 8) | buf[at + 3]!);
}
