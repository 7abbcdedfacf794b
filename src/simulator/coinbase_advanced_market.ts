/**
 * One simulated Coinbase Advanced Trade product: a Coinbase Exchange
 * {@link ProductMarket} (book, price walk, 24 h statistics) rendered in the
 * Advanced Trade shapes: `market_trades` trades, `ticker` objects, `l2_data`
 * updates, `status` products, plus the product's trade tape and candles.
 *
 * @module
 */
import { compareDecimal } from "../core/decimal.ts";
import { parseIsoTimestamp } from "../core/time.ts";
import { CandleSeries } from "./coinbase_advanced_candles.ts";
import { FIAT, type MatchFrame, ProductMarket } from "./coinbase_product.ts";

/** A trade as `market_trades` sends it; `side` is the MAKER side. */
export interface AdvancedTrade {
  trade_id: string;
  product_id: string;
  price: string;
  size: string;
  side: "BUY" | "SELL";
  /** RFC 3339 with microseconds. */
  time: string;
}

/** One `l2_data` level: the absolute quantity at a price (`"0"` removes it). */
export interface L2Level {
  side: "bid" | "offer";
  event_time: string;
  price_level: string;
  new_quantity: string;
}

/** What one generation step produced. */
export interface AdvancedStep {
  /** The new trades, oldest first. */
  trades: AdvancedTrade[];
  /** The book levels that changed (latest quantity per level). */
  levels: L2Level[];
}

/** `event_time` of snapshot levels, as the documentation example shows it. */
export const SNAPSHOT_EVENT_TIME = "1970-01-01T00:00:00Z";
/** Trades kept per product; beyond it the oldest quarter is discarded. */
export const MAX_TAPE = 1_000_000;
const BEST_FIELDS = [
  "best_bid",
  "best_bid_quantity",
  "best_ask",
  "best_ask_quantity",
];

/**
 * The product. Driven by {@link AdvancedProduct.step}; everything else reads.
 *
 * @example Usage
 * ```ts
 * const product = new AdvancedProduct("BTC-USD", 1, Date.UTC(2026, 0, 1));
 * const { trades, levels } = product.step(2, Date.UTC(2026, 0, 1, 0, 0, 1));
 * product.ticker().price === trades[1]?.price; // true
 * ```
 */
export class AdvancedProduct {
  readonly id: string;
  /** The product's candles, built from every trade of {@link step}. */
  readonly candles: CandleSeries;
  #market: ProductMarket;
  #tape: AdvancedTrade[] = [];
  #low52: string;
  #high52: string;
  #tickerVersion = 0;

  /** @param startMs epoch ms of the (unpublished) trade the market opens with */
  constructor(id: string, seed: number, startMs: number) {
    this.id = id;
    this.candles = new CandleSeries(id);
    this.#market = new ProductMarket(id, seed, startMs * 1000);
    const first = this.#market.ticker(this.#market.last);
    const scale = 10 ** (FIAT.has(this.#market.quote) ? 2 : 5);
    const ticks = (price: string, factor: number) =>
      Math.max(1, Math.round(Number(price) * scale * factor));
    this.#low52 = this.#market.price(ticks(first.low_24h, 0.55));
    this.#high52 = this.#market.price(ticks(first.high_24h, 1.6));
  }

  /** Increments whenever the ticker changes (a trade happened). */
  get tickerVersion(): number {
    return this.#tickerVersion;
  }

  /** Every trade generated since start (up to {@link MAX_TAPE}), oldest first. */
  trades(): AdvancedTrade[] {
    return [...this.#tape];
  }

  /** The newest `count` trades, newest first. */
  recentTrades(count: number): AdvancedTrade[] {
    return this.#tape.slice(-count).reverse();
  }

  /** Generates `count` trades at `nowMs` and drains the book changes. */
  step(count: number, nowMs: number): AdvancedStep {
    const trades: AdvancedTrade[] = [];
    for (let i = 0; i < count; i++) {
      const match = this.#market.trade(this.#market.stamp(nowMs));
      const trade = this.#trade(match);
      trades.push(trade);
      this.candles.add(parseIsoTimestamp(trade.time), trade.price, trade.size);
    }
    if (trades.length > 0) {
      this.#tickerVersion++;
      const { low_24h, high_24h } = this.#market.ticker(this.#market.last);
      if (compareDecimal(low_24h, this.#low52) < 0) this.#low52 = low_24h;
      if (compareDecimal(high_24h, this.#high52) > 0) this.#high52 = high_24h;
    }
    this.#tape.push(...trades);
    if (this.#tape.length > MAX_TAPE) {
      this.#tape.splice(0, Math.ceil(MAX_TAPE / 4));
    }
    const drained = this.#market.drain();
    const levels = (drained?.changes ?? []).map(([side, price, size]) =>
      this.#level(side, price, size, drained?.time ?? SNAPSHOT_EVENT_TIME)
    );
    return { trades, levels };
  }

  /** The current `ticker` channel object (type `ticker`, with best bid/ask). */
  ticker(): Record<string, string> {
    const t = this.#market.ticker(this.#market.last);
    const [price, open] = [Number(t.price), Number(t.open_24h)];
    let change = ((price - open) / open * 100).toFixed(8);
    if (/^-0\.0+$/.test(change)) change = change.slice(1);
    return {
      type: "ticker",
      product_id: this.id,
      price: t.price,
      volume_24_h: t.volume_24h,
      low_24_h: t.low_24h,
      high_24_h: t.high_24h,
      low_52_w: this.#low52,
      high_52_w: this.#high52,
      price_percent_chg_24_h: change,
      best_bid: t.best_bid,
      best_bid_quantity: t.best_bid_size,
      best_ask: t.best_ask,
      best_ask_quantity: t.best_ask_size,
    };
  }

  /** The `ticker_batch` object: the ticker without best bid/ask. */
  batchTicker(): Record<string, string> {
    const ticker = this.ticker();
    for (const field of BEST_FIELDS) delete ticker[field];
    return ticker;
  }

  /** The current book, best first per side. */
  book(): { bids: [string, string][]; asks: [string, string][] } {
    return {
      bids: this.#market.levels("buy"),
      asks: this.#market.levels("sell"),
    };
  }

  /** The whole book as `l2_data` snapshot levels: bids, then offers. */
  snapshotLevels(): L2Level[] {
    const { bids, asks } = this.book();
    return [
      ...bids.map(([p, q]) => this.#level("buy", p, q, SNAPSHOT_EVENT_TIME)),
      ...asks.map(([p, q]) => this.#level("sell", p, q, SNAPSHOT_EVENT_TIME)),
    ];
  }

  /** The product as the `status` channel lists it. */
  status(): Record<string, string> {
    const { base, quote } = this.#market;
    return {
      product_type: "SPOT",
      id: this.id,
      base_currency: base,
      quote_currency: quote,
      base_increment: "0.00000001",
      quote_increment: this.#market.price(1),
      display_name: `${base}-${quote}`,
      status: "online",
      status_message: "",
      min_market_funds: "1",
    };
  }

  #trade(match: MatchFrame): AdvancedTrade {
    return {
      trade_id: String(match.trade_id),
      product_id: this.id,
      price: match.price,
      size: match.size,
      side: match.side === "buy" ? "BUY" : "SELL",
      time: match.time,
    };
  }

  #level(
    side: "buy" | "sell",
    price: string,
    quantity: string,
    time: string,
  ): L2Level {
    return {
      side: side === "buy" ? "bid" : "offer",
      event_time: time,
      price_level: price,
      new_quantity: /^0\.0+$/.test(quantity) ? "0" : quantity,
    };
  }
}
