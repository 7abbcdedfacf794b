/**
 * One simulated Binance Spot symbol: a drifting fair price, an order book of
 * 25-50 levels per side with a monotonically increasing update id, taker
 * orders that sweep it (consecutive trade ids and aggregate ids) and named
 * diff-depth accumulators. Prices are integer ticks and quantities integer
 * steps; both render as Binance's 8-decimal strings. Pure: no I/O, no timers.
 *
 * @module
 */
import { DepthFeeds } from "./binance_feeds.ts";
import type {
  AggTradePayload,
  Level,
  TradePayload,
} from "./binance_payloads.ts";
import { hashString, Prng } from "./prng.ts";

/** Aggressor (taker) side of an order. */
export type TakerSide = "BUY" | "SELL";

/**
 * One taker order: its trades and their aggregates, in id order, and per
 * aggregate its `[price ticks, quantity steps]`.
 */
export interface Fill {
  trades: TradePayload[];
  aggTrades: AggTradePayload[];
  raw: [number, number][];
}

interface Order {
  price: number; // ticks
  qty: number; // steps
  orders: number; // resting maker orders at this level
}
const MIN_LEVELS = 25;
const MAX_LEVELS = 50;
const ZEROS = "00000000";

/**
 * Renders `units` with `decimals` implied decimals as an 8-decimal string.
 *
 * @example Usage
 * ```ts
 * decimal(6000012, 2); // "60000.12000000"
 * decimal(5, 0); // "5.00000000"
 * ```
 */
export function decimal(units: number, decimals: number): string {
  if (decimals === 0) return `${units}.${ZEROS}`;
  const scale = 10 ** decimals;
  const int = Math.floor(units / scale);
  const frac = String(units - int * scale + scale).slice(1); // zero-padded
  return `${int}.${frac}${ZEROS.slice(decimals)}`;
}

/**
 * The book and trade generator of one symbol.
 *
 * @example Usage
 * ```ts
 * const s = new SymbolBook({ symbol: "BTCUSDT", usd: 60_000, quoteUsd: 1, seed: 1 });
 * const { trades } = s.taker("BUY", 3, Date.now()); // up to 3 trades, m === false
 * ```
 */
export class SymbolBook {
  /** Native symbol, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** Decimals of the price tick (2..8). */
  readonly priceDecimals: number;
  /** Decimals of the quantity step (0..8). */
  readonly qtyDecimals: number;
  /** Id of the latest book change batch. */
  updateId: number;
  /** Id of the latest trade. */
  tradeId: number;
  /** Id of the latest aggregate trade. */
  aggId: number;
  /** Diff-depth feeds over this book. */
  readonly feeds: DepthFeeds = new DepthFeeds();
  /** Bids, best (highest) first. */
  readonly bids: Order[] = [];
  /** Asks, best (lowest) first. */
  readonly asks: Order[] = [];
  #rng: Prng;
  #fair: number;
  #gap: number; // max ticks between adjacent levels
  #stepUsd: number; // USD value of one quantity step at the start price
  #time = 0;

