/**
 * Named diff-depth accumulators of one simulated Binance symbol: each feed
 * collects the latest quantity of every level changed since its previous
 * drain, and covers a contiguous range of book update ids, so consecutive
 * events satisfy `U == previous u + 1`.
 *
 * @module
 */
import type { Level } from "./binance_payloads.ts";

/** Book changes of update ids `U`..`u`, latest quantity per level. */
export interface BookDiff {
  U: number;
  u: number;
  b: Level[];
  a: Level[];
}

interface Feed {
  from: number;
  bids: Map<number, number>;
  asks: Map<number, number>;
}

/**
 * The feeds of one book, keyed by name (the simulator uses stream names).
 *
 * @example Usage
 * ```ts
 * const feeds = new DepthFeeds();
 * feeds.open("btcusdt@depth", 101); // the book is at update id 100
 * feeds.record(true, 6_000_000, 5); // update 101 set a bid level
 * feeds.drain("btcusdt@depth", 101, (p, q) => [String(p), String(q)]);
 * // { U: 101, u: 101, b: [["6000000", "5"]], a: [] }
 * ```
 */
export class DepthFeeds {
  #feeds = new Map<string, Feed>();

  /** Whether `name` is open. */
  has(name: string): boolean {
    return this.#feeds.has(name);
  }

  /** Starts (or restarts) `name` at update id `from`. */
  open(name: string, from: number): void {
    this.#feeds.set(name, { from, bids: new Map(), asks: new Map() });
  }

  /** Stops accumulating for `name`. */
  close(name: string): void {
    this.#feeds.delete(name);
  }

  /** Records a level change (quantity 0 = removed) in every open feed. */
  record(bid: boolean, price: number, qty: number): void {
    for (const f of this.#feeds.values()) {
      (bid ? f.bids : f.asks).set(price, qty);
    }
  }

  /**
   * The changes of `name` since its previous drain, up to update id
   * `updateId` (bids descending, asks ascending), or null when no update id
   * was used since (or the feed is not open).
   */
  drain(
    name: string,
    updateId: number,
    render: (price: number, qty: number) => Level,
  ): BookDiff | null {
    const f = this.#feeds.get(name);
    if (!f || updateId < f.from) return null;
    const levels = (map: Map<number, number>, dir: number): Level[] =>
      [...map].sort((x, y) => dir * (x[0] - y[0])).map(([p, q]) =>
        render(p, q)
      );
    const diff = {
      U: f.from,
      u: updateId,
      b: levels(f.bids, -1),
      a: levels(f.asks, 1),
    };
    f.from = updateId + 1;
    f.bids.clear();
    f.asks.clear();
    return diff;
  }
}
