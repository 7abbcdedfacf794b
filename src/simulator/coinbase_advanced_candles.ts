/**
 * Five-minute candles of one simulated Coinbase Advanced Trade product, built
 * exactly from its trades (volume in integer units of 1e-8, prices compared
 * as decimals), plus the bookkeeping of which buckets still need an update.
 *
 * @module
 */
import { compareDecimal } from "../core/decimal.ts";
import { formatSize } from "./coinbase_product.ts";

/** A candle as the `candles` channel sends it: every field a string. */
export interface Candle {
  /** Bucket start, UNIX seconds. */
  start: string;
  high: string;
  low: string;
  open: string;
  close: string;
  /** Sum of the bucket's trade sizes. */
  volume: string;
  product_id: string;
}

/** The fixed granularity of the channel, in seconds. */
export const CANDLE_SECONDS = 300;

interface Bucket {
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volumeUnits: number;
}

/** Parses a decimal size with at most 8 fraction digits into 1e-8 units. */
export function sizeUnits(size: string): number {
  const [whole = "0", fraction = ""] = size.split(".");
  if (fraction.length > 8) throw new RangeError(`size ${size} below 1e-8`);
  return Number(whole) * 1e8 + Number(fraction.padEnd(8, "0"));
}

/** The bucket start (UNIX seconds) of an epoch-millisecond time. */
export function bucketStart(timeMs: number): number {
  return Math.floor(timeMs / 1000 / CANDLE_SECONDS) * CANDLE_SECONDS;
}

/**
 * The candles of one product, oldest first; only buckets with trades exist.
 *
 * @example Usage
 * ```ts
 * const series = new CandleSeries("BTC-USD");
 * series.add(Date.UTC(2026, 0, 1), "60000.00", "0.5");
 * series.add(Date.UTC(2026, 0, 1, 0, 1), "60001.00", "0.25");
 * series.all()[0]?.volume; // "0.75000000"
 * ```
 */
export class CandleSeries {
  readonly productId: string;
  #buckets: Bucket[] = [];
  #lastSent = -1; // index of the newest bucket sent in an update
  #changedFrom = Infinity; // lowest index changed since the last update

  constructor(productId: string) {
    this.productId = productId;
  }

  /** Adds a trade; times must not go backwards. */
  add(timeMs: number, price: string, size: string): void {
    const start = bucketStart(timeMs);
    let bucket = this.#buckets.at(-1);
    if (bucket === undefined || bucket.start < start) {
      bucket = {
        start,
        open: price,
        high: price,
        low: price,
        close: price,
        volumeUnits: 0,
      };
      this.#buckets.push(bucket);
    } else if (bucket.start > start) {
      throw new RangeError(`trade at ${timeMs} before bucket ${bucket.start}`);
    }
    if (compareDecimal(price, bucket.high) > 0) bucket.high = price;
    if (compareDecimal(price, bucket.low) < 0) bucket.low = price;
    bucket.close = price;
    bucket.volumeUnits += sizeUnits(size);
    this.#changedFrom = Math.min(this.#changedFrom, this.#buckets.length - 1);
  }

  /** Every candle so far, oldest first (the newest may still be open). */
  all(): Candle[] {
    return this.#buckets.map((b) => this.#candle(b));
  }

  /** The candle of the bucket `nowMs` falls in, or null when it has no trades. */
  current(nowMs: number): Candle | null {
    const bucket = this.#buckets.at(-1);
    return bucket?.start === bucketStart(nowMs) ? this.#candle(bucket) : null;
  }

  /**
   * The candles the next `update` messages carry, oldest first, and marks
   * them sent. With `onlyChanged` false (the once-a-second send): every
   * bucket changed since the last call (so a bucket that just ended gets
   * its final candle first), then the newest even when unchanged. With
   * `onlyChanged` true (a flush): only the changed ones.
   */
  takeUpdates(onlyChanged: boolean): Candle[] {
    const newest = this.#buckets.length - 1;
    const out: Candle[] = [];
    for (let i = Math.max(0, this.#lastSent); i <= newest; i++) {
      if (i >= this.#changedFrom || (!onlyChanged && i === newest)) {
        out.push(this.#candle(this.#buckets[i] as Bucket));
      }
    }
    if (out.length > 0) this.#lastSent = newest;
    this.#changedFrom = Infinity;
    return out;
  }

  #candle(b: Bucket): Candle {
    return {
      start: String(b.start),
      high: b.high,
      low: b.low,
      open: b.open,
      close: b.close,
      volume: formatSize(b.volumeUnits),
      product_id: this.productId,
    };
  }
}