  /**
   * @param spec symbol, USD price of the base and of the quote, PRNG seed,
   * and `empty` for a symbol that does not trade (no levels)
   */
  constructor(
    spec: {
      symbol: string;
      usd: number;
      quoteUsd: number;
      seed: number;
      empty?: boolean;
    },
  ) {
    this.symbol = spec.symbol;
    const rng = this.#rng = new Prng(
      hashString(spec.symbol) ^ Math.imul(spec.seed, 0x9e3779b1),
    );
    const price = spec.usd / spec.quoteUsd;
    this.priceDecimals = clamp(5 - Math.floor(Math.log10(price)), 2, 8);
    this.qtyDecimals = clamp(-Math.ceil(Math.log10(0.1 / spec.usd)), 0, 8);
    this.#stepUsd = spec.usd / 10 ** this.qtyDecimals;
    const mid = Math.max(50, Math.round(price * 10 ** this.priceDecimals));
    this.#fair = mid;
    this.#gap = Math.max(1, Math.round(mid * 4e-5));
    this.updateId = rng.int(1e8, 9e9);
    this.tradeId = rng.int(1e7, 4e9);
    this.aggId = Math.floor(this.tradeId * (0.5 + 0.3 * rng.next()));
    if (spec.empty) return;
    this.bids.push({ price: mid, qty: this.#size(50, 30_000), orders: 2 });
    const ask = mid + rng.int(1, this.#gap);
    this.asks.push({ price: ask, qty: this.#size(50, 30_000), orders: 2 });
    this.#refill(this.bids, -1);
    this.#refill(this.asks, 1);
  }

  /** Formats a price in ticks. */
  price(ticks: number): string {
    return decimal(ticks, this.priceDecimals);
  }

  /** Formats a quantity in steps. */
  qty(steps: number): string {
    return decimal(steps, this.qtyDecimals);
  }

  /** Mid price in ticks (fair price when the book is empty). */
  get mid(): number {
    const [bid, ask] = [this.bids[0], this.asks[0]];
    return bid && ask ? (bid.price + ask.price) / 2 : this.#fair;
  }

  /** Top `limit` levels per side as strings. */
  levels(limit = Infinity): { bids: Level[]; asks: Level[] } {
    const render = (o: Order): Level => [this.price(o.price), this.qty(o.qty)];
    return {
      bids: this.bids.slice(0, limit).map(render),
      asks: this.asks.slice(0, limit).map(render),
    };
  }

  /** Event time: `nowMs`, never earlier than the previous one. */
  stamp(nowMs: number): number {
    return this.#time = Math.max(this.#time, Math.floor(nowMs));
  }

  /** One book change batch (a new, topped-up or cancelled resting order). */
  bookEvent(): void {
    if (this.bids.length === 0) return;
    const rng = this.#rng;
    this.updateId++;
    this.#fair += (this.mid - this.#fair) * 0.02;
    this.#fair *= Math.exp(rng.normal() * 4e-5);
    const buy = rng.chance(this.#buyBias());
    const [book, dir] = buy ? [this.bids, -1] : [this.asks, 1];
    const bid = (this.bids[0] as Order).price;
    const spread = (this.asks[0] as Order).price - bid;
    const r = rng.next();
    const wide = spread > 2 * this.#gap; // then an order soon narrows it
    if ((r < 0.35 || wide) && spread > 1) {
      const step = rng.int(1, Math.min(this.#gap, spread - 1));
      const price = buy ? bid + step : bid + spread - step;
      book.unshift({ price, qty: this.#size(20, 20_000), orders: 1 });
      this.#change(book, price, (book[0] as Order).qty);
    } else if (r < 0.65) {
      const level = book[rng.int(0, Math.min(book.length, 12) - 1)] as Order;
      level.qty += this.#size(20, 20_000);
      level.orders++;
      this.#change(book, level.price, level.qty);
    } else {
      const other = buy ? this.asks : this.bids; // cancels push toward fair
      const i = rng.int(0, Math.min(other.length, 12) - 1);
      const level = other[i] as Order;
      if (level.orders > 1 && rng.chance(0.6)) {
        level.qty = Math.max(1, Math.floor(level.qty * rng.next()));
        level.orders--;
      } else if (other.length > 1) {
        level.qty = 0;
        other.splice(i, 1);
      }
      this.#change(other, level.price, level.qty);
      this.#refill(other, buy ? 1 : -1);
    }
    this.#refill(book, dir);
  }

  /**
   * One taker order (one book change batch): sweeps up to 3 levels of the
   * opposite side, one trade per resting order filled, one aggregate trade
   * per price level; stops after `maxTrades` trades. BUY takers lift asks
   * (`m` false); SELL takers hit bids (`m` true).
   */
  taker(side: TakerSide, maxTrades: number, nowMs: number): Fill {
    const fill: Fill = { trades: [], aggTrades: [], raw: [] };
    const book = side === "BUY" ? this.asks : this.bids;
    if (maxTrades <= 0 || book.length === 0) return fill;
    const rng = this.#rng;
    const time = this.stamp(nowMs);
    const m = side === "SELL";
    this.updateId++;
    let remaining = this.#size(10, 8_000);
    let budget = maxTrades;
    for (let swept = 0; swept < 3 && remaining > 0 && budget > 0; swept++) {
      const level = book[0] as Order;
      const take = Math.min(remaining, level.qty);
      const wanted = take === level.qty
        ? level.orders
        : rng.int(1, level.orders);
      const fills = Math.min(wanted, budget, take);
      const p = this.price(level.price);
      const first = this.tradeId + 1;
      let left = take;
      for (let i = 0; i < fills; i++) {
        const part = i === fills - 1
          ? left
          : 1 + Math.floor((left - (fills - i)) * rng.next() * 2 / (fills - i));
        left -= part;
        fill.trades.push({
          e: "trade",
          E: time,
          s: this.symbol,
          t: ++this.tradeId,
          p,
          q: this.qty(part),
          T: time,
          m,
          M: true,
        });
      }
      fill.aggTrades.push({
        e: "aggTrade",
        E: time,
        s: this.symbol,
        a: ++this.aggId,
        p,
        q: this.qty(take),
        f: first,
        l: this.tradeId,
        T: time,
        m,
        M: true,
      });
      level.qty -= take;
      level.orders = Math.max(1, level.orders - fills);
      this.#change(book, level.price, level.qty);
      if (level.qty === 0) book.shift();
      fill.raw.push([level.price, take]);
      remaining -= take;
      budget -= fills;
    }
    this.#refill(book, side === "BUY" ? 1 : -1);
    return fill;
  }

  /** A taker side leaning toward the fair price. */
  pickSide(): TakerSide {
    return this.#rng.chance(this.#buyBias()) ? "BUY" : "SELL";
  }

  /** A uniformly random integer in [lo, hi] from this symbol's stream. */
  int(lo: number, hi: number): number {
    return this.#rng.int(lo, hi);
  }

  #change(book: Order[], price: number, qty: number): void {
    this.feeds.record(book === this.bids, price, qty);
  }

  /** Keeps a side between MIN_LEVELS and MAX_LEVELS deep. */
  #refill(book: Order[], dir: number): void {
    while (book.length < MIN_LEVELS) {
      const from = (book.at(-1) as Order).price;
      const price = from + dir * this.#rng.int(1, this.#gap);
      if (price <= 0) break;
      const level = {
        price,
        qty: this.#size(50, 40_000),
        orders: this.#rng.int(1, 5),
      };
      book.push(level);
      this.#change(book, price, level.qty);
    }
    while (book.length > MAX_LEVELS) {
      this.#change(book, (book.pop() as Order).price, 0);
    }
  }

  /** Probability that activity is buy-side: leans the mid toward fair. */
  #buyBias(): number {
    const lean = (this.#fair - this.mid) / (6 * this.#gap);
    return 0.5 + clamp(lean, -0.4, 0.4);
  }

  /** A log-uniform USD notional in [lo, hi] as quantity steps (at least 1). */
  #size(lo: number, hi: number): number {
    const usd = lo * (hi / lo) ** this.#rng.next();
    return Math.max(1, Math.round(usd / this.#stepUsd));
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
