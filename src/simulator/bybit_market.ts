/**
 * One simulated Bybit instrument (category, symbol): the {@link MasterBook},
 * a cross sequence `seq` that increases with every matching-engine event
 * (each resting-order change and each match; all trades of one match share
 * it), public trade payloads, 24 h ticker statistics and klines. Pure and
 * deterministic for its seed; time is passed in.
 *
 * @module
 */
import { type BybitSide, MasterBook } from "./bybit_book.ts";
import { divRound, fixed, trimmed } from "./bybit_decimal.ts";
import { KlineSet } from "./bybit_kline.ts";
import { type SymbolSpec, usdOf } from "./bybit_symbols.ts";
import { hashString, Prng } from "./prng.ts";

/** One element of a `publicTrade.{symbol}` frame's `data`. */
export interface BybitTrade {
  T: number;
  s: string;
  S: BybitSide;
  v: string;
  p: string;
  /** Tick direction: linear and inverse only. */
  L?: TickDirection;
  i: string;
  BT: false;
  seq: number;
}

/** Bybit's tick direction of a trade relative to the previous one. */
export type TickDirection =
  | "PlusTick"
  | "ZeroPlusTick"
  | "MinusTick"
  | "ZeroMinusTick";

/** A ticker `data` object: every field a string. */
export type TickerData = Record<string, string>;

const HOUR = 3_600_000;
const FUNDING_MS = 8 * HOUR;

/**
 * The instrument.
 *
 * @example Usage
 * ```ts ignore
 * const m = new SymbolMarket(symbolSpec("linear", "BTCUSDT"), 1, now, 60_000);
 * const trades = m.step(3, now); // exactly 3 trades (after some book changes)
 * const data = m.ticker(now); // the full linear ticker
 * ```
 */
export class SymbolMarket {
  /** The instrument's static facts. */
  readonly spec: SymbolSpec;
  /** The master book. */
  readonly book: MasterBook;
  /** Its klines. */
  readonly klines: KlineSet;
  /** Cross sequence of the latest engine event. */
  seq: number;
  /** Matching-engine time of the latest engine event. */
  cts: number;
  #rng: Prng;
  #tradeId: bigint;
  #last: number;
  #dir: TickDirection = "ZeroPlusTick";
  #prev24h: number;
  #high: number;
  #low: number;
  #volume: bigint;
  #turnover: bigint;
  #hour: number;
  #prev1h: number;
  #openInterest: number;
  #funding: number; // units of 1e-6

  /** @param minuteMs clock ms per kline minute */
  constructor(spec: SymbolSpec, seed: number, nowMs: number, minuteMs: number) {
    this.spec = spec;
    const rng = this.#rng = new Prng(
      hashString(`${spec.category}:${spec.symbol}`) ^
        Math.imul(seed, 0x9e3779b1),
    );
    this.book = new MasterBook(spec, rng);
    this.seq = rng.int(1e9, 8e9);
    this.cts = nowMs;
    this.#tradeId = 2_290_000_000_000_000_000n + BigInt(rng.int(0, 1e9));
    const last = this.#last = this.#snap(this.book.mid);
    const drift = (x: number) => this.#snap(last * (1 + x));
    this.#prev24h = drift(rng.normal() * 0.02);
    this.#high = Math.max(last, this.#prev24h, drift(0.01 + rng.next() * 0.02));
    this.#low = Math.min(last, this.#prev24h, drift(-0.01 - rng.next() * 0.02));
    const steps = Math.round(2e7 * (0.5 + rng.next()) / this.#stepUsd);
    this.#volume = BigInt(steps);
    this.#turnover = this.#value(last, steps);
    this.#hour = Math.floor(nowMs / HOUR);
    this.#prev1h = drift(rng.normal() * 0.003);
    this.#openInterest = Math.round(3e8 * (0.5 + rng.next()) / this.#stepUsd);
    this.#funding = rng.int(-100, 300);
    const valueDecimals = spec.category === "inverse"
      ? 8
      : spec.priceDecimals + spec.qtyDecimals;
    this.klines = new KlineSet(
      {
        priceDecimals: spec.priceDecimals,
        qtyDecimals: spec.qtyDecimals,
        valueDecimals,
        value: (price, qty) => this.#value(price, qty),
      },
      minuteMs,
      last,
      nowMs,
    );
  }

  /** Formats price units. */
  price(units: number): string {
    return fixed(units, this.spec.priceDecimals);
  }

  /** Formats size steps. */
  qty(steps: number): string {
    return fixed(steps, this.spec.qtyDecimals);
  }

  /** Last trade price in price units. */
  get last(): number {
    return this.#last;
  }

  /** Mark price in price units: the mid on the tick grid. */
  get mark(): number {
    return this.#snap(this.book.mid);
  }

