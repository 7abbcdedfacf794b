/**
 * Bybit klines of one simulated symbol for every interval (`1` to `720`
 * minutes, `D`, `W`, `M`), built from its trades. One kline minute lasts
 * `minuteMs` of the clock, so tests can close 1-minute candles quickly.
 * Pure: time is passed in.
 *
 * @module
 */
import {
  type BybitKlineInterval,
  KLINE_INTERVAL_CODES,
} from "../venues/bybit/topics.ts";
import { trimmed } from "./bybit_decimal.ts";

/** Bybit's kline intervals (the venue's own list). */
export const KLINE_INTERVALS = KLINE_INTERVAL_CODES;

/** One Bybit kline interval. */
export type KlineInterval = BybitKlineInterval;

/** One element of a `kline.{interval}.{symbol}` frame's `data`. */
export interface KlinePayload {
  start: number;
  end: number;
  interval: KlineInterval;
  open: string;
  close: string;
  high: string;
  low: string;
  volume: string;
  turnover: string;
  confirm: boolean;
  timestamp: number;
}

/** How a kline renders prices, sizes and traded value. */
export interface KlineFormat {
  priceDecimals: number;
  qtyDecimals: number;
  /** Decimals of the value returned by `value`. */
  valueDecimals: number;
  /** Traded value of `qty` steps at `price` units, in 10^-valueDecimals. */
  value(price: number, qty: number): bigint;
}

interface Candle {
  start: number;
  end: number;
  open: number;
  close: number;
  high: number;
  low: number;
  volume: bigint;
  turnover: bigint;
}

/** A candle that just closed, waiting to be pushed with `confirm: true`. */
export interface ClosedKline {
  interval: KlineInterval;
  candle: Readonly<Candle>;
}

const MINUTES: Record<string, number> = { D: 1440, W: 10_080, M: 43_200 };
const MONDAY_DAYS = 4; // 1970-01-05 was the first Monday

/**
 * `[start, end]` (end = next start − 1) of the `interval` bucket holding
 * `ms`. With `minuteMs` 60000, weeks start on Monday 00:00 UTC and months
 * on the 1st; otherwise a week is 7 scaled days after a scaled Monday and
 * a month 30 scaled days.
 *
 * @example Usage
 * ```ts
 * klineBucket("5", 1_672_324_988_882, 60_000); // [1672324800000, 1672325099999]
 * klineBucket("1", 1_234, 100); // [1200, 1299]
 * ```
 */
export function klineBucket(
  interval: KlineInterval,
  ms: number,
  minuteMs: number,
): [number, number] {
  if (interval === "M" && minuteMs === 60_000) {
    const d = new Date(ms);
    const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
    return [Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1) - 1];
  }
  const len = (MINUTES[interval] ?? Number(interval)) * minuteMs;
  const offset = interval === "W" ? MONDAY_DAYS * 1440 * minuteMs : 0;
  const start = Math.floor((ms - offset) / len) * len + offset;
  return [start, start + len - 1];
}

/**
 * The open candle per interval, rolled by {@link KlineSet.advance}.
 *
 * @example Usage
 * ```ts ignore
 * const set = new KlineSet(format, 60_000, 6_500_000, Date.now());
 * set.advance(now);
 * set.add(6_500_100, 12, now);
 * set.payload("1", false, now); // the open 1-minute candle
 * ```
 */
export class KlineSet {
  #format: KlineFormat;
  #minuteMs: number;
  #open = new Map<KlineInterval, Candle>();
  #closed: ClosedKline[] = [];
  #last: number;

  /** @param startPrice price units of the first candles' open */
  constructor(
    format: KlineFormat,
    minuteMs: number,
    startPrice: number,
    nowMs: number,
  ) {
    this.#format = format;
    this.#minuteMs = minuteMs;
    this.#last = startPrice;
    for (const interval of KLINE_INTERVALS) {
      this.#open.set(interval, this.#fresh(interval, nowMs));
    }
  }

  /** Closes every candle whose bucket ended before `nowMs` (queued for {@link takeClosed}). */
  advance(nowMs: number): void {
    for (const [interval, candle] of this.#open) {
      if (nowMs <= candle.end) continue;
      this.#closed.push({ interval, candle });
      this.#open.set(interval, this.#fresh(interval, nowMs));
    }
  }

  /** Adds one trade to every open candle (call {@link advance} first). */
  add(price: number, qty: number): void {
    const value = this.#format.value(price, qty);
    for (const c of this.#open.values()) {
      c.close = price;
      c.high = Math.max(c.high, price);
      c.low = Math.min(c.low, price);
      c.volume += BigInt(qty);
      c.turnover += value;
    }
    this.#last = price;
  }

  /** The candles closed since the last call, oldest first. */
  takeClosed(): ClosedKline[] {
    return this.#closed.splice(0);
  }

  /** The open candle of `interval` as a payload. */
  payload(
    interval: KlineInterval,
    confirm: boolean,
    nowMs: number,
  ): KlinePayload {
    return this.render(
      interval,
      this.#open.get(interval) as Candle,
      confirm,
      nowMs,
    );
  }

  /** Renders `candle` as a payload. */
  render(
    interval: KlineInterval,
    candle: Readonly<Candle>,
    confirm: boolean,
    nowMs: number,
  ): KlinePayload {
    const f = this.#format;
    const price = (units: number) => trimmed(units, f.priceDecimals);
    return {
      start: candle.start,
      end: candle.end,
      interval,
      open: price(candle.open),
      close: price(candle.close),
      high: price(candle.high),
      low: price(candle.low),
      volume: trimmed(candle.volume, f.qtyDecimals),
      turnover: trimmed(candle.turnover, f.valueDecimals),
      confirm,
      timestamp: nowMs,
    };
  }

  #fresh(interval: KlineInterval, nowMs: number): Candle {
    const [start, end] = klineBucket(interval, nowMs, this.#minuteMs);
    const p = this.#last;
    return {
      start,
      end,
      open: p,
      close: p,
      high: p,
      low: p,
      volume: 0n,
      turnover: 0n,
    };
  }
}
