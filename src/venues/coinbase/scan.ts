/**
 * The Coinbase parser's fast path: reads the hot frames (`match`,
 * `last_match`, `ticker`, `ticker_batch`, `l2update`) without `JSON.parse`
 * when they have exactly the layout Coinbase's serializer gives them.
 *
 * Each layout is one anchored regular expression: the keys in Coinbase's
 * order, strings without escapes or raw control characters (so their text
 * is their value), numbers by JSON's grammar. A frame that matches is valid
 * JSON with exactly these members, and the captured texts are the values
 * `JSON.parse` would give, so {@link CoinbaseScan.read} gives them in an
 * object with fields named as on the wire and the parser runs the very
 * same checks on them as on a decoded frame. Any other frame (other key
 * order, a missing, extra or duplicate key, whitespace, an escape, a value
 * of another JSON type) is refused, and the parser decodes it with
 * `JSON.parse`.
 *
 * Why not {@link JsonScan} for every field: on these frames, reading each
 * key and value with it and checking for raw control characters (which
 * `JsonScan` leaves to the caller) cost more than `JSON.parse` itself; one
 * regular expression does all of it in a single native pass, about half of
 * `JSON.parse`'s time. `JsonScan` still reads the levels of an `l2update`,
 * a list the expression can check but not capture.
 *
 * @module
 */

import { digitsValue } from "../../core/decimal.ts";
import type { BookLevel } from "../../core/events.ts";
import { JsonScan } from "../json_scan.ts";

/** {@link Scanned.kind}: a `match` or `last_match` frame. */
export const MATCH = 1;
/** {@link Scanned.kind}: a `ticker` or `ticker_batch` frame. */
export const TICKER = 2;
/** {@link Scanned.kind}: an `l2update` frame. */
export const L2UPDATE = 3;

/** A JSON string with no escape and no raw control character: its text is its value. */
const TEXT = String.raw`[^"\\\u0000-\u001f]`;
/** A string value, captured. */
const STRING = `"(${TEXT}*)"`;
/** A string value the parser does not read. */
const IGNORED = `"${TEXT}*"`;
/** A number value by JSON's grammar, which the parser does not read. */
const IGNORED_NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
/**
 * A whole number of at most 15 digits, captured: its text is exactly
 * `String` of its value (JSON's grammar has no leading zeros), so the
 * parser takes the text as the id instead of writing the number back out,
 * and its value is summed from the digits (`digitsValue`).
 * Any other number (sign, fraction, exponent, more digits) goes to
 * `JSON.parse`.
 */
const INTEGER = String.raw`(0|[1-9]\d{0,14})`;
/**
 * A trade's `side`, `buy` or `sell`. The one capture is empty for `buy`
 * and missing for `sell`, so the reader gives the side as a constant
 * instead of copying it out of the frame, and the parser compares it by
 * identity. Any other side goes to `JSON.parse` (and the parser refuses it
 * there).
 */
const SIDE = `"(?:buy()|sell)"`;
/**
 * A timestamp in the form Coinbase sends (`2014-11-07T08:19:27.028459Z`),
 * captured as its date, time of day and microseconds: three short strings,
 * which V8 copies (a longer capture is a slice of the frame, slower to
 * read and compare). Any other form goes to `JSON.parse`.
 */
const TIME = String.raw`"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{6})Z"`;
/** One l2update change, `["buy"|"sell","price","size"]` (non-empty decimals). */
const CHANGE = `\\["(?:buy|sell)","${TEXT}+","${TEXT}+"\\]`;

/** The anchored expression of a frame: `type`, then `members` in this order. */
function layout(type: string, members: readonly string[]): RegExp {
  let source = String.raw`^\{"type":"${type}"`;
  for (let i = 0; i < members.length; i += 2) {
    source += `,"${members[i]}":${members[i + 1]}`;
  }
  return new RegExp(`${source}\\}$`);
}

