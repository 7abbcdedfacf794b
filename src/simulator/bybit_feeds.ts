/**
 * Per-topic push state of the Bybit simulator, shared by all subscribers of
 * a topic: the order book topics (`u`, `seq`, the last pushed top-N view,
 * snapshot then deltas, level-1 snapshot-only with the same-`u` re-push
 * after 3 s, restart snapshots with `u=1`) and the ticker topics (spot
 * snapshot-only; linear/inverse snapshot then deltas of changed fields).
 * Every method returns the frame text to send; the caller fans it out.
 *
 * @module
 */
import type { BookLevel } from "./bybit_book.ts";
import type { SymbolMarket, TickerData } from "./bybit_market.ts";
import type { BookDepth } from "./bybit_topics.ts";

/** An order book as a client holds it: price-ordered `[price, size]` strings. */
export interface BybitBookView {
  u: number;
  seq: number;
  /** Bids, highest first. */
  bids: [string, string][];
  /** Asks, lowest first. */
  asks: [string, string][];
}

/** Level 1 is re-pushed with the same `u` after this long without change. */
export const LEVEL1_REPUSH_MS = 3000;

/**
 * One `orderbook.{depth}.{symbol}` topic.
 *
 * @example Usage
 * ```ts ignore
 * const feed = new OrderbookFeed("orderbook.50.BTCUSDT", 50, market, 1000);
 * ws.send(feed.refresh(now)); // first subscriber: a snapshot at u + 1
 * const frame = feed.push(now); // each tick: a delta, or null when unchanged
 * ```
 */
export class OrderbookFeed {
  /** The topic name. */
  readonly topic: string;
  /** The depth N of the top-N view. */
  readonly depth: BookDepth;
  /** Update id of the latest push. */
  u: number;
  #market: SymbolMarket;
  #seq: number;
  #cts: number;
  #bids: BookLevel[] = [];
  #asks: BookLevel[] = [];
  #pushedAt = -Infinity;
  #reset = false;

  /** @param u the update id before the first push */
  constructor(
    topic: string,
    depth: BookDepth,
    market: SymbolMarket,
    u: number,
  ) {
    this.topic = topic;
    this.depth = depth;
    this.#market = market;
    this.u = u;
    this.#seq = market.seq;
    this.#cts = market.cts;
  }

  /** The book as a client that applied every push holds it. */
  view(): BybitBookView {
    const m = this.#market;
    const render = (l: BookLevel): [string, string] => [
      m.price(l.price),
      m.qty(l.qty),
    ];
    return {
      u: this.u,
      seq: this.#seq,
      bids: this.#bids.map(render),
      asks: this.#asks.map(render),
    };
  }

  /** Makes the next push a snapshot with `u=1` (a simulated service restart). */
  reset(): void {
    this.#reset = true;
  }

  /** The last pushed view as a snapshot, for a subscriber joining others. */
  snapshot(nowMs: number): string {
    return this.#frame("snapshot", this.#bids, this.#asks, nowMs);
  }

  /** A push of the current view as a snapshot (for a first subscriber). */
  refresh(nowMs: number): string {
    this.#take(nowMs);
    return this.snapshot(nowMs);
  }

