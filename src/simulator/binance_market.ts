/**
 * A pure, deterministic model of a Binance Spot market (no timers, no
 * sockets) that renders the public stream payloads: per symbol a drifting
 * price, an order book with a monotonically increasing update id, trades
 * with consecutive ids and aggregate ids, diff and partial depth, klines,
 * 24 h tickers and the book ticker. Time is passed in by the caller.
 *
 * @module
 */
import { decimal, SymbolBook, type TakerSide } from "./binance_book.ts";
import { Candles } from "./binance_candles.ts";
import { type MarketSpec, usdPrice } from "./binance_assets.ts";
import type {
  AggTradePayload,
  BookTickerPayload,
  DepthSnapshot,
  DepthUpdatePayload,
  KlineInterval,
  KlinePayload,
  MiniTickerPayload,
  TickerPayload,
  TradePayload,
} from "./binance_payloads.ts";

export type { TakerSide } from "./binance_book.ts";
export type * from "./binance_payloads.ts";
export { KLINE_INTERVALS } from "./binance_payloads.ts";
export type { MarketSpec } from "./binance_assets.ts";

/** Options of {@link BinanceMarket}. */
export interface BinanceMarketOptions {
  /** The markets; native symbols are `base + quote`. */
  markets: readonly MarketSpec[];
  /** PRNG seed. @default {1} */
  seed?: number;
  /** Epoch ms the klines start at. @default {1.7e12} */
  startMs?: number;
}

/** What one generation call produced, in order. */
export interface BinanceStep {
  trades: TradePayload[];
  aggTrades: AggTradePayload[];
  /** The book ticker when the best bid or ask changed during the call. */
  bookTicker: BookTickerPayload | null;
}
/** Static facts of one symbol. */
export interface SymbolInfo {
  symbol: string;
  base: string;
  quote: string;
  status: string;
  tickSize: string;
  stepSize: string;
}

interface State {
  info: SymbolInfo;
  book: SymbolBook;
  candles: Candles;
  last: number; // last trade price, ticks
  top: number[]; // best bid/ask price and qty as last reported
}

const ZERO = "0.00000000";
const DAY_MS = 86_400_000;

/**
 * The deterministic market. The same options and call sequence (including
 * `nowMs`) give identical payloads; symbols are independent.
 *
 * @example Generate payloads without a server
 * ```ts
 * const market = new BinanceMarket({ markets: [{ base: "BTC", quote: "USDT" }] });
 * const { trades } = market.step("BTCUSDT", 3, Date.now()); // 3 trades
 * const snapshot = market.book("BTCUSDT", 5); // { lastUpdateId, bids, asks }
 * ```
 */
export class BinanceMarket {
  #symbols = new Map<string, State>();
  #trades = 0;

  /** @throws {Error} on a malformed or duplicate market */
  constructor(options: BinanceMarketOptions) {
    const startMs = options.startMs ?? 1.7e12;
    for (const m of options.markets) {
      const symbol = m.base + m.quote;
      if (!/^[A-Z0-9]+$/.test(symbol) || this.#symbols.has(symbol)) {
        throw new Error(`Invalid or duplicate market "${m.base}/${m.quote}"`);
      }
      const status = m.status ?? "TRADING";
      const book = new SymbolBook({
        symbol,
        usd: usdPrice(m.base),
        quoteUsd: usdPrice(m.quote),
        seed: options.seed ?? 1,
        empty: status !== "TRADING",
      });
      const info = {
        symbol,
        base: m.base,
        quote: m.quote,
        status,
        tickSize: decimal(1, book.priceDecimals),
        stepSize: decimal(1, book.qtyDecimals),
      };
      const last = Math.round(book.mid);
      const candles = new Candles(book, startMs);
      this.#symbols.set(symbol, { info, book, candles, last, top: [] });
      this.#top(this.#get(symbol));
    }
  }

