/**
 * Klines (every Binance interval, `1s` to `1M`) and 24 h statistics of one
 * simulated symbol, accumulated from its aggregate trades. Pure: time is
 * passed in.
 *
 * @module
 */
import type { SymbolBook } from "./binance_book.ts";
import {
  type AggTradePayload,
  KLINE_INTERVALS,
  type KlineInterval,
  type KlinePayload,
} from "./binance_payloads.ts";

interface Candle {
  t: number;
  T: number;
  f: number;
  L: number;
  o: number;
  c: number;
  h: number;
  l: number;
  v: number; // steps
  n: number;
  q: number; // quote, as a float
  V: number;
  Q: number;
}

const UNIT: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const MONDAY = 4 * 86_400_000; // 1970-01-05, the first Monday after epoch
/** A closed kline is still reported when it closed at most this long ago. */
const REPORT_CLOSED_MS = 5000;

/**
 * Open time of the `interval` kline containing `ms` (UTC; weeks start on
 * Monday, months on the 1st, other intervals at multiples of their length).
 *
 * @example Usage
 * ```ts
 * klineOpen("1m", Date.UTC(2026, 0, 7, 15, 30, 42)); // Date.UTC(2026, 0, 7, 15, 30)
 * klineOpen("1w", Date.UTC(2026, 0, 7)); // Date.UTC(2026, 0, 5), a Monday
 * ```
 */
