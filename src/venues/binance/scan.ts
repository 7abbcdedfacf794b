/**
 * The Binance parser's fast path: hot frames (`trade`, `aggTrade`,
 * `depthUpdate`, `bookTicker`) read with {@link JsonScan}, not `JSON.parse`,
 * whole, into {@link BinanceScan}'s fields, touching no parser state. A
 * frame it cannot read exactly as `JSON.parse` would (escapes, whitespace,
 * `data` before `stream`, a missing or mistyped field, deep nesting…) it
 * refuses: the parser then uses `JSON.parse`. Where `JsonScan` is lenient
 * (control characters in strings, numbers it skips), strict reads here.
 *
 * @module
 */

import type { BookLevel } from "../../core/events.ts";
import type { StringTable } from "../../core/string_table.ts";
import { JsonScan } from "../json_scan.ts";
import type { StreamEntry } from "./parse.ts";

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Nesting of an unknown member's value beyond which JSON.parse decides. */
export const MAX_DEPTH = 30;

/**
 * The fast-path reader, one per parser. After a successful
 * {@link BinanceScan.read} the fields of the returned entry's kind hold
 * the payload's values (duplicate keys: the last one, as `JSON.parse`).
 *
 * @example Usage
 * ```ts
 * const scan = new BinanceScan();
 * const entry = scan.read(frame, index); // undefined: use JSON.parse
 * if (entry?.kind === "trade") console.log(scan.id, scan.price);
 * ```
 */
export class BinanceScan {
  readonly #s = new JsonScan();
  /** Trades: `t` (or `a`), `p`, `q` (`""` is refused later), `m`, `T`. */
  id = 0;
  price = "";
  size = "";
  buyerMaker = false;
  tradeTs = 0;
  /** Depth: `U`, `u` (also a book ticker's update id) and `E`. */
  firstId = 0;
  lastId = 0;
  eventTs = 0;
  /** Depth: `b` and `a`. */
  bids: BookLevel[] = [];
  asks: BookLevel[] = [];
  /** Book ticker: `b`, `B`, `a`, `A` (`B` and `A` are `""` when absent). */
  bid = "";
  bidSize = "";
  ask = "";
  askSize = "";

  /**
   * Reads `{"stream":…,"data":{…}}` whole; the stream's entry when its
   * kind is a hot one and every read succeeded, `undefined` otherwise.
   */
  read(
    frame: string,
    index: StringTable<StreamEntry>,
  ): StreamEntry | undefined {
    const s = this.#s;
    if (!s.begin(frame) || !s.open()) return undefined;
    let entry: StreamEntry | undefined;
    let data = false;
    do {
      const c = memberKey(s);
      if (c === 0 && s.isKey("stream")) {
        // A known name holds no control character: the table checks it.
        if (entry !== undefined || !s.atString()) return undefined;
        entry = index.get(s.string());
        if (entry === undefined) return undefined;
      } else if (c === 0 && s.isKey("data")) {
        const kind = entry?.kind;
        if (data || kind === undefined) return undefined;
        data = kind === "depth"
          ? this.#depth()
          : kind === "bookTicker"
          ? this.#bookTicker()
          : kind === "trade" || kind === "aggTrade"
          ? this.#trade(kind === "trade" ? 116 /* t */ : 97 /* a */)
          : false;
        if (!data) return undefined;
      } else if (c < 0 || !skipValue(s)) return undefined;
    } while (s.more());
    return data && s.finish() ? entry : undefined;
  }

  #trade(idKey: number): boolean {
    const s = this.#s;
    if (!s.open()) return false;
    let seen = 0;
    do {
      const c = memberKey(s);
      if (c === idKey) {
        this.id = readNumber(s);
        seen |= 1;
      } else if (c === 112 /* p */) {
        this.price = readString(s);
        seen |= 2;
      } else if (c === 113 /* q */) {
        this.size = readString(s);
        seen |= 4;
      } else if (c === 109 /* m */) {
        this.buyerMaker = s.boolean() === true;
        seen |= 8;
      } else if (c === 84 /* T */) {
        this.tradeTs = readNumber(s);
        seen |= 16;
      } else if (c < 0 || !skipValue(s)) return false;
    } while (s.more());
    return seen === 31 && !s.failed;
  }

  #depth(): boolean {
    const s = this.#s;
    if (!s.open()) return false;
    let seen = 0;
    do {
      const c = memberKey(s);
      if (c === 85 /* U */) {
        this.firstId = readNumber(s);
        seen |= 1;
      } else if (c === 117 /* u */) {
        this.lastId = readNumber(s);
        seen |= 2;
      } else if (c === 69 /* E */) {
        this.eventTs = readNumber(s);
        seen |= 4;
      } else if (c === 98 /* b */) {
        this.bids = readLevels(s);
        seen |= 8;
      } else if (c === 97 /* a */) {
        this.asks = readLevels(s);
        seen |= 16;
      } else if (c < 0 || !skipValue(s)) return false;
    } while (s.more());
    return seen === 31 && !s.failed;
  }

  #bookTicker(): boolean {
    const s = this.#s;
    if (!s.open()) return false;
    let seen = 0;
    this.bidSize = "";
    this.askSize = "";
    do {
      const c = memberKey(s);
      if (c === 117 /* u */) {
        this.lastId = readNumber(s);
        seen |= 1;
      } else if (c === 98 /* b */) {
        this.bid = readString(s);
        seen |= 2;
      } else if (c === 97 /* a */) {
        this.ask = readString(s);
        seen |= 4;
      } else if (c === 66 /* B */) this.bidSize = readString(s);
      else if (c === 65 /* A */) this.askSize = readString(s);
      else if (c < 0 || !skipValue(s)) return false;
    } while (s.more());
    return seen === 7 && !s.failed;
  }
}