  /** Native symbols in construction order. */
  get symbols(): string[] {
    return [...this.#symbols.keys()];
  }

  /** Trades generated since construction, over all symbols. */
  get tradesGenerated(): number {
    return this.#trades;
  }

  /** Whether `symbol` is one of the market's native symbols. */
  has(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /** Static facts of `symbol`. */
  info(symbol: string): SymbolInfo {
    return this.#get(symbol).info;
  }

  /** Last trade price of `symbol` in its quote asset, as a number. */
  lastPrice(symbol: string): number {
    const s = this.#get(symbol);
    return s.last / 10 ** s.book.priceDecimals;
  }

  /**
   * Generates exactly `count` trades (fewer only for a symbol that does not
   * trade): taker orders with a side leaning toward the fair price, each
   * preceded by 1-4 resting-order changes. Each change and each taker order
   * takes the next book update id.
   */
  step(symbol: string, count: number, nowMs: number): BinanceStep {
    const s = this.#get(symbol);
    const out: BinanceStep = { trades: [], aggTrades: [], bookTicker: null };
    while (out.trades.length < count && s.book.bids.length > 0) {
      for (let k = s.book.int(1, 4); k > 0; k--) s.book.bookEvent();
      this.#fill(s, s.book.pickSide(), count - out.trades.length, nowMs, out);
    }
    out.bookTicker = this.#top(s);
    return out;
  }

  /** One taker order of the given aggressor side, at most `maxTrades` trades. */
  taker(
    symbol: string,
    side: TakerSide,
    maxTrades: number,
    nowMs: number,
  ): BinanceStep {
    const s = this.#get(symbol);
    const out: BinanceStep = { trades: [], aggTrades: [], bookTicker: null };
    this.#fill(s, side, maxTrades, nowMs, out);
    out.bookTicker = this.#top(s);
    return out;
  }

  /** The current book: top `limit` levels per side (default all), bids descending. */
  book(symbol: string, limit = Infinity): DepthSnapshot {
    const b = this.#get(symbol).book;
    return { lastUpdateId: b.updateId, ...b.levels(limit) };
  }

  /** Starts a diff-depth feed named `feed` at the next update id. */
  openDepthFeed(symbol: string, feed: string): void {
    const b = this.#get(symbol).book;
    b.feeds.open(feed, b.updateId + 1);
  }

  /** Stops a diff-depth feed. */
  closeDepthFeed(symbol: string, feed: string): void {
    this.#get(symbol).book.feeds.close(feed);
  }

  /**
   * The `depthUpdate` for `feed`: every level changed since the previous
   * call (latest quantity, `"0"` = removed), `U` the first and `u` the last
   * update id covered, so consecutive events satisfy `U == previous u + 1`.
   * Null when nothing changed (and on the call that opens the feed).
   */
  depthUpdate(
    symbol: string,
    feed: string,
    nowMs: number,
  ): DepthUpdatePayload | null {
    const b = this.#get(symbol).book;
    if (!b.feeds.has(feed)) {
      b.feeds.open(feed, b.updateId + 1);
      return null;
    }
    const diff = b.feeds.drain(feed, b.updateId, (p, q) => [
      b.price(p),
      b.qty(q),
    ]);
    return diff && { e: "depthUpdate", E: b.stamp(nowMs), s: symbol, ...diff };
  }

  /** Kline payloads of `interval`: recently closed ones (`x` true), then the open one. */
  klines(
    symbol: string,
    interval: KlineInterval,
    nowMs: number,
  ): KlinePayload[] {
    const s = this.#get(symbol);
    return s.candles.events(interval, s.book.stamp(nowMs));
  }

  /** The book ticker now. */
  bookTicker(symbol: string): BookTickerPayload {
    const b = this.#get(symbol).book;
    const [bid, ask] = [b.bids[0], b.asks[0]];
    return {
      u: b.updateId,
      s: symbol,
      b: bid ? b.price(bid.price) : ZERO,
      B: bid ? b.qty(bid.qty) : ZERO,
      a: ask ? b.price(ask.price) : ZERO,
      A: ask ? b.qty(ask.qty) : ZERO,
    };
  }

  /** The 24 h mini ticker now. */
  miniTicker(symbol: string, nowMs: number): MiniTickerPayload {
    const t = this.ticker(symbol, nowMs);
    const { E, s, c, o, h, l, v, q } = t;
    return { e: "24hrMiniTicker", E, s, c, o, h, l, v, q };
  }

  /**
   * The 24 h ticker now. Statistics start from a synthetic 24 h history and
   * accumulate every trade since; nothing rolls out of the window.
   */
  ticker(symbol: string, nowMs: number): TickerPayload {
    const { book: b, candles, last } = this.#get(symbol);
    const d = candles.day;
    const E = b.stamp(nowMs);
    const change = last - d.o;
    const top = this.bookTicker(symbol);
    const base = d.v / 10 ** b.qtyDecimals;
    return {
      e: "24hrTicker",
      E,
      s: symbol,
      p: (change < 0 ? "-" : "") + b.price(Math.abs(change)),
      P: (change / d.o * 100).toFixed(3),
      w: (base > 0 ? d.q / base : 0).toFixed(8),
      x: b.price(d.prev),
      c: b.price(last),
      Q: b.qty(d.lastQty),
      b: top.b,
      B: top.B,
      a: top.a,
      A: top.A,
      o: b.price(d.o),
      h: b.price(d.h),
      l: b.price(d.l),
      v: b.qty(d.v),
      q: d.q.toFixed(8),
      O: E - DAY_MS,
      C: E,
      F: d.F,
      L: b.tradeId,
      n: b.tradeId - d.F + 1,
    };
  }

  #fill(
    s: State,
    side: TakerSide,
    max: number,
    nowMs: number,
    out: BinanceStep,
  ): void {
    const fill = s.book.taker(side, max, nowMs);
    if (fill.trades.length === 0) return;
    s.candles.add(fill.aggTrades, fill.raw);
    s.last = (fill.raw.at(-1) as [number, number])[0];
    this.#trades += fill.trades.length;
    out.trades.push(...fill.trades);
    out.aggTrades.push(...fill.aggTrades);
  }

  /** The book ticker if the best levels changed since the last report. */
  #top(s: State): BookTickerPayload | null {
    const [bid, ask] = [s.book.bids[0], s.book.asks[0]];
    const top = [
      bid?.price ?? 0,
      bid?.qty ?? 0,
      ask?.price ?? 0,
      ask?.qty ?? 0,
    ];
    if (top.every((x, i) => x === s.top[i])) return null;
    s.top = top;
    return this.bookTicker(s.info.symbol);
  }

  #get(symbol: string): State {
    const s = this.#symbols.get(symbol);
    if (!s) throw new Error(`Unknown symbol "${symbol}"`);
    return s;
  }
}
