/**
 * A forward-only reader of one compact JSON frame, for the parsers' fast
 * path: it reads the fields a parser needs straight from the text and skips
 * the rest, so the frame is never turned into a tree of objects. `JSON.parse`
 * is most of a normalizer's cost; this reader is about twice as fast on the
 * venues' frames because it allocates only the strings it returns.
 *
 * It accepts a strict subset of JSON: no whitespace between tokens and no
 * backslash anywhere in the frame (so a quote always ends a string). On
 * anything else it fails, and the caller falls back to `JSON.parse` and the
 * full checks. Known leniency: a raw control character inside a string it
 * or a number or literal it only skips is checked for its extent, not its
 * grammar (`JSON.parse` would refuse such a frame).
 *
 * @example Usage
 * ```ts
 * const s = new JsonScan();
 * let price = "";
 * if (s.begin('{"p":"1.5","n":2}') && s.open()) {
 *   do {
 *     if (s.key() && s.isKey("p")) price = s.string();
 *     else s.skip();
 *   } while (s.more());
 *   s.finish(); // false when the frame held anything the reader refused
 * }
 * ```
 *
 * @module
 */

import type { BookLevel } from "../core/events.ts";

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Integers up to this many digits are summed exactly without a slice. */
const EXACT_DIGITS = 15;

/**
 * The reader; one per parser, reused frame after frame. Every read that
 * meets something unexpected sets {@link JsonScan.failed} and moves to the
 * end of the text, so later reads fail fast and a loop always ends.
 */
export class JsonScan {
  /** The frame being read. */
  text = "";
  /** Index of the next character to read. */
  pos = 0;
  /** Whether a read met something this reader does not accept. */
  failed = false;
  #keyStart = 0;
  #keyLength = 0;

  /** Starts on `text`; false when it holds a backslash (escapes: not here). */
  begin(text: string): boolean {
    this.text = text;
    this.pos = 0;
    this.failed = text.indexOf("\\") !== -1;
    return !this.failed;
  }

  /** The next character is `code`; consumes it. */
  char(code: number): boolean {
    if (this.text.charCodeAt(this.pos) === code) {
      this.pos++;
      return true;
    }
    return this.#fail();
  }

  /** Consumes `{`; false (and failed) otherwise. */
  open(): boolean {
    return this.char(OPEN_BRACE);
  }

  /** Consumes `[`; false (and failed) otherwise. */
  openArray(): boolean {
    return this.char(OPEN_BRACKET);
  }

  /** Consumes `[` and, when the array is empty, its `]`: false then. */
  openItems(): boolean {
    if (!this.char(OPEN_BRACKET)) return false;
    if (this.text.charCodeAt(this.pos) !== CLOSE_BRACKET) return true;
    this.pos++;
    return false;
  }

  /**
   * Reads `"name":`, remembering the name for {@link JsonScan.isKey};
   * false (and failed) when there is no key here.
   */
  key(): boolean {
    const t = this.text;
    if (t.charCodeAt(this.pos) !== QUOTE) return this.#fail();
    const end = t.indexOf('"', this.pos + 1);
    if (end === -1 || t.charCodeAt(end + 1) !== COLON) return this.#fail();
    this.#keyStart = this.pos + 1;
    this.#keyLength = end - this.pos - 1;
    this.pos = end + 2;
    return true;
  }

