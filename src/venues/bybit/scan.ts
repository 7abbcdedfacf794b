/**
 * The Bybit parser's fast path: `publicTrade.<SYM>` and `orderbook.<N>.<SYM>`
 * frames read with {@link JsonScan} instead of `JSON.parse`. A frame is read
 * whole into this reader's fields (in any key order, the last of duplicate
 * keys winning as with `JSON.parse`) before the parser touches any state;
 * whatever the reader does not accept exactly (escapes, whitespace, control
 * characters, a field of an unexpected type, a trade or level the JSON.parse
 * path would refuse or copy, any other topic) leaves the frame to the
 * JSON.parse path, which then decides its outcome as it always did.
 *
 * @module
 */

import type { BookLevel, NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { JsonScan } from "../json_scan.ts";
import { BOOK_DELTA, BOOK_OTHER, BOOK_SNAPSHOT } from "./parse_book.ts";
import { acceptTrade } from "./parse_market.ts";
import type { TopicState } from "./topic_state.ts";

/** {@link BybitScan.frame}: the frame is left to the JSON.parse path. */
export const SCAN_NONE = 0;
/** {@link BybitScan.frame}: a `publicTrade` frame, its trades read. */
export const SCAN_TRADES = 1;
/** {@link BybitScan.frame}: an `orderbook` frame, its book fields read. */
export const SCAN_BOOK = 2;

const OPEN_BRACKET = 91;
const OPEN_BRACE = 123;

/**
 * Reads one frame's fields; one per parser, reused. After
 * {@link BybitScan.frame} returns {@link SCAN_TRADES} the first
 * {@link BybitScan.count} entries of the trade columns hold the frame's
 * trades, each complete and well-typed; after {@link SCAN_BOOK} the book
 * fields hold the frame's `type`, `ts`, `u`, `seq`, `b` and `a`.
 *
 * @example Usage
 * ```ts
 * const scan = new BybitScan();
 * if (scan.frame(frame) === SCAN_BOOK) console.log(scan.topic, scan.u, scan.bids);
 * ```
 */
export class BybitScan {
  /** The frame's topic. */
  topic = "";
  /** `type`: {@link BOOK_SNAPSHOT}, {@link BOOK_DELTA} or {@link BOOK_OTHER}. */
  type = BOOK_OTHER;
  /** `ts`, when {@link BybitScan.hasTs}. */
  ts = 0;
  /** Whether the frame has a (numeric) `ts`. */
  hasTs = false;
  /** Book: `data.u`, `data.seq` (-1 when absent), `data.b` and `data.a`. */
  u = 0;
  seq = -1;
  bids: BookLevel[] | undefined = undefined;
  asks: BookLevel[] | undefined = undefined;
  /** Trades: how many, then one column per field (reused frame after frame). */
  count = 0;
  readonly ids: string[] = [];
  readonly times: number[] = [];
  readonly seqs: number[] = [];
  readonly prices: string[] = [];
  readonly sizes: string[] = [];
  readonly buys: boolean[] = [];
  readonly #s = new JsonScan();

  /**
   * Reads `text` whole: {@link SCAN_TRADES} or {@link SCAN_BOOK} when it is
   * a frame of that kind the reader accepts in full, {@link SCAN_NONE}
   * otherwise (the fields are then meaningless).
   */
  frame(text: string): number {
    const s = this.#s;
    if (!s.begin(text) || !s.open()) return SCAN_NONE;
    let want = SCAN_NONE;
    let got = SCAN_NONE;
    this.type = BOOK_OTHER;
    this.hasTs = false;
    do {
      if (!s.key()) return SCAN_NONE;
      const n = s.keyLength;
      if (n === 5 && s.isKey("topic")) {
        want = this.#topic(s);
        if (want === SCAN_NONE) return SCAN_NONE;
      } else if (n === 4 && s.isKey("data")) {
        const c = s.text.charCodeAt(s.pos);
        got = c === OPEN_BRACKET
          ? this.#trades(s)
          : c === OPEN_BRACE
          ? this.#book(s)
          : SCAN_NONE;
        if (got === SCAN_NONE) return SCAN_NONE;
      } else if (n === 4 && s.isKey("type")) {
        this.type = bookType(s);
      } else if (n === 2 && s.isKey("ts")) {
        this.ts = s.number();
        this.hasTs = true;
      } else if (!s.skip()) return SCAN_NONE;
    } while (s.more());
    return s.finish() && got === want ? got : SCAN_NONE;
  }

  /** The topic, when it is a public trade or book topic (else none). */
  #topic(s: JsonScan): number {
    const t = s.text;
    const at = s.pos + 1;
    const kind = t.startsWith("publicTrade.", at)
      ? SCAN_TRADES
      : t.startsWith("orderbook.", at)
      ? SCAN_BOOK
      : SCAN_NONE;
    if (kind !== SCAN_NONE) this.topic = s.string();
    return s.failed ? SCAN_NONE : kind;
  }

  /** `data` of a trade frame: every trade complete and well-typed. */
  #trades(s: JsonScan): number {
    this.count = 0;
    if (!s.openItems()) return s.failed ? SCAN_NONE : SCAN_TRADES;
    do {
      if (!this.#trade(s, this.count)) return SCAN_NONE;
      this.count++;
    } while (s.moreItems());
    return s.failed ? SCAN_NONE : SCAN_TRADES;
  }

  /** One trade into row `k` of the columns; false when not accepted. */
  #trade(s: JsonScan, k: number): boolean {
    if (!s.open()) return false;
    let id = "";
    let hasId = false;
    let time = 0;
    let hasTime = false;
    let seq = 0;
    let hasSeq = false;
    let price = "";
    let size = "";
    let side = 0; // 1 Buy, 2 Sell
    do {
      const c = s.memberKey();
      if (c < 0) return false;
      if (c === 84) { // T
        time = s.number();
        hasTime = true;
      } else if (c === 105) { // i
        id = s.string();
        hasId = true;
      } else if (c === 112) price = s.string(); // p
      else if (c === 118) size = s.string(); // v
      else if (c === 83) { // S
        side = s.stringIs("Buy") ? 1 : s.stringIs("Sell") ? 2 : 0;
        if (side === 0) return false;
      } else if (c === 0 && s.isKey("seq")) {
        seq = s.number();
        hasSeq = true;
      } else if (!s.skip()) return false;
    } while (s.more());
    if (
      s.failed || !hasId || !hasTime || price === "" || size === "" ||
      side === 0
    ) return false;
    this.ids[k] = id;
    this.times[k] = time;
    this.seqs[k] = hasSeq ? seq : time;
    this.prices[k] = price;
    this.sizes[k] = size;
    this.buys[k] = side === 1;
    return true;
  }

  /** `data` of a book frame: `u`, `b` and `a` present, each well-typed. */
  #book(s: JsonScan): number {
    let hasU = false;
    this.seq = -1;
    this.bids = undefined;
    this.asks = undefined;
    if (!s.open()) return SCAN_NONE;
    do {
      const c = s.memberKey();
      if (c < 0) return SCAN_NONE;
      if (c === 98) this.bids = s.levels(); // b
      else if (c === 97) this.asks = s.levels(); // a
      else if (c === 117) { // u
        this.u = s.number();
        hasU = true;
      } else if (c === 0 && s.isKey("seq")) this.seq = s.number();
      else if (!s.skip()) return SCAN_NONE;
    } while (s.more());
    return s.failed || !hasU || this.bids === undefined ||
        this.asks === undefined
      ? SCAN_NONE
      : SCAN_BOOK;
  }
}

/**
 * Emits the trades of a frame {@link BybitScan.frame} read as
 * {@link SCAN_TRADES}, as the JSON.parse path does for the same frame.
 */
export function scannedTrades(
  st: TopicState,
  scan: BybitScan,
  receivedTs: number,
  out: NormalizedEvent[],
  stats: VenueStats,
): FrameOutcome {
  for (let k = 0; k < scan.count; k++) {
    acceptTrade(
      st,
      scan.ids[k]!,
      scan.times[k]!,
      scan.seqs[k]!,
      scan.prices[k]!,
      scan.sizes[k]!,
      scan.buys[k]!,
      receivedTs,
      out,
      stats,
    );
  }
  return "ok";
}

/** A `type` string as a book type code; any other value fails the read. */
function bookType(s: JsonScan): number {
  if (s.stringIs("delta")) return BOOK_DELTA;
  if (s.stringIs("snapshot")) return BOOK_SNAPSHOT;
  s.string();
  return BOOK_OTHER;
}