/**
 * The documentation example's order. Captures: trade_id, time (three),
 * product_id, size, price, side (empty for `buy`).
 */
const MATCH_LAYOUT = layout("(?:last_)?match", [
  "trade_id",
  INTEGER,
  "sequence",
  IGNORED_NUMBER,
  "maker_order_id",
  IGNORED,
  "taker_order_id",
  IGNORED,
  "time",
  TIME,
  "product_id",
  STRING,
  "size",
  STRING,
  "price",
  STRING,
  "side",
  SIDE,
]);

/**
 * The same members in the live feed's order (a captured frame; the
 * documentation's example has the other). Captures: trade_id, side (empty
 * for `buy`), size, price, product_id, time (three).
 */
const WIRE_MATCH_LAYOUT = layout("(?:last_)?match", [
  "trade_id",
  INTEGER,
  "maker_order_id",
  IGNORED,
  "taker_order_id",
  IGNORED,
  "side",
  SIDE,
  "size",
  STRING,
  "price",
  STRING,
  "product_id",
  STRING,
  "sequence",
  IGNORED_NUMBER,
  "time",
  TIME,
]);

/**
 * Captures: sequence, product_id, price, open_24h, volume_24h, low_24h,
 * high_24h, volume_30d, best_bid, best_bid_size, best_ask, best_ask_size,
 * time (three), trade_id, last_size.
 */
const TICKER_LAYOUT = layout("ticker(?:_batch)?", [
  "sequence",
  INTEGER,
  "product_id",
  STRING,
  "price",
  STRING,
  "open_24h",
  STRING,
  "volume_24h",
  STRING,
  "low_24h",
  STRING,
  "high_24h",
  STRING,
  "volume_30d",
  STRING,
  "best_bid",
  STRING,
  "best_bid_size",
  STRING,
  "best_ask",
  STRING,
  "best_ask_size",
  STRING,
  "side",
  IGNORED,
  "time",
  TIME,
  "trade_id",
  INTEGER,
  "last_size",
  STRING,
]);

/** Captures: product_id, time (the changes are read by {@link JsonScan}). */
const L2UPDATE_LAYOUT = layout("l2update", [
  "product_id",
  STRING,
  "changes",
  `\\[(?:${CHANGE}(?:,${CHANGE})*)?\\]`,
  "time",
  STRING,
]);

/** Length of `{"type":"l2update","product_id":"`, where the product starts. */
const L2UPDATE_PRODUCT_AT = 33;
/** Length of `","changes":` between the product and its changes. */
const L2UPDATE_CHANGES_GAP = 12;

/** A `match` or `last_match` read by the fast path, fields named as on the wire. */
export type ScannedMatch = {
  kind: typeof MATCH;
  product_id: string;
  trade_id: number;
  /** The text of `trade_id`: `String` of its value. */
  tradeIdText: string;
  price: string;
  size: string;
  side: string;
  /** The `time` in parts: see {@link ScannedTicker.date}. */
  date: string;
  timeOfDay: string;
  micros: string;
};

/** A `ticker` or `ticker_batch` read by the fast path, fields named as on the wire. */
export type ScannedTicker = {
  kind: typeof TICKER;
  product_id: string;
  sequence: number;
  /** The texts of `sequence` and `trade_id`: `String` of their values. */
  sequenceText: string;
  tradeIdText: string;
  price: string;
  best_bid: string;
  best_bid_size: string;
  best_ask: string;
  best_ask_size: string;
  volume_24h: string;
  open_24h: string;
  high_24h: string;
  low_24h: string;
  volume_30d: string;
  last_size: string;
  /**
   * The `time` in parts: `2014-11-07`, `08:19:27` and `028459` for
   * `2014-11-07T08:19:27.028459Z` (see `IsoClock.parseParts`).
   */
  date: string;
  timeOfDay: string;
  micros: string;
};

/** An `l2update` read by the fast path: its changes sorted by side. */
export type ScannedL2Update = {
  kind: typeof L2UPDATE;
  product_id: string;
  time: string;
  /** The `buy` and `sell` levels of its `changes`. */
  bids: BookLevel[];
  asks: BookLevel[];
};