  /** Whether the key just read is `name`. */
  isKey(name: string): boolean {
    return name.length === this.#keyLength &&
      this.text.startsWith(name, this.#keyStart);
  }

  /** Length of the key just read (a cheap first test before {@link JsonScan.isKey}). */
  get keyLength(): number {
    return this.#keyLength;
  }

  /** First character code of the key just read. */
  get keyCode(): number {
    return this.text.charCodeAt(this.#keyStart);
  }

  /** A string value; `""` (and failed) when the value is not a string. */
  string(): string {
    const t = this.text;
    const end = t.charCodeAt(this.pos) === QUOTE
      ? t.indexOf('"', this.pos + 1)
      : -1;
    if (end === -1) {
      this.#fail();
      return "";
    }
    const v = t.slice(this.pos + 1, end);
    this.pos = end + 1;
    return v;
  }

  /** Whether the value here is a string (without reading it). */
  atString(): boolean {
    return this.text.charCodeAt(this.pos) === QUOTE;
  }

  /**
   * A number value, read by JSON's grammar; `NaN` (and failed) when the
   * value is not a number. The double equals what `JSON.parse` gives.
   */
  number(): number {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === MINUS) i++;
    const first = t.charCodeAt(i);
    if (!(first >= ZERO && first <= NINE)) return this.#nan();
    let v = 0;
    const intStart = i;
    if (first === ZERO) i++;
    else {
      for (
        let c = t.charCodeAt(i);
        c >= ZERO && c <= NINE;
        c = t.charCodeAt(++i)
      ) {
        v = v * 10 + (c - ZERO);
      }
    }
    let c = t.charCodeAt(i);
    if (c !== DOT && c !== 101 && c !== 69 && i - intStart <= EXACT_DIGITS) {
      this.pos = i;
      return t.charCodeAt(start) === MINUS ? -v : v;
    }
    if (c === DOT) {
      const d = ++i;
      for (c = t.charCodeAt(i); c >= ZERO && c <= NINE; c = t.charCodeAt(++i));
      if (i === d) return this.#nan();
    }
    if (c === 101 || c === 69) {
      c = t.charCodeAt(++i);
      if (c === 43 || c === MINUS) c = t.charCodeAt(++i);
      const d = i;
      for (; c >= ZERO && c <= NINE; c = t.charCodeAt(++i));
      if (i === d) return this.#nan();
    }
    this.pos = i;
    return Number(t.slice(start, i));
  }

  /** `true` or `false`; `undefined` (and failed) for anything else. */
  boolean(): boolean | undefined {
    const t = this.text;
    if (t.startsWith("true", this.pos)) {
      this.pos += 4;
      return true;
    }
    if (t.startsWith("false", this.pos)) {
      this.pos += 5;
      return false;
    }
    this.#fail();
    return undefined;
  }

  /** Whether the value here is `null`; consumes it when it is. */
  null(): boolean {
    if (!this.text.startsWith("null", this.pos)) return false;
    this.pos += 4;
    return true;
  }

  /**
   * Skips one value of any kind (objects and arrays by their brackets);
   * false (and failed) when there is none.
   */
  skip(): boolean {
    const t = this.text;
    let depth = 0;
    let i = this.pos;
    for (;;) {
      let c = t.charCodeAt(i);
      if (c === QUOTE) {
        i = t.indexOf('"', i + 1);
        if (i === -1) return this.#fail();
        i++;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
        i++;
        continue;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) return this.#fail();
        depth--;
        i++;
      } else {
        // A number or literal: up to the next delimiter.
        const s = i;
        while (
          i < t.length && c !== COMMA && c !== CLOSE_BRACE &&
          c !== CLOSE_BRACKET && c !== COLON && c !== QUOTE
        ) c = t.charCodeAt(++i);
        if (i === s) return this.#fail();
      }
      if (depth === 0) break;
      // Inside a container: a separator, then the next key or value.
      c = t.charCodeAt(i);
      if (c === COMMA || c === COLON) i++;
      else if (c !== CLOSE_BRACE && c !== CLOSE_BRACKET) return this.#fail();
    }
    this.pos = i;
    return true;
  }

  /**
   * After an object member: consumes `,` (true: another follows) or the
   * closing `}` (false). Anything else fails (false).
   */
  more(): boolean {
    return this.#after(CLOSE_BRACE);
  }

  /**
   * After an array element: consumes `,` (true: another follows) or the
   * closing `]` (false). Anything else fails (false).
   */
  moreItems(): boolean {
    return this.#after(CLOSE_BRACKET);
  }

  #after(close: number): boolean {
    const c = this.text.charCodeAt(this.pos);
    this.pos++;
    if (c === COMMA) return true;
    if (c === close) return false;
    return this.#fail();
  }

  /**
   * `[["price","size"],…]` as book levels; `undefined` (and failed) when
   * any level is not exactly a pair of non-empty strings.
   */
  levels(): BookLevel[] | undefined {
    const out: BookLevel[] = [];
    if (!this.openItems()) return this.failed ? undefined : out;
    do {
      if (!this.char(OPEN_BRACKET)) return undefined;
      const price = this.string();
      if (!this.char(COMMA)) return undefined;
      const size = this.string();
      if (!this.char(CLOSE_BRACKET) || price === "" || size === "") {
        this.#fail();
        return undefined;
      }
      out.push([price, size]);
    } while (this.moreItems());
    return this.failed ? undefined : out;
  }

  /**
   * True when every read succeeded and the whole text was read; the fast
   * path may keep its result only then.
   */
  finish(): boolean {
    return !this.failed && this.pos === this.text.length;
  }

  #fail(): false {
    this.failed = true;
    this.pos = this.text.length;
    return false;
  }

  #nan(): number {
    this.#fail();
    return NaN;
  }
}
