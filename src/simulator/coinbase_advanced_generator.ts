/**
 * The market side of the Coinbase Advanced Trade simulator: the products,
 * trade generation at a rate, and the data updates it publishes
 * (`market_trades`, `ticker`, `level2`, `candles`, `ticker_batch`). It has
 * no timers and no sockets: the simulator calls it on its clock's ticks and
 * fans the published events out.
 *
 * @module
 */
import { AdvancedProduct } from "./coinbase_advanced_market.ts";
import type { Frame } from "./coinbase_advanced_subscribe.ts";

/** Receives the update events of one channel (subscribe name) and product. */
export type PublishUpdate = (
  channel: string,
  product: string,
  events: Frame[],
) => void;

/** Options of {@link AdvancedGenerator}. */
export interface AdvancedGeneratorOptions {
  /** Product ids like `BTC-USD`. */
  products: readonly string[];
  /** Market seed. */
  seed: number;
  /** Epoch ms the market starts at. */
  startMs: number;
  /** Trades per second per product; fractions accumulate. */
  tradesPerSecond: number;
  /** Where updates go. */
  publish: PublishUpdate;
}

/** Longest time one tick catches up on, in ms. */
const MAX_TICK_MS = 1000;

/**
 * The generator.
 *
 * @example Usage
 * ```ts
 * const start = Date.UTC(2026, 0, 1);
 * const updates: string[] = [];
 * const generator = new AdvancedGenerator({
 *   products: ["BTC-USD"], seed: 1, startMs: start, tradesPerSecond: 4,
 *   publish: (channel) => updates.push(channel),
 * });
 * generator.tick(start + 250); // one trade: market_trades, ticker, level2
 * ```
 */
export class AdvancedGenerator {
  /** The products by id, in option order. */
  readonly products = new Map<string, AdvancedProduct>();
  #rate: number;
  #publish: PublishUpdate;
  #pendingTrades = new Map<string, number>();
  #batchedVersions = new Map<string, number>();
  #lastTick: number;
  #paused = false;

  /** @throws {Error} on a malformed or duplicate product id */
  constructor(options: AdvancedGeneratorOptions) {
    this.#rate = options.tradesPerSecond;
    this.#publish = options.publish;
    this.#lastTick = options.startMs;
    for (const id of options.products) {
      if (!/^[A-Z0-9]+-[A-Z0-9]+$/.test(id) || this.products.has(id)) {
        throw new Error(`Invalid or duplicate product id "${id}"`);
      }
      const product = new AdvancedProduct(id, options.seed, options.startMs);
      this.products.set(id, product);
      this.#pendingTrades.set(id, 0);
      this.#batchedVersions.set(id, product.tickerVersion);
    }
  }

  /** Whether generation is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** The product; throws on an unknown id. */
  product(id: string): AdvancedProduct {
    const product = this.products.get(id);
    if (!product) throw new Error(`Unknown product "${id}"`);
    return product;
  }

  /** Sends pending candle and batch updates, then stops everything. */
  pause(): void {
    if (this.#paused) return;
    this.sendCandles(true);
    this.sendTickerBatch();
    this.#paused = true;
  }

  /** Restarts generation; the paused time is not caught up. */
  resume(nowMs: number): void {
    this.#paused = false;
    this.#lastTick = nowMs;
  }

  /**
   * Generates the trades due since the previous tick (at most a second's
   * worth) and publishes them (newest first), the ticker and book changes.
   */
  tick(nowMs: number): void {
    const elapsed = Math.min(Math.max(0, nowMs - this.#lastTick), MAX_TICK_MS);
    this.#lastTick = nowMs;
    if (this.#paused) return;
    for (const [id, product] of this.products) {
      const due = (this.#pendingTrades.get(id) ?? 0) +
        (this.#rate * elapsed) / 1000;
      const count = Math.floor(due + 1e-9);
      this.#pendingTrades.set(id, Math.max(0, due - count));
      const { trades, levels } = product.step(count, nowMs);
      if (trades.length > 0) {
        const newestFirst = [...trades].reverse();
        this.#publish("market_trades", id, [
          { type: "update", trades: newestFirst },
        ]);
        this.#publish("ticker", id, [
          { type: "update", tickers: [product.ticker()] },
        ]);
      }
      if (levels.length > 0) {
        this.#publish("level2", id, [
          { type: "update", product_id: id, updates: levels },
        ]);
      }
    }
  }

  /**
   * Publishes candle updates, one message per candle; a bucket that just
   * ended gets its final candle before the next bucket's first. See
   * `CandleSeries.takeUpdates` for `onlyChanged`.
   */
  sendCandles(onlyChanged: boolean): void {
    if (this.#paused) return;
    for (const [id, product] of this.products) {
      for (const candle of product.candles.takeUpdates(onlyChanged)) {
        this.#publish("candles", id, [{ type: "update", candles: [candle] }]);
      }
    }
  }

  /** Publishes a `ticker_batch` update for each product that traded since the last one. */
  sendTickerBatch(): void {
    if (this.#paused) return;
    for (const [id, product] of this.products) {
      if (this.#batchedVersions.get(id) === product.tickerVersion) continue;
      this.#batchedVersions.set(id, product.tickerVersion);
      this.#publish("ticker_batch", id, [
        { type: "update", tickers: [product.batchTicker()] },
      ]);
    }
  }
}