/** What {@link CoinbaseScan.read} gives for a frame it reads. */
export type Scanned = ScannedMatch | ScannedTicker | ScannedL2Update;

/**
 * The fast reader, one per parser, reused frame after frame.
 * {@link CoinbaseScan.read} gives each frame it reads as a fresh object:
 * filling a young object costs no write barrier, where storing a frame's
 * fresh strings into a long-lived reader costs one each.
 *
 * @example Usage
 * ```ts
 * const scan = new CoinbaseScan();
 * const f = scan.read(frame);
 * if (f?.kind === MATCH) console.log(f.trade_id, f.price);
 * ```
 */
export class CoinbaseScan {
  readonly #levels = new JsonScan();

  /**
   * Reads `frame`: its fields when it has the layout of a match, a ticker
   * or an l2update, `undefined` otherwise.
   */
  read(frame: string): Scanned | undefined {
    // `{"type":"` is 9 characters; the type's first one picks the layout.
    const c = frame.charCodeAt(9);
    if (c === 109 || c === 108) { // m, l
      const w = WIRE_MATCH_LAYOUT.exec(frame);
      if (w !== null) {
        const id = w[1]!;
        return {
          kind: MATCH,
          product_id: w[5]!,
          trade_id: digitsValue(id),
          tradeIdText: id,
          price: w[4]!,
          size: w[3]!,
          side: w[2] === undefined ? "sell" : "buy",
          date: w[6]!,
          timeOfDay: w[7]!,
          micros: w[8]!,
        };
      }
      const m = MATCH_LAYOUT.exec(frame);
      if (m !== null) {
        const id = m[1]!;
        return {
          kind: MATCH,
          product_id: m[5]!,
          trade_id: digitsValue(id),
          tradeIdText: id,
          price: m[7]!,
          size: m[6]!,
          side: m[8] === undefined ? "sell" : "buy",
          date: m[2]!,
          timeOfDay: m[3]!,
          micros: m[4]!,
        };
      }
      if (c === 108) return this.#l2update(frame);
    } else if (c === 116) { // t
      const m = TICKER_LAYOUT.exec(frame);
      if (m !== null) {
        const seq = m[1]!;
        return {
          kind: TICKER,
          product_id: m[2]!,
          sequence: digitsValue(seq),
          sequenceText: seq,
          tradeIdText: m[16]!,
          price: m[3]!,
          best_bid: m[9]!,
          best_bid_size: m[10]!,
          best_ask: m[11]!,
          best_ask_size: m[12]!,
          volume_24h: m[5]!,
          open_24h: m[4]!,
          high_24h: m[7]!,
          low_24h: m[6]!,
          volume_30d: m[8]!,
          last_size: m[17]!,
          date: m[13]!,
          timeOfDay: m[14]!,
          micros: m[15]!,
        };
      }
    }
    return undefined;
  }

  /** An l2update: its layout checked, then its changes sorted by side. */
  #l2update(frame: string): ScannedL2Update | undefined {
    const m = L2UPDATE_LAYOUT.exec(frame);
    if (m === null) return undefined;
    const product = m[1]!;
    const s = this.#levels;
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    s.begin(frame);
    s.pos = L2UPDATE_PRODUCT_AT + product.length + L2UPDATE_CHANGES_GAP;
    if (s.openItems()) {
      do {
        s.openArray();
        const side = s.string();
        s.char(44); // ,
        const price = s.string();
        s.char(44);
        const size = s.string();
        s.char(93); // ]
        if (side === "buy") bids.push([price, size]);
        else asks.push([price, size]);
      } while (s.moreItems());
    }
    // The layout guarantees these reads; refuse anyway if one failed.
    if (s.failed) return undefined;
    return { kind: L2UPDATE, product_id: product, time: m[2]!, bids, asks };
  }
}
