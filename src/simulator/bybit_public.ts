/**
 * The public side of the Bybit simulator: one {@link SymbolMarket} per
 * (category, symbol), ticked on the simulator's timer whether or not anyone
 * listens, and the pushes of every topic that has subscribers
 * (`publicTrade`, `orderbook`, `tickers`, `kline`), with the truth
 * histories the tests compare against.
 *
 * - `publicTrade`: all trades of a tick (or of a {@link PublicMarkets.burst})
 *   in frames of at most 1024 trades.
 * - `orderbook` and `tickers`: see `bybit_feeds.ts`; a first subscriber gets
 *   a fresh snapshot (a push: `u` advances), a subscriber joining others the
 *   topic's last pushed state (same `u`), so every client of a topic holds
 *   the same book at the same `u`.
 * - `kline`: every tick the open candle (`confirm:false`), and once each
 *   closed candle (`confirm:true`) before the next one.
 *
 * @module
 */
import type { ConnHub } from "./bybit_hub.ts";
import {
  type BybitBookView,
  OrderbookFeed,
  TickerFeed,
} from "./bybit_feeds.ts";
import {
  KLINE_INTERVALS,
  type KlineInterval,
  type KlinePayload,
} from "./bybit_kline.ts";
import {
  type BybitTrade,
  SymbolMarket,
  type TickerData,
} from "./bybit_market.ts";
import { type BybitCategory, CATEGORIES, symbolSpec } from "./bybit_symbols.ts";
import type { BookDepth, PublicTopic } from "./bybit_topics.ts";
import { hashString, Prng } from "./prng.ts";

/** At most this many trades per `publicTrade` frame. */
export const MAX_TRADES_PER_FRAME = 1024;

/** Settings of {@link PublicMarkets}. */
export interface PublicMarketsOptions {
  symbols: Readonly<Record<BybitCategory, readonly string[]>>;
  seed: number;
  now: () => number;
  klineMinuteMs: number;
  tradesPerSecond: number;
  record: boolean;
  maxRecorded: number;
  hub: ConnHub;
}

interface Instrument {
  category: BybitCategory;
  market: SymbolMarket;
  pending: number;
  books: Map<BookDepth, OrderbookFeed>;
  ticker: TickerFeed;
  trades: BybitTrade[];
  klines: Map<KlineInterval, KlinePayload[]>;
  restarted: boolean;
}

/**
 * The markets and their topic pushes.
 *
 * @example Usage
 * ```ts ignore
 * const markets = new PublicMarkets(options);
 * setInterval(() => markets.tick(100, false), 100);
 * ```
 */
export class PublicMarkets {
  #o: PublicMarketsOptions;
  #all = new Map<string, Instrument>();

