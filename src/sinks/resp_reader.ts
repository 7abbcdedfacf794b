/**
 * RESP2 replies for the Redis Streams sink: an incremental reader for
 * replies split anywhere across reads, and the reply types. Pure, no I/O.
 *
 * @module
 */

/** An error reply from Redis (`-ERR …`): a value, not a thrown error. */
export class RedisReplyError extends Error {
  /** The reply's first word, e.g. `WRONGTYPE`, `ERR`, `NOPERM`. */
  readonly code: string;

  /** @param message the reply text without the leading `-` */
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
    const space = message.indexOf(" ");
    this.code = space < 0 ? message : message.slice(0, space);
  }
}

/**
 * One RESP2 reply: simple and bulk strings as `string`, integers as
 * `number`, null bulk strings and null arrays as `null`, error replies as
 * {@link RedisReplyError} values, arrays as `Reply[]`.
 */
export type Reply = string | number | null | RedisReplyError | Reply[];

/** The bytes received are not RESP2; the connection cannot be trusted. */
export class RespProtocolError extends Error {
  /**
   * @param offset where in the unread input the bad byte is
   * @param detail what was wrong
   */
  constructor(readonly offset: number, readonly detail: string) {
    super(`Redis protocol error at byte ${offset}: ${detail}`);
    this.name = "RespProtocolError";
  }
}

const CR = 13;
const LF = 10;
/** Redis's own limit on a bulk string (proto-max-bulk-len default). */
const MAX_BULK = 512 * 1024 * 1024;
/** Bulk strings up to this many bytes are decoded as ASCII byte by byte. */
const SHORT = 48;
const decoder = new TextDecoder("utf-8", { fatal: false });

/** What {@link RespReader.next} returns while a reply is incomplete. */
export const INCOMPLETE: unique symbol = Symbol("INCOMPLETE");

/**
 * Parses replies from chunks that may split anywhere: {@link push} what was
 * read, then call {@link next} until it returns {@link INCOMPLETE}. An
 * incomplete reply is parsed again from its start when more bytes come,
 * which is cheap for the flat replies tickgate reads.
 *
 * @example Usage
 * ```ts
 * const r = new RespReader();
 * r.push(new TextEncoder().encode("+OK\r\n:1"));
 * r.next(); // "OK"
 * r.next(); // INCOMPLETE
 * ```
 */
export class RespReader {
  #buf = new Uint8Array(16 * 1024);
  /** Start of the unread bytes. */
  #start = 0;
  /** End of the bytes received. */
  #end = 0;
  /** Parse position while parsing one reply. */
  #pos = 0;

  /** Bytes received but not yet returned as replies. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Appends received bytes (copied; the caller may reuse `chunk`). */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (this.#end + n > this.#buf.length) {
      const live = this.#end - this.#start;
      let size = this.#buf.length;
      while (size < live + n) size *= 2;
      if (size === this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(size);
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /**
   * The next complete reply, or {@link INCOMPLETE}; throws
   * {@link RespProtocolError} on bytes that are not RESP2.
   */
  next(): Reply | typeof INCOMPLETE {
    if (this.#start === this.#end) return INCOMPLETE;
    this.#pos = this.#start;
    const reply = this.#reply();
    if (reply === INCOMPLETE) return INCOMPLETE;
    this.#start = this.#pos;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return reply;
  }

  #reply(): Reply | typeof INCOMPLETE {
    if (this.#pos >= this.#end) return INCOMPLETE;
    const type = this.#buf[this.#pos]!;
    const lineStart = this.#pos + 1;
    if (
      type !== 43 && type !== 45 && type !== 58 && type !== 36 && type !== 42
    ) {
      throw this.#error(
        this.#pos,
        `unexpected type byte 0x${type.toString(16).padStart(2, "0")}`,
      );
    }
    const lineEnd = this.#lineEnd(lineStart);
    if (lineEnd < 0) return INCOMPLETE;
    this.#pos = lineEnd + 2;
    switch (type) {
      case 43: // '+'
        return this.#text(lineStart, lineEnd);
      case 45: // '-'
        return new RedisReplyError(this.#text(lineStart, lineEnd));
      case 58: // ':'
        return this.#integer(lineStart, lineEnd);
      case 36: { // '$'
        const len = this.#integer(lineStart, lineEnd);
        if (len < 0) return this.#nullOf(len, lineStart);
        if (len > MAX_BULK) throw this.#error(lineStart, `bulk length ${len}`);
        const end = this.#pos + len;
        if (end + 2 > this.#end) return INCOMPLETE;
        if (this.#buf[end] !== CR || this.#buf[end + 1] !== LF) {
          throw this.#error(end, "bulk string not followed by CRLF");
        }
        const s = this.#text(this.#pos, end);
        this.#pos = end + 2;
        return s;
      }
      case 42: { // '*'
        const len = this.#integer(lineStart, lineEnd);
        if (len < 0) return this.#nullOf(len, lineStart);
        const items: Reply[] = [];
        for (let i = 0; i < len; i++) {
          const item = this.#reply();
          if (item === INCOMPLETE) return INCOMPLETE;
          items.push(item);
        }
        return items;
      }
      default:
        throw this.#error(lineStart - 1, "unreachable type");
    }
  }

  /** `null` for length -1, else a protocol error. */
  #nullOf(len: number, at: number): null {
    if (len === -1) return null;
    throw this.#error(at, `negative length ${len}`);
  }

  /** Position of the CR of the line starting at `from`, or -1 if unread. */
  #lineEnd(from: number): number {
    const buf = this.#buf;
    for (let i = from; i < this.#end; i++) {
      if (buf[i] === CR) {
        if (i + 1 >= this.#end) return -1;
        if (buf[i + 1] !== LF) throw this.#error(i + 1, "CR without LF");
        return i;
      }
    }
    return -1;
  }

  #integer(from: number, to: number): number {
    const buf = this.#buf;
    let i = from;
    const negative = buf[i] === 45;
    if (negative) i++;
    if (i === to) throw this.#error(from, "empty integer");
    let n = 0;
    for (; i < to; i++) {
      const c = buf[i]! - 48;
      if (c < 0 || c > 9) throw this.#error(i, "not an integer");
      n = n * 10 + c;
    }
    return negative ? -n : n;
  }

  #text(from: number, to: number): string {
    const buf = this.#buf;
    if (to - from <= SHORT) {
      let s = "";
      for (let i = from; i < to; i++) {
        const c = buf[i]!;
        if (c > 127) return decoder.decode(buf.subarray(from, to));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return decoder.decode(buf.subarray(from, to));
  }

  #error(at: number, detail: string): RespProtocolError {
    return new RespProtocolError(at - this.#start, detail);
  }
}
