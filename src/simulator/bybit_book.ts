/**
 * The master order book of one simulated Bybit (category, symbol): 260-340
 * price levels per side in integer price units and integer size steps
 * (never floats), resting-order changes near the top and deep in the book,
 * and taker matches that sweep it. Pure and deterministic for its PRNG.
 *
 * @module
 */
import type { Prng } from "./prng.ts";
import type { SymbolSpec } from "./bybit_symbols.ts";

/** Taker side of a match, as Bybit writes it. */
export type BybitSide = "Buy" | "Sell";

/** One price level: price in units of 10^-priceDecimals, size in steps. */
export interface BookLevel {
  price: number;
  qty: number;
}

/** One trade of a match: the maker level's price and the size filled. */
export interface MatchPart {
  price: number;
  qty: number;
}

const MIN_LEVELS = 260;
const MAX_LEVELS = 340;
const TOP = 15; // most activity is within the best levels

/**
 * The book of one symbol. Bids best (highest) first, asks best (lowest) first.
 *
 * @example Usage
 * ```ts ignore
 * const book = new MasterBook(symbolSpec("spot", "BTCUSDT"), new Prng(1));
 * book.bookEvent();
 * const parts = book.match("Buy", 3); // 1-3 trades against the asks
 * ```
 */
export class MasterBook {
  /** Bids, highest first. */
  readonly bids: BookLevel[] = [];
  /** Asks, lowest first. */
  readonly asks: BookLevel[] = [];
  #rng: Prng;
  #tick: number;
  #gap: number; // max ticks between adjacent levels
  #stepUsd: number; // USD value of one size step
  #fair: number; // price units, float (only ever rounded onto ticks)