  /** @throws {RangeError} on an unsupported symbol */
  constructor(options: PublicMarketsOptions) {
    this.#o = options;
    const rng = new Prng(options.seed);
    const now = options.now();
    for (const category of CATEGORIES) {
      for (const symbol of options.symbols[category]) {
        const spec = symbolSpec(category, symbol);
        const market = new SymbolMarket(
          spec,
          options.seed,
          now,
          options.klineMinuteMs,
        );
        this.#all.set(`${category}:${symbol}`, {
          category,
          market,
          pending: rng.next(),
          books: new Map(),
          ticker: new TickerFeed(`tickers.${symbol}`, market),
          trades: [],
          klines: new Map(),
          restarted: false,
        });
      }
    }
  }

  /** The market of (category, symbol), if served. */
  market(category: BybitCategory, symbol: string): SymbolMarket | undefined {
    return this.#all.get(`${category}:${symbol}`)?.market;
  }

  /** Served symbols of `category`. */
  symbols(category: BybitCategory): string[] {
    return [...this.#all.values()]
      .filter((i) => i.category === category)
      .map((i) => i.market.spec.symbol);
  }

  /** The frame a new subscriber of `topic` gets after the ack (a snapshot), or null. */
  subscribed(
    category: BybitCategory,
    topic: PublicTopic,
    name: string,
    first: boolean,
  ): string | null {
    const inst = this.#get(category, topic.symbol);
    const now = this.#o.now();
    if (topic.kind === "orderbook") {
      const feed = this.#book(inst, topic.depth, name);
      return first ? feed.refresh(now) : feed.snapshot(now);
    }
    if (topic.kind === "tickers") {
      return first ? inst.ticker.refresh(now) : inst.ticker.snapshot(now);
    }
    return null;
  }

  /** One market tick: generation for `elapsedMs` (unless paused), then the pushes. */
  tick(elapsedMs: number, paused: boolean): void {
    const now = this.#o.now();
    const hub = this.#o.hub;
    for (const inst of this.#all.values()) {
      const { category: cat, market } = inst;
      if (paused) market.klines.advance(now);
      else {
        const due = inst.pending + this.#o.tradesPerSecond * elapsedMs / 1000;
        const count = Math.floor(due);
        inst.pending = due - count;
        this.#publishTrades(inst, market.step(count, now), now);
      }
      for (const feed of inst.books.values()) {
        const key = `${cat}|${feed.topic}`;
        const frame = hub.has(key) ? feed.push(now) : null;
        if (frame) hub.fanout(key, frame);
      }
      const tickerKey = `${cat}|${inst.ticker.topic}`;
      const frame = hub.has(tickerKey) ? inst.ticker.push(now) : null;
      if (frame) hub.fanout(tickerKey, frame);
      this.#publishKlines(inst, now);
    }
  }

  /** `n` trades in one match, pushed now in frames of at most 1024. */
  burst(category: BybitCategory, symbol: string, n: number): BybitTrade[] {
    const inst = this.#get(category, symbol);
    const now = this.#o.now();
    const trades = inst.market.burst(n, now);
    this.#publishTrades(inst, trades, now);
    return trades;
  }

  /** Simulates a service restart: the next push of every depth topic is a snapshot with `u=1`. */
  resetBook(category: BybitCategory, symbol: string): void {
    const inst = this.#get(category, symbol);
    inst.restarted = true;
    for (const feed of inst.books.values()) feed.reset();
  }

  /** Every trade pushed to at least one client. */
  trades(category: BybitCategory, symbol: string): readonly BybitTrade[] {
    return this.#all.get(`${category}:${symbol}`)?.trades ?? [];
  }

  /** The book of a depth topic as its clients hold it; undefined before its first push. */
  book(
    category: BybitCategory,
    symbol: string,
    depth: BookDepth,
  ): BybitBookView | undefined {
    return this.#all.get(`${category}:${symbol}`)?.books.get(depth)?.view();
  }

  /** The merged ticker as of the last push; undefined before any. */
  ticker(category: BybitCategory, symbol: string): TickerData | undefined {
    return this.#all.get(`${category}:${symbol}`)?.ticker.merged ?? undefined;
  }

  /** Every kline payload pushed for (category, symbol, interval). */
  klines(
    category: BybitCategory,
    symbol: string,
    interval: KlineInterval,
  ): readonly KlinePayload[] {
    return this.#all.get(`${category}:${symbol}`)?.klines.get(interval) ?? [];
  }

  #publishTrades(inst: Instrument, trades: BybitTrade[], now: number): void {
    const topic = `publicTrade.${inst.market.spec.symbol}`;
    const key = `${inst.category}|${topic}`;
    if (trades.length === 0 || !this.#o.hub.has(key)) return;
    for (let i = 0; i < trades.length; i += MAX_TRADES_PER_FRAME) {
      const data = JSON.stringify(trades.slice(i, i + MAX_TRADES_PER_FRAME));
      this.#o.hub.fanout(
        key,
        `{"topic":"${topic}","type":"snapshot","ts":${now},"data":${data}}`,
      );
    }
    this.#keep(inst.trades, trades);
  }

  #publishKlines(inst: Instrument, now: number): void {
    const { market, category } = inst;
    const closed = market.klines.takeClosed();
    for (const interval of KLINE_INTERVALS) {
      const topic = `kline.${interval}.${market.spec.symbol}`;
      const key = `${category}|${topic}`;
      if (!this.#o.hub.has(key)) continue;
      const payloads = closed
        .filter((c) => c.interval === interval)
        .map((c) => market.klines.render(interval, c.candle, true, now));
      payloads.push(market.klines.payload(interval, false, now));
      for (const p of payloads) {
        const data = JSON.stringify([p]);
        this.#o.hub.fanout(
          key,
          `{"topic":"${topic}","data":${data},"ts":${now},"type":"snapshot"}`,
        );
      }
      let list = inst.klines.get(interval);
      if (!list) inst.klines.set(interval, list = []);
      this.#keep(list, payloads);
    }
  }

  #book(inst: Instrument, depth: BookDepth, name: string): OrderbookFeed {
    let feed = inst.books.get(depth);
    if (!feed) {
      const seed = hashString(`${inst.category}:${name}`) ^ this.#o.seed;
      const u = inst.restarted ? 0 : new Prng(seed).int(1e6, 2e8);
      feed = new OrderbookFeed(name, depth, inst.market, u);
      inst.books.set(depth, feed);
    }
    return feed;
  }

  #get(category: BybitCategory, symbol: string): Instrument {
    const inst = this.#all.get(`${category}:${symbol}`);
    if (!inst) throw new RangeError(`Unknown ${category} symbol "${symbol}"`);
    return inst;
  }

  #keep<T>(list: T[], items: readonly T[]): void {
    if (!this.#o.record) return;
    for (const item of items) list.push(item);
    const max = this.#o.maxRecorded;
    if (list.length > max) {
      list.splice(0, list.length - max + Math.ceil(max / 4));
    }
  }
}
