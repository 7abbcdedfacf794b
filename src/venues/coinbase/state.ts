/**
 * What the Coinbase parser keeps per product (trade-id and ticker-sequence
 * lines, the connection that armed heartbeat checks, book id repeats), the
 * ids and gap reports derived from it, and the decoded l2update changes.
 *
 * @module
 */

import type { BookLevel, StatusEvent } from "../../core/events.ts";
import { SequenceLine } from "../../core/sequence.ts";
import { StringTable } from "../../core/string_table.ts";
import type { SymbolCounter, VenueStats } from "../../core/stats.ts";
import { isDecimal } from "../fields.ts";
import { idRange, reportGap } from "../report.ts";

/** What the parser keeps per product, found with one lookup per frame. */
export interface ProductState {
  /**
   * The product id, one string for every event of the product: the sinks'
   * lookups by symbol then hash it once and compare it by identity.
   */
  readonly symbol: string;
  counter: SymbolCounter;
  /** Trade ids: consecutive per product, so jumps are losses. */
  trades: SequenceLine;
  /** Ticker sequences: only for dropping repeats (tickers batch, so they jump). */
  tickers: SequenceLine;
  /** The connection that delivered this product's matches, "" if none yet. */
  armedOn: string;
  /** Last l2update time (µs) and how often it repeated. */
  bookUs: number;
  bookRepeats: number;
  /** Event id prefixes `coinbase:<product>:trade:` and `…:ticker:`. */
  tradeIdPrefix: string;
  tickerIdPrefix: string;
}

/**
 * The states of every product seen, by native symbol. Kept for the venue's
 * lifetime: it spans reconnects, so the overlap after a reconnect is
 * dropped and the trades missed during it are counted.
 *
 * @example Usage
 * ```ts
 * const products = new ProductStates(new VenueStats("coinbase"));
 * products.touch("BTC-USD").trades.next(10); // 0: first trade id seen
 * ```
 */
export class ProductStates {
  /** The venue's counters (per-symbol frames, gaps). */
  readonly stats: VenueStats;
  /**
   * By product id. Not a `Map`: the fast path gives each frame's product id
   * as a fresh string, which `Map.get` would hash in the runtime.
   */
  readonly #states = new StringTable<ProductState>();
  /**
   * The product of the last frame and its state: a feed sends a product's
   * matches and ticker in a row, and comparing two short strings costs
   * less than hashing one for the map.
   */
  #lastProduct = "";
  #last: ProductState | undefined;

  constructor(stats: VenueStats) {
    this.stats = stats;
  }

  /** The state of `product` (created on first use), counting one frame for it. */
  touch(product: string): ProductState {
    let p = this.#last;
    if (p !== undefined && product === this.#lastProduct) {
      p.counter.frames++;
      return p;
    }
    p = this.#states.get(product);
    if (p === undefined) {
      p = {
        symbol: product,
        counter: this.stats.symbol(product),
        trades: new SequenceLine(),
        tickers: new SequenceLine(),
        armedOn: "",
        bookUs: 0,
        bookRepeats: 0,
        tradeIdPrefix: `coinbase:${product}:trade:`,
        tickerIdPrefix: `coinbase:${product}:ticker:`,
      };
      this.#states.set(product, p);
    }
    // The state's own string, which outlives the frame's (no young string
    // kept in this long-lived object).
    this.#lastProduct = p.symbol;
    this.#last = p;
    p.counter.frames++;
    return p;
  }

  /** `connection` (re)opened: its earlier matches no longer arm heartbeat checks. */
  disarm(connection: string): void {
    for (const p of this.#states.values()) {
      if (p.armedOn === connection) p.armedOn = "";
    }
  }
}

/**
 * Counts `missed` trades of `product` lost before trade id `before`, and
 * returns the `gap` status event that says so.
 *
 * @example Usage
 * ```ts
 * tradeGap(stats, "BTC-USD", "coinbase-0", Date.now(), 3, 104).detail;
 * // "missed 3 trades (trade_id 101..103)"
 * ```
 */
export function tradeGap(
  stats: VenueStats,
  product: string,
  connection: string,
  ts: number,
  missed: number,
  before: number,
): StatusEvent {
  const plural = missed === 1 ? "" : "s";
  return reportGap(stats, {
    venue: "coinbase",
    symbol: product,
    nativeSymbol: product,
    connection,
    ts,
    missed,
    detail: `missed ${missed} trade${plural} (trade_id ${
      idRange(before - missed, missed)
    })`,
  });
}

/**
 * The id of a book event: l2 frames carry no sequence, so it is the event
 * time in µs, with `.1`, `.2`… for repeats of the same time.
 *
 * @example Usage
 * ```ts
 * bookId(state, "BTC-USD", false, 1659626705010.758);
 * // "coinbase:BTC-USD:book:delta:1659626705010758"
 * ```
 */
export function bookId(
  p: ProductState,
  product: string,
  snapshot: boolean,
  ts: number,
): string {
  const us = Math.round(ts * 1000);
  let suffix = "";
  if (p.bookUs === us) suffix = `.${++p.bookRepeats}`;
  else {
    p.bookUs = us;
    p.bookRepeats = 0;
  }
  return `coinbase:${product}:book:${
    snapshot ? "snapshot" : "delta"
  }:${us}${suffix}`;
}

/**
 * Sorts a decoded l2update `changes` array into `bids` and `asks`; false
 * when it is not an array of `[side, price, size]` changes (`buy` or
 * `sell`, decimal strings; elements after the size are ignored).
 *
 * @example Usage
 * ```ts
 * const bids: BookLevel[] = [], asks: BookLevel[] = [];
 * sortChanges([["buy", "1.5", "2"]], bids, asks); // true; bids: [["1.5", "2"]]
 * ```
 */
export function sortChanges(
  changes: unknown,
  bids: BookLevel[],
  asks: BookLevel[],
): boolean {
  if (!Array.isArray(changes)) return false;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!Array.isArray(c) || !isDecimal(c[1]) || !isDecimal(c[2])) {
      return false;
    }
    if (c[0] === "buy") bids.push([c[1], c[2]]);
    else if (c[0] === "sell") asks.push([c[1], c[2]]);
    else return false;
  }
  return true;
}
