/**
 * RESP2 encoding for the Redis Streams sink: commands as arrays of bulk
 * strings, written straight into one reused, growable byte buffer with
 * exact UTF-8 byte lengths. Pure, no I/O.
 *
 * @module
 */

const CR = 13;
const LF = 10;
/** Strings up to this many UTF-16 units are tried as ASCII byte by byte. */
const SHORT = 48;
const encoder = new TextEncoder();

/** Decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/**
 * Encodes commands (arrays of bulk strings) into one buffer that is reused
 * batch after batch and grows when needed; byte lengths are exact UTF-8.
 *
 * @example Usage
 * ```ts
 * const w = new RespWriter();
 * w.command(["XADD", "k", "*", "f", "v"]);
 * await conn.write(w.bytes());
 * w.reset();
 * ```
 */
export class RespWriter {
  #buf: Uint8Array;
  #pos = 0;

  /** @param initialBytes starting capacity of the buffer */
  constructor(initialBytes = 64 * 1024) {
    this.#buf = new Uint8Array(Math.max(64, initialBytes));
  }

  /** Bytes encoded since the last {@link reset}. */
  get length(): number {
    return this.#pos;
  }

  /** Forgets what was encoded; the buffer is kept for the next batch. */
  reset(): void {
    this.#pos = 0;
  }

  /**
   * The bytes encoded so far: a view of the internal buffer, valid until
   * the next {@link reset} or encoding call.
   */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Appends one command: `*argc`, then every argument as a bulk string. */
  command(args: readonly string[]): void {
    this.#header(42, args.length); // '*'
    for (let i = 0; i < args.length; i++) this.#bulk(args[i]!);
  }

  /** Makes room for `n` more bytes. */
  #reserve(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  /** Writes `<type><n>\r\n`. */
  #header(type: number, n: number): void {
    this.#reserve(24);
    const buf = this.#buf;
    buf[this.#pos++] = type;
    this.#pos = writeDecimal(buf, this.#pos, n);
    buf[this.#pos++] = CR;
    buf[this.#pos++] = LF;
  }

  /** Writes `$<bytes>\r\n<utf-8>\r\n`. */
  #bulk(s: string): void {
    const units = s.length;
    // UTF-8 never takes fewer bytes than UTF-16 units, nor more than 3 each.
    this.#reserve(3 * units + 28);
    const buf = this.#buf;
    const guess = digits(units);
    const start = this.#pos;
    const body = start + 1 + guess + 2;
    let written = -1;
    if (units <= SHORT) written = asciiInto(s, buf, body);
    if (written < 0) {
      written = encoder.encodeInto(s, buf.subarray(body)).written;
    }
    const d = digits(written);
    if (d !== guess) buf.copyWithin(body + d - guess, body, body + written);
    buf[start] = 36; // '$'
    let p = writeDecimal(buf, start + 1, written);
    buf[p++] = CR;
    buf[p++] = LF;
    p += written;
    buf[p++] = CR;
    buf[p++] = LF;
    this.#pos = p;
  }
}

/** Copies an all-ASCII string byte by byte; -1 (nothing promised) if not ASCII. */
function asciiInto(s: string, buf: Uint8Array, at: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return -1;
    buf[at + i] = c;
  }
  return n;
}

/** Writes a non-negative integer in decimal; returns the next position. */
function writeDecimal(buf: Uint8Array, at: number, n: number): number {
  const d = digits(n);
  const p = at + d;
  for (let i = p - 1; i >= at; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return p;
}

/**
 * Encodes commands into a new byte array (the one-off form of
 * {@link RespWriter}).
 *
 * @example Usage
 * ```ts
 * encodeCommands([["PING"]]); // bytes of "*1\r\n$4\r\nPING\r\n"
 * ```
 */
export function encodeCommands(
  commands: readonly (readonly string[])[],
): Uint8Array {
  const w = new RespWriter(256);
  for (const c of commands) w.command(c);
  return w.bytes().slice();
}