  /**
   * The tick's push: a restart snapshot, a level-1 snapshot (when changed,
   * or again with the same `u` after {@link LEVEL1_REPUSH_MS}), a delta of
   * the changed levels; null when there is nothing to push.
   */
  push(nowMs: number): string | null {
    if (this.#reset) return this.refresh(nowMs);
    const { bids, asks } = this.#market.book.view(this.depth);
    const changes = {
      b: diff(this.#bids, bids, (x, y) => y - x),
      a: diff(this.#asks, asks, (x, y) => x - y),
    };
    const changed = changes.b.length + changes.a.length > 0;
    if (this.depth === 1) {
      if (changed) return this.refresh(nowMs);
      if (nowMs - this.#pushedAt < LEVEL1_REPUSH_MS) return null;
      this.#pushedAt = nowMs;
      return this.snapshot(nowMs);
    }
    if (!changed) return null;
    this.#take(nowMs, bids, asks);
    return this.#frame("delta", changes.b, changes.a, nowMs);
  }

  #take(
    nowMs: number,
    bids?: BookLevel[],
    asks?: BookLevel[],
  ): void {
    const view = bids && asks
      ? { bids, asks }
      : this.#market.book.view(this.depth);
    this.u = this.#reset ? 1 : this.u + 1;
    this.#reset = false;
    this.#bids = view.bids;
    this.#asks = view.asks;
    this.#seq = this.#market.seq;
    this.#cts = this.#market.cts;
    this.#pushedAt = nowMs;
  }

  #frame(
    type: "snapshot" | "delta",
    bids: BookLevel[],
    asks: BookLevel[],
    nowMs: number,
  ): string {
    const m = this.#market;
    const side = (levels: BookLevel[]) =>
      JSON.stringify(
        levels.map((l) => [m.price(l.price), l.qty === 0 ? "0" : m.qty(l.qty)]),
      );
    const data = `{"s":"${m.spec.symbol}","b":${side(bids)},"a":${
      side(asks)
    },"u":${this.u},"seq":${this.#seq}}`;
    return `{"topic":"${this.topic}","type":"${type}","ts":${nowMs},"data":${data},"cts":${this.#cts}}`;
  }
}

/** Levels of `next` that differ from `prev`, and `prev` prices gone (size 0), sorted by `order`. */
function diff(
  prev: BookLevel[],
  next: BookLevel[],
  order: (a: number, b: number) => number,
): BookLevel[] {
  const old = new Map(prev.map((l) => [l.price, l.qty]));
  const out: BookLevel[] = [];
  for (const l of next) {
    if (old.get(l.price) !== l.qty) out.push({ price: l.price, qty: l.qty });
    old.delete(l.price);
  }
  for (const price of old.keys()) out.push({ price, qty: 0 });
  return out.sort((x, y) => order(x.price, y.price));
}

/**
 * One `tickers.{symbol}` topic.
 *
 * @example Usage
 * ```ts ignore
 * const feed = new TickerFeed("tickers.BTCUSDT", market);
 * ws.send(feed.refresh(now)); // snapshot
 * const frame = feed.push(now); // spot: snapshot when changed; else a delta
 * ```
 */
export class TickerFeed {
  /** The topic name. */
  readonly topic: string;
  #market: SymbolMarket;
  #last: TickerData | null = null;
  #cs = 0;

  /** @param topic e.g. `tickers.BTCUSDT` */
  constructor(topic: string, market: SymbolMarket) {
    this.topic = topic;
    this.#market = market;
  }

  /** The full (merged) ticker as of the last push; null before any. */
  get merged(): TickerData | null {
    return this.#last && { ...this.#last };
  }

  /** The last pushed ticker as a snapshot, for a subscriber joining others. */
  snapshot(nowMs: number): string {
    return this.#frame("snapshot", this.#last ?? {}, nowMs);
  }

  /** A push of the current ticker as a snapshot (for a first subscriber). */
  refresh(nowMs: number): string {
    this.#last = this.#market.ticker(nowMs);
    this.#cs = this.#market.seq;
    return this.snapshot(nowMs);
  }

  /** The tick's push (spot: a snapshot; else a delta of changed fields plus `symbol`), or null when unchanged. */
  push(nowMs: number): string | null {
    const next = this.#market.ticker(nowMs);
    const last = this.#last;
    if (!last) return this.refresh(nowMs);
    const changed: TickerData = {};
    for (const [key, value] of Object.entries(next)) {
      if (last[key] !== value) changed[key] = value;
    }
    if (Object.keys(changed).length === 0) return null;
    this.#last = next;
    this.#cs = this.#market.seq;
    if (this.#market.spec.category === "spot") return this.snapshot(nowMs);
    return this.#frame(
      "delta",
      { symbol: next.symbol ?? "", ...changed },
      nowMs,
    );
  }

  #frame(type: "snapshot" | "delta", data: TickerData, nowMs: number): string {
    const body = JSON.stringify(data);
    return this.#market.spec.category === "spot"
      ? `{"topic":"${this.topic}","ts":${nowMs},"type":"${type}","cs":${this.#cs},"data":${body}}`
      : `{"topic":"${this.topic}","type":"${type}","data":${body},"cs":${this.#cs},"ts":${nowMs}}`;
  }
}
