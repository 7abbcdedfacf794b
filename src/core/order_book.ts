/**
 * A local price-level order book built from snapshot and delta book events.
 * Levels are keyed by numeric price (venues spell the same price differently:
 * `"10101.10"` in a snapshot, `"10101.10000000"` in an update) and keep the
 * venue's strings for output.
 *
 * @module
 */

import type { BookLevel } from "./events.ts";

/** One side of the book: prices kept sorted best-first. */
class BookSide {
  readonly #levels = new Map<number, BookLevel>();
  /** Best first: descending for bids, ascending for asks. */
  readonly #prices: number[] = [];
  readonly #desc: boolean;

  constructor(desc: boolean) {
    this.#desc = desc;
  }

  /** Index where `p` is or would be inserted. */
  #search(p: number): number {
    const a = this.#prices;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const v = a[mid]!;
      if (this.#desc ? v > p : v < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sets a level; size zero removes it. */
  apply(level: BookLevel): void {
    const p = Number(level[0]);
    if (!Number.isFinite(p)) return;
    const remove = Number(level[1]) === 0;
    if (this.#levels.has(p)) {
      if (remove) {
        this.#levels.delete(p);
        this.#prices.splice(this.#search(p), 1);
      } else {
        this.#levels.set(p, level);
      }
    } else if (!remove) {
      this.#levels.set(p, level);
      this.#prices.splice(this.#search(p), 0, p);
    }
  }

  clear(): void {
    this.#levels.clear();
    this.#prices.length = 0;
  }

  /** The best level, if any. */
  best(): BookLevel | undefined {
    const p = this.#prices[0];
    return p === undefined ? undefined : this.#levels.get(p);
  }

  /** The best `n` levels. */
  top(n: number): BookLevel[] {
    return this.#prices.slice(0, n).map((p) => this.#levels.get(p)!);
  }

  get size(): number {
    return this.#prices.length;
  }
}

/**
 * Bids and asks for one symbol.
 *
 * @example Usage
 * ```ts
 * const book = new OrderBook();
 * book.apply("snapshot", [["100.1", "2"]], [["100.2", "1"]]);
 * book.bestBid(); // ["100.1", "2"]
 * ```
 */
export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);

  /** Applies a snapshot (replacing everything) or a delta. */
  apply(
    type: "snapshot" | "delta",
    bids: readonly BookLevel[],
    asks: readonly BookLevel[],
  ): void {
    if (type === "snapshot") {
      this.bids.clear();
      this.asks.clear();
    }
    for (const l of bids) this.bids.apply(l);
    for (const l of asks) this.asks.apply(l);
  }

  bestBid(): BookLevel | undefined {
    return this.bids.best();
  }

  bestAsk(): BookLevel | undefined {
    return this.asks.best();
  }

  /** True when the best bid is at or above the best ask. */
  crossed(): boolean {
    const b = this.bids.best();
    const a = this.asks.best();
    return b !== undefined && a !== undefined && Number(b[0]) >= Number(a[0]);
  }
}