/** Fails the reader: it moves to the end, so every later read fails. */
function fail(s: JsonScan): false {
  s.failed = true;
  s.pos = s.text.length;
  return false;
}

/** The end of the string starting at `i` (after its quote), or -1. */
function stringEnd(t: string, i: number): number {
  if (t.charCodeAt(i) !== QUOTE) return -1;
  // No backslash in the frame (JsonScan.begin): a quote ends the string.
  for (let c = t.charCodeAt(++i); c !== QUOTE; c = t.charCodeAt(++i)) {
    if (!(c >= 32)) return -1; // a control character, or the end (NaN)
  }
  return i + 1;
}

/** A string value without control characters; `""` (and failed) otherwise. */
function readString(s: JsonScan): string {
  const end = stringEnd(s.text, s.pos);
  if (end === -1) {
    fail(s);
    return "";
  }
  const v = s.text.slice(s.pos + 1, end - 1);
  s.pos = end;
  return v;
}

/** `[["price","size"],…]` of non-empty strings; failed otherwise. */
function readLevels(s: JsonScan): BookLevel[] {
  const out: BookLevel[] = [];
  if (!s.openItems()) return out;
  do {
    s.openArray();
    const price = readString(s);
    s.char(COMMA);
    const size = readString(s);
    if (!s.char(CLOSE_BRACKET) || price === "" || size === "") fail(s);
    else out.push([price, size]);
  } while (s.moreItems());
  return out;
}

/**
 * A number value. A plain integer of up to 15 digits is summed here in two
 * int32 parts, exactly (a float sum of its digits is a chain of slow
 * steps); anything else is left to {@link JsonScan.number}.
 */
function readNumber(s: JsonScan): number {
  const t = s.text;
  let i = s.pos;
  let c = t.charCodeAt(i);
  if (!(c > ZERO && c <= NINE)) return s.number();
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
  if (scale > 1e6 || c === DOT || c === 101 || c === 69) return s.number();
  s.pos = i;
  return hi * scale + lo;
}

/**
 * The end of the JSON value starting at `i`, checked by JSON's grammar,
 * or -1; containers may nest `depth` levels below it.
 */
function valueEnd(s: JsonScan, i: number, depth: number): number {
  const t = s.text;
  const c = t.charCodeAt(i);
  if (c === QUOTE) return stringEnd(t, i);
  if (c === 116) return t.startsWith("true", i) ? i + 4 : -1;
  if (c === 102) return t.startsWith("false", i) ? i + 5 : -1;
  if (c === 110) return t.startsWith("null", i) ? i + 4 : -1;
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    s.pos = i;
    readNumber(s);
    return s.failed ? -1 : s.pos;
  }
  const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
  if (t.charCodeAt(++i) === close) return i + 1;
  if (depth === 0) return -1;
  for (;;) {
    if (c === OPEN_BRACE) {
      // `"key":` (checked like any string), then its value.
      i = stringEnd(t, i);
      if (i === -1 || t.charCodeAt(i++) !== COLON) return -1;
    }
    i = valueEnd(s, i, depth - 1);
    if (i === -1) return -1;
    const n = t.charCodeAt(i++);
    if (n === close) return i;
    if (n !== COMMA) return -1;
  }
}

/**
 * Reads a member's `"key":`: the character code of a one-letter key, 0 for
 * any other (then {@link JsonScan.isKey} applies), -1 (and failed) for
 * none or one with a control character.
 */
function memberKey(s: JsonScan): number {
  const t = s.text;
  const i = s.pos;
  const c = t.charCodeAt(i + 1);
  if (
    c >= 32 && c !== QUOTE && t.charCodeAt(i) === QUOTE &&
    t.charCodeAt(i + 2) === QUOTE && t.charCodeAt(i + 3) === COLON
  ) {
    s.pos = i + 4;
    return c;
  }
  // Longer (or broken) keys: the reader's, checked for control characters.
  if (s.key() && stringEnd(t, i) === s.pos - 1) return 0;
  fail(s);
  return -1;
}

/** Skips a value, checking it by JSON's grammar. */
function skipValue(s: JsonScan): boolean {
  const end = valueEnd(s, s.pos, MAX_DEPTH);
  if (end === -1) return fail(s);
  s.pos = end;
  return true;
}