  /** The next cross sequence (for an engine event outside the generator). */
  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * Exactly `count` trades (after 1-3 resting-order changes, and 1-4 more
   * before each match); with `count` 0 only the book changes.
   */
  step(count: number, nowMs: number): BybitTrade[] {
    this.klines.advance(nowMs);
    this.#rollHour(nowMs);
    const out: BybitTrade[] = [];
    this.#events(this.#rng.int(1, 3), nowMs);
    while (out.length < count) {
      this.#events(this.#rng.int(1, 4), nowMs);
      this.#match(this.book.pickSide(), count - out.length, false, nowMs, out);
    }
    if (this.spec.category !== "spot" && this.#rng.chance(0.3)) {
      const k = Math.max(1, Math.round(this.#openInterest * 1e-5));
      this.#openInterest = Math.max(
        1,
        this.#openInterest + this.#rng.int(-k, k),
      );
      if (this.#rng.chance(0.1)) this.#funding += this.#rng.int(-5, 5);
    }
    return out;
  }

  /** Exactly `n` trades in one match (one `seq`); random side unless given. */
  burst(n: number, nowMs: number, side?: BybitSide): BybitTrade[] {
    this.klines.advance(nowMs);
    const out: BybitTrade[] = [];
    this.#match(side ?? this.book.pickSide(), n, true, nowMs, out);
    return out;
  }

  /** The full ticker `data` of the category now (spot or derivatives field set). */
  ticker(nowMs: number): TickerData {
    const s = this.spec;
    const last = this.#last;
    const change = BigInt(last - this.#prev24h);
    const prev = BigInt(this.#prev24h);
    if (s.category === "spot") {
      const pcnt = divRound(change * 10_000n, prev);
      const usd = Math.round(this.book.fair * 1000 * usdOf(s.quote));
      const t = (units: number | bigint, d: number) => trimmed(units, d);
      return {
        symbol: s.symbol,
        lastPrice: t(last, s.priceDecimals),
        highPrice24h: t(this.#high, s.priceDecimals),
        lowPrice24h: t(this.#low, s.priceDecimals),
        prevPrice24h: t(this.#prev24h, s.priceDecimals),
        volume24h: t(this.#volume, s.qtyDecimals),
        turnover24h: t(this.#turnover, s.priceDecimals + s.qtyDecimals),
        price24hPcnt: t(pcnt, 4),
        usdIndexPrice: t(usd, s.priceDecimals + 3),
      };
    }
    const [bid, ask] = [this.book.bids[0], this.book.asks[0]];
    const mark = this.mark;
    const inverse = s.category === "inverse";
    const oiValue = this.#value(mark, this.#openInterest);
    const valueDecimals = inverse ? 8 : s.priceDecimals + s.qtyDecimals;
    return {
      symbol: s.symbol,
      tickDirection: this.#dir,
      price24hPcnt: fixed(divRound(change * 1_000_000n, prev), 6),
      lastPrice: this.price(last),
      prevPrice24h: this.price(this.#prev24h),
      highPrice24h: this.price(this.#high),
      lowPrice24h: this.price(this.#low),
      prevPrice1h: this.price(this.#prev1h),
      markPrice: this.price(mark),
      indexPrice: this.price(this.#snap(this.book.fair)),
      openInterest: this.qty(this.#openInterest),
      openInterestValue: fixed(
        divRound(oiValue, 10n ** BigInt(Math.max(0, valueDecimals - 2))),
        Math.min(2, valueDecimals),
      ),
      turnover24h: trimmed(this.#turnover, valueDecimals),
      volume24h: this.qty(Number(this.#volume)),
      fundingIntervalHour: "8",
      fundingCap: "0.005",
      nextFundingTime: String(Math.floor(nowMs / FUNDING_MS + 1) * FUNDING_MS),
      fundingRate: trimmed(this.#funding, 6),
      bid1Price: bid ? this.price(bid.price) : "",
      bid1Size: bid ? this.qty(bid.qty) : "",
      ask1Price: ask ? this.price(ask.price) : "",
      ask1Size: ask ? this.qty(ask.qty) : "",
      preOpenPrice: "",
      preQty: "",
      curPreListingPhase: "",
    };
  }

  #events(k: number, nowMs: number): void {
    for (let i = 0; i < k; i++) {
      this.book.bookEvent();
      this.seq++;
    }
    this.cts = Math.max(this.cts, nowMs);
  }

  #match(
    side: BybitSide,
    max: number,
    exact: boolean,
    nowMs: number,
    out: BybitTrade[],
  ): void {
    const parts = this.book.match(side, max, exact);
    if (parts.length === 0) return;
    const seq = ++this.seq;
    this.cts = Math.max(this.cts, nowMs);
    const spot = this.spec.category === "spot";
    for (const { price, qty } of parts) {
      this.#dir = price > this.#last
        ? "PlusTick"
        : price < this.#last
        ? "MinusTick"
        : this.#dir.endsWith("PlusTick")
        ? "ZeroPlusTick"
        : "ZeroMinusTick";
      this.#last = price;
      this.#high = Math.max(this.#high, price);
      this.#low = Math.min(this.#low, price);
      this.#volume += BigInt(qty);
      this.#turnover += this.#value(price, qty);
      this.klines.add(price, qty);
      const head = {
        T: this.cts,
        s: this.spec.symbol,
        S: side,
        v: this.qty(qty),
        p: this.price(price),
      };
      out.push(
        spot
          ? { ...head, i: String(++this.#tradeId), BT: false, seq }
          : { ...head, L: this.#dir, i: this.#rng.uuid(), BT: false, seq },
      );
    }
  }

  #rollHour(nowMs: number): void {
    const hour = Math.floor(nowMs / HOUR);
    if (hour === this.#hour) return;
    this.#hour = hour;
    this.#prev1h = this.#last;
  }

  /** Traded value: price × size (spot, linear) or size ÷ price in 10⁻⁸ coin (inverse). */
  #value(price: number, qty: number): bigint {
    const s = this.spec;
    if (s.category !== "inverse") return BigInt(price) * BigInt(qty);
    const num = BigInt(qty) * 10n ** BigInt(s.priceDecimals + 8);
    return num / (BigInt(price) * 10n ** BigInt(s.qtyDecimals));
  }

  get #stepUsd(): number {
    const s = this.spec;
    return s.category === "inverse" ? 1 : s.usd / 10 ** s.qtyDecimals;
  }

  /** Rounds price units (a float) onto the tick grid. */
  #snap(units: number): number {
    const t = this.spec.tick;
    return Math.max(t, Math.round(units / t) * t);
  }
}
