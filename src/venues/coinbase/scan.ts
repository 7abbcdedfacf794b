/**
 * The Coinbase parser's fast path: reads the hot frames (`match`,
 * `last_match`, `ticker`, `ticker_batch`, `l2update`) without `JSON.parse`
 * when they have exactly the layout Coinbase's serializer gives them.
 *
 * Each layout is one anchored regular expression: the keys in Coinbase's
 * order, strings without escapes or raw control characters (so their text
 * is their value), numbers by JSON's grammar. A frame that matches is valid
 * JSON with exactly these members, and the captured texts are the values
 * `JSON.parse` would give, so {@link CoinbaseScan.read} keeps them in
 * fields named as on the wire and the parser runs the very same checks on
 * them as on a decoded frame. Any other frame (other key order, a missing,
 * extra or duplicate key, whitespace, an escape, a value of another JSON
 * type) is refused, and the parser decodes it with `JSON.parse`.
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

/** {@link CoinbaseScan.read}: the frame is not for the fast path. */
export const REFUSED = 0;
/** {@link CoinbaseScan.read}: a `match` or `last_match` frame. */
export const MATCH = 1;
/** {@link CoinbaseScan.read}: a `ticker` or `ticker_batch` frame. */
export const TICKER = 2;
/** {@link CoinbaseScan.read}: an `l2update` frame. */
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
 * product_id, size, price, side.
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
  STRING,
]);

/**
 * The same members in the live feed's order (a captured frame; the
 * documentation's example has the other). Captures: trade_id, side, size,
 * price, product_id, time (three).
 */
const WIRE_MATCH_LAYOUT = layout("(?:last_)?match", [
  "trade_id",
  INTEGER,
  "maker_order_id",
  IGNORED,
  "taker_order_id",
  IGNORED,
  "side",
  STRING,
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

/**
 * The fast reader, one per parser, reused frame after frame. When
 * {@link CoinbaseScan.read} returns a kind, the fields the parser reads
 * for that kind hold this frame's values; the others are left as they
 * were (a match: product_id, trade_id, the time's parts, price, size, side; a ticker:
 * those but side and size, plus sequence, the best bid and ask with their
 * sizes, the 24h and 30d figures and last_size; an l2update: product_id,
 * time (whole), bids, asks).
 *
 * @example Usage
 * ```ts
 * const scan = new CoinbaseScan();
 * if (scan.read(frame) === MATCH) console.log(scan.trade_id, scan.price);
 * ```
 */
export class CoinbaseScan {
  readonly #levels = new JsonScan();
  /** The fields of match, ticker and l2update frames, named as on the wire. */
  product_id = "";
  trade_id = 0;
  sequence = 0;
  /** The texts of `trade_id` and `sequence`: `String` of their values. */
  tradeIdText = "";
  sequenceText = "";
  price = "";
  size = "";
  side = "";
  time = "";
  /**
   * The `time` of a match or ticker in parts: `2014-11-07`, `08:19:27` and
   * `028459` for `2014-11-07T08:19:27.028459Z` (see `IsoClock.parseParts`).
   */
  date = "";
  timeOfDay = "";
  micros = "";
  best_bid = "";
  best_bid_size = "";
  best_ask = "";
  best_ask_size = "";
  volume_24h = "";
  open_24h = "";
  high_24h = "";
  low_24h = "";
  volume_30d = "";
  last_size = "";
  /** The `buy` and `sell` levels of an l2update's `changes`. */
  bids: BookLevel[] = [];
  asks: BookLevel[] = [];

  /**
   * Reads `frame`: {@link MATCH}, {@link TICKER} or {@link L2UPDATE} when
   * it has that kind's layout, {@link REFUSED} otherwise.
   */
  read(frame: string): number {
    // `{"type":"` is 9 characters; the type's first one picks the layout.
    const c = frame.charCodeAt(9);
    if (c === 109 || c === 108) { // m, l
      const w = WIRE_MATCH_LAYOUT.exec(frame);
      if (w !== null) {
        this.trade_id = digitsValue(this.tradeIdText = w[1]!);
        this.side = w[2]!;
        this.size = w[3]!;
        this.price = w[4]!;
        this.product_id = w[5]!;
        this.date = w[6]!;
        this.timeOfDay = w[7]!;
        this.micros = w[8]!;
        return MATCH;
      }
      const m = MATCH_LAYOUT.exec(frame);
      if (m !== null) {
        this.trade_id = digitsValue(this.tradeIdText = m[1]!);
        this.date = m[2]!;
        this.timeOfDay = m[3]!;
        this.micros = m[4]!;
        this.product_id = m[5]!;
        this.size = m[6]!;
        this.price = m[7]!;
        this.side = m[8]!;
        return MATCH;
      }
      if (c === 108) return this.#l2update(frame);
    } else if (c === 116) { // t
      const m = TICKER_LAYOUT.exec(frame);
      if (m !== null) {
        this.sequence = digitsValue(this.sequenceText = m[1]!);
        this.product_id = m[2]!;
        this.price = m[3]!;
        this.open_24h = m[4]!;
        this.volume_24h = m[5]!;
        this.low_24h = m[6]!;
        this.high_24h = m[7]!;
        this.volume_30d = m[8]!;
        this.best_bid = m[9]!;
        this.best_bid_size = m[10]!;
        this.best_ask = m[11]!;
        this.best_ask_size = m[12]!;
        this.date = m[13]!;
        this.timeOfDay = m[14]!;
        this.micros = m[15]!;
        this.trade_id = digitsValue(this.tradeIdText = m[16]!);
        this.last_size = m[17]!;
        return TICKER;
      }
    }
    return REFUSED;
  }

  /** An l2update: its layout checked, then its changes sorted by side. */
  #l2update(frame: string): number {
    const m = L2UPDATE_LAYOUT.exec(frame);
    if (m === null) return REFUSED;
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
    if (s.failed) return REFUSED;
    this.product_id = product;
    this.time = m[2]!;
    this.bids = bids;
    this.asks = asks;
    return L2UPDATE;
  }
}
