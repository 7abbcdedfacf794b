/**
 * A forward-only reader of one compact JSON frame, for the parsers' fast
 * path: it reads the fields a parser needs straight from the text and skips
 * the rest, so the frame is never turned into a tree of objects. `JSON.parse`
 * is most of a normalizer's cost; this reader is about twice as fast on the
 * venues' frames because it allocates only the strings it returns.
 *
 * It accepts a strict subset of JSON: no whitespace between tokens, and no
 * backslash or raw control character (U+0000–U+001F) anywhere in the frame,
 * so a quote always ends a string and a string's text is its value. Every
 * value it reads or skips is checked by JSON's grammar (skipped containers
 * member by member, down to {@link MAX_DEPTH} levels), so whatever it
 * accepts `JSON.parse` reads the same. On anything else it fails, and the
 * caller falls back to `JSON.parse` and the full checks.
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
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  DOT,
  fractionEnd,
  MINUS,
  NINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  stringEnd,
  valueEnd,
  ZERO,
} from "./json_grammar.ts";

export { MAX_DEPTH } from "./json_grammar.ts";

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

  /**
   * Starts on `text`; false when it holds a backslash (escapes: not here).
   * Raw control characters are refused by the reads: a string's are checked
   * as it is read, and anywhere else the grammar refuses them (cheaper than
   * a regular expression over the whole frame, about 170 ns on a Binance one).
   */
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
    const end = stringEnd(t, this.pos);
    if (end === -1 || t.charCodeAt(end) !== COLON) return this.#fail();
    this.#keyStart = this.pos + 1;
    this.#keyLength = end - this.pos - 2;
    this.pos = end + 1;
    return true;
  }

  /**
   * Reads `"name":` like {@link JsonScan.key}, testing one-letter names
   * first: the character code of a one-letter name, 0 for any other (then
   * {@link JsonScan.isKey} applies), -1 (and failed) when there is no key.
   */
  memberKey(): number {
    const t = this.text;
    const i = this.pos;
    const c = t.charCodeAt(i + 1);
    if (
      t.charCodeAt(i + 2) === QUOTE && t.charCodeAt(i + 3) === COLON &&
      t.charCodeAt(i) === QUOTE && c >= 32 && c !== QUOTE
    ) {
      this.#keyStart = i + 1;
      this.#keyLength = 1;
      this.pos = i + 4;
      return c;
    }
    return this.key() ? 0 : -1;
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

  /** A string value; `""` (and failed) when the value is not a string. */
  string(): string {
    const end = stringEnd(this.text, this.pos);
    if (end === -1) {
      this.#fail();
      return "";
    }
    const v = this.text.slice(this.pos + 1, end - 1);
    this.pos = end;
    return v;
  }

  /**
   * Whether the value here is the string `value` (compared in place, with
   * no allocation); consumes it when it is, reads nothing otherwise.
   */
  stringIs(value: string): boolean {
    const t = this.text;
    const at = this.pos + 1;
    if (
      t.charCodeAt(at + value.length) !== QUOTE ||
      t.charCodeAt(this.pos) !== QUOTE || !t.startsWith(value, at)
    ) return false;
    this.pos = at + value.length + 1;
    return true;
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
    let c = t.charCodeAt(i);
    const negative = c === MINUS;
    if (negative) c = t.charCodeAt(++i);
    if (c > ZERO && c <= NINE) {
      // An integer of up to 15 digits, summed exactly in two int32 parts
      // (up to 9 digits, then up to 6): a float sum is a chain of slow steps.
      let hi = c - ZERO;
      for (const end = i + 9; (c = t.charCodeAt(++i)) >= ZERO && c <= NINE;) {
        if (i === end) break;
        hi = hi * 10 + (c - ZERO);
      }
      let lo = 0;
      let scale = 1;
      for (; c >= ZERO && c <= NINE; c = t.charCodeAt(++i)) {
        lo = lo * 10 + (c - ZERO);
        scale *= 10;
      }
      if (scale <= 1e6 && c !== DOT && c !== 101 && c !== 69) {
        this.pos = i;
        return negative ? -(hi * scale + lo) : hi * scale + lo;
      }
    } else if (c === ZERO) {
      c = t.charCodeAt(++i);
      if (c !== DOT && c !== 101 && c !== 69) {
        this.pos = i;
        return negative ? -0 : 0;
      }
    } else return this.#nan();
    const end = fractionEnd(t, i);
    if (end === -1) return this.#nan();
    this.pos = end;
    return Number(t.slice(start, end));
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
   * Skips one value of any kind, checked by JSON's grammar (containers
   * member by member, at most {@link MAX_DEPTH} deep); false (and failed)
   * when there is none.
   */
  skip(): boolean {
    const end = valueEnd(this.text, this.pos);
    if (end === -1) return this.#fail();
    this.pos = end;
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