  /** @param spec the instrument; @param rng its own PRNG stream */
  constructor(spec: SymbolSpec, rng: Prng) {
    this.#rng = rng;
    this.#tick = spec.tick;
    this.#stepUsd = spec.category === "inverse"
      ? 1
      : spec.usd / 10 ** spec.qtyDecimals;
    const scale = 10 ** spec.priceDecimals / spec.tick;
    const ticks = Math.max(50, Math.round(spec.usd * scale));
    this.#fair = ticks * spec.tick;
    this.#gap = Math.max(1, Math.min(8, Math.round(ticks * 2e-5)));
    this.bids.push({ price: this.#fair, qty: this.#size(100, 30_000) });
    const ask = this.#fair + spec.tick * rng.int(1, this.#gap);
    this.asks.push({ price: ask, qty: this.#size(100, 30_000) });
    this.#refill(this.bids, -1);
    this.#refill(this.asks, 1);
  }

  /** Mid price in price units (may be half a unit). */
  get mid(): number {
    const [bid, ask] = [this.bids[0], this.asks[0]];
    return bid && ask ? (bid.price + ask.price) / 2 : this.#fair;
  }

  /** The fair (index) price in price units, a float. */
  get fair(): number {
    return this.#fair;
  }

  /** Copies of the top `depth` levels per side. */
  view(depth: number): { bids: BookLevel[]; asks: BookLevel[] } {
    const copy = (l: BookLevel) => ({ price: l.price, qty: l.qty });
    return {
      bids: this.bids.slice(0, depth).map(copy),
      asks: this.asks.slice(0, depth).map(copy),
    };
  }

  /** A taker side leaning toward the fair price. */
  pickSide(): BybitSide {
    return this.#rng.chance(this.#buyBias()) ? "Buy" : "Sell";
  }

  /** One resting-order change: a new best level, a top-up, a deep change or a cancel. */
  bookEvent(): void {
    const rng = this.#rng;
    this.#fair += (this.mid - this.#fair) * 0.02;
    this.#fair *= Math.exp(rng.normal() * 4e-5);
    const buy = rng.chance(this.#buyBias());
    const [book, other] = buy ? [this.bids, this.asks] : [this.asks, this.bids];
    const bid = (this.bids[0] as BookLevel).price;
    const spreadTicks = ((this.asks[0] as BookLevel).price - bid) / this.#tick;
    const r = rng.next();
    if ((r < 0.3 || spreadTicks > 2 * this.#gap) && spreadTicks > 1) {
      const step = rng.int(1, Math.min(this.#gap, spreadTicks - 1)) *
        this.#tick;
      const price = buy ? bid + step : bid + spreadTicks * this.#tick - step;
      book.unshift({ price, qty: this.#size(50, 20_000) });
    } else if (r < 0.55) {
      const level = book[rng.int(0, Math.min(book.length, TOP) - 1)];
      if (level) level.qty += this.#size(50, 20_000);
    } else if (r < 0.75) {
      const level = book[rng.int(0, book.length - 1)];
      if (level) level.qty = this.#size(100, 40_000);
    } else {
      const i = rng.int(0, Math.min(other.length, TOP) - 1);
      const level = other[i];
      if (level && rng.chance(0.5)) {
        level.qty = Math.max(1, Math.floor(level.qty * rng.next()));
      } else if (level && other.length > 1) other.splice(i, 1);
    }
    this.#refill(this.bids, -1);
    this.#refill(this.asks, 1);
  }

  /**
   * One taker order of `side` (`Buy` lifts asks). Without `exact`: a random
   * notional sweeping up to 3 levels, at most `maxTrades` trades (1-3 per
   * level). With `exact`: exactly `maxTrades` trades, sweeping as many
   * levels as needed (the side is refilled from behind).
   */
  match(side: BybitSide, maxTrades: number, exact = false): MatchPart[] {
    const parts: MatchPart[] = [];
    const book = side === "Buy" ? this.asks : this.bids;
    const rng = this.#rng;
    let notional = exact ? Infinity : this.#size(10, 8_000);
    let budget = maxTrades;
    for (let swept = 0; budget > 0 && notional > 0; swept++) {
      if (!exact && swept === 3) break;
      const level = book[0];
      if (!level) break;
      const trades = exact
        ? Math.min(budget, level.qty, rng.int(1, 60))
        : Math.min(budget, rng.int(1, 3));
      const sweepAll = exact ? budget > trades : notional >= level.qty;
      const take = sweepAll
        ? level.qty
        : Math.min(level.qty, exact ? trades * 3 : Math.max(trades, notional));
      const n = Math.min(trades, take);
      let left = take;
      for (let i = 0; i < n; i++) {
        const rest = n - i - 1;
        const part = rest === 0 ? left : Math.min(
          left - rest,
          1 + Math.floor(rng.next() * 2 * left / (rest + 1)),
        );
        parts.push({ price: level.price, qty: part });
        left -= part;
      }
      level.qty -= take;
      if (level.qty === 0) book.shift();
      notional -= take;
      budget -= n;
      this.#refill(book, side === "Buy" ? 1 : -1);
    }
    this.#refill(this.bids, -1);
    this.#refill(this.asks, 1);
    return parts;
  }

  /** Keeps a side between MIN_LEVELS and MAX_LEVELS deep, adding from behind. */
  #refill(book: BookLevel[], dir: number): void {
    while (book.length < MIN_LEVELS) {
      const from = book.at(-1)?.price ?? this.#fair;
      const price = from + dir * this.#tick * this.#rng.int(1, this.#gap);
      if (price <= 0) break;
      book.push({ price, qty: this.#size(100, 40_000) });
    }
    if (book.length > MAX_LEVELS) book.length = MAX_LEVELS;
  }

  /** Probability that activity is buy-side: leans the mid toward fair. */
  #buyBias(): number {
    const lean = (this.#fair - this.mid) / (6 * this.#gap * this.#tick);
    return 0.5 + Math.min(0.4, Math.max(-0.4, lean));
  }

  /** A log-uniform USD notional in [lo, hi] as size steps (at least 1). */
  #size(lo: number, hi: number): number {
    const usd = lo * (hi / lo) ** this.#rng.next();
    return Math.max(1, Math.round(usd / this.#stepUsd));
  }
}