export function klineOpen(interval: KlineInterval, ms: number): number {
  if (interval === "1M") {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const len = Number(interval.slice(0, -1)) * (UNIT[interval.slice(-1)] ?? 0);
  const offset = interval === "1w" ? MONDAY : 0;
  return Math.floor((ms - offset) / len) * len + offset;
}

/**
 * Close time (last ms) of the `interval` kline opening at `open`.
 *
 * @example Usage
 * ```ts
 * klineClose("1s", 1_000); // 1_999
 * ```
 */
export function klineClose(interval: KlineInterval, open: number): number {
  if (interval === "1M") {
    const d = new Date(open);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
  }
  const len = Number(interval.slice(0, -1)) * (UNIT[interval.slice(-1)] ?? 0);
  return open + len - 1;
}

/**
 * Every interval's current kline plus recently closed ones, and the 24 h
 * statistics, of one symbol.
 *
 * @example Usage
 * ```ts ignore
 * const candles = new Candles(book, Date.now());
 * candles.add(fill.aggTrades, fill.raw);
 * candles.events("1m", Date.now()); // [closed..., current]
 * ```
 */
export class Candles {
  #book: SymbolBook;
  #current: Candle[]; // by index in KLINE_INTERVALS
  #closed: Candle[][] = KLINE_INTERVALS.map(() => []);
  /** 24 h statistics: open, high, low, volumes, first trade id, last qty. */
  readonly day: {
    prev: number;
    o: number;
    h: number;
    l: number;
    v: number;
    q: number;
    F: number;
    lastQty: number;
  };

  /** Starts every interval's kline at `startMs` and a synthetic 24 h history. */
  constructor(book: SymbolBook, startMs: number) {
    this.#book = book;
    const mid = Math.round(book.mid);
    this.#current = KLINE_INTERVALS.map((i) => this.#fresh(i, startMs, mid));
    const swing = (pct: number) =>
      Math.max(
        1,
        Math.round(mid * (1 + pct * (book.int(0, 2000) - 1000) / 1e5)),
      );
    const open = swing(5);
    const trades = book.int(20_000, 2_000_000);
    const steps = trades * book.int(5, 50) * 10 ** book.qtyDecimals / 100;
    this.day = {
      prev: swing(5),
      o: open,
      h: Math.max(open, mid) + Math.abs(swing(1) - mid),
      l: Math.max(1, Math.min(open, mid) - Math.abs(swing(1) - mid)),
      v: Math.round(steps),
      q: steps * mid / 10 ** (book.priceDecimals + book.qtyDecimals),
      F: book.tradeId - trades + 1,
      lastQty: 0,
    };
  }

  /** Adds one taker order's aggregates (`raw[i]` = `[ticks, steps]` of `aggs[i]`). */
  add(
    aggs: readonly AggTradePayload[],
    raw: readonly [number, number][],
  ): void {
    const scale = 10 ** -(this.#book.priceDecimals + this.#book.qtyDecimals);
    const d = this.day;
    for (let k = 0; k < aggs.length; k++) {
      const agg = aggs[k] as AggTradePayload;
      const [price, steps] = raw[k] as [number, number];
      const quote = price * steps * scale;
      const trades = agg.l - agg.f + 1;
      for (let i = 0; i < KLINE_INTERVALS.length; i++) {
        let c = this.#current[i] as Candle;
        if (agg.T > c.T) c = this.#roll(i, agg.T);
        if (c.n === 0) {
          c.o = c.h = c.l = price;
          c.f = agg.f;
        }
        c.c = price;
        if (price > c.h) c.h = price;
        if (price < c.l) c.l = price;
        c.L = agg.l;
        c.n += trades;
        c.v += steps;
        c.q += quote;
        if (!agg.m) {
          c.V += steps;
          c.Q += quote;
        }
      }
      if (price > d.h) d.h = price;
      if (price < d.l) d.l = price;
      d.v += steps;
      d.q += quote;
      d.lastQty = steps;
    }
  }

  /**
   * Kline payloads for `interval` at `nowMs`: klines that closed since the
   * previous call (and at most 5 s ago; `x` true), then the open one.
   */
  events(interval: KlineInterval, nowMs: number): KlinePayload[] {
    const i = KLINE_INTERVALS.indexOf(interval);
    const current = this.#roll(i, nowMs);
    const closed = this.#closed[i] as Candle[];
    const out = closed.filter((c) => c.T >= nowMs - REPORT_CLOSED_MS)
      .map((c) => this.#payload(interval, c, true, nowMs));
    closed.length = 0;
    out.push(this.#payload(interval, current, false, nowMs));
    return out;
  }

  /** The current kline of `interval` (no roll-over), for tests and REST. */
  current(interval: KlineInterval): Readonly<Candle> {
    return this.#current[KLINE_INTERVALS.indexOf(interval)] as Candle;
  }

  #payload(i: KlineInterval, c: Candle, x: boolean, E: number): KlinePayload {
    const b = this.#book;
    const s = b.symbol;
    return {
      e: "kline",
      E,
      s,
      k: {
        t: c.t,
        T: c.T,
        s,
        i,
        f: c.f,
        L: c.L,
        o: b.price(c.o),
        c: b.price(c.c),
        h: b.price(c.h),
        l: b.price(c.l),
        v: b.qty(c.v),
        n: c.n,
        x,
        q: c.q.toFixed(8),
        V: b.qty(c.V),
        Q: c.Q.toFixed(8),
        B: "0",
      },
    };
  }

  /** The kline of interval `i` containing `ms`, closing the previous one if needed. */
  #roll(i: number, ms: number): Candle {
    const c = this.#current[i] as Candle;
    if (ms <= c.T) return c;
    const closed = this.#closed[i] as Candle[];
    closed.push(c);
    if (closed.length > 3) closed.shift();
    const next = this.#fresh(KLINE_INTERVALS[i] as KlineInterval, ms, c.c);
    this.#current[i] = next;
    return next;
  }

  #fresh(interval: KlineInterval, ms: number, price: number): Candle {
    const t = klineOpen(interval, ms);
    return {
      t,
      T: klineClose(interval, t),
      f: -1,
      L: -1,
      o: price,
      c: price,
      h: price,
      l: price,
      v: 0,
      n: 0,
      q: 0,
      V: 0,
      Q: 0,
    };
  }
}
