/**
 * One simulated Coinbase Exchange product: a drifting fair price, a ~50-level
 * book per side, 24 h statistics and the product's single sequence line
 * shared by every channel. Renders match, ticker and l2 frames.
 *
 * @module
 */
import { hashString, Prng } from "./prng.ts";

/** Order side as the feed spells it. */
export type Side = "buy" | "sell";
/** A `match` or `last_match` frame; `side` is the MAKER side. */
export type MatchFrame = {
  type: "match" | "last_match";
  "trade_id": number;
  sequence: number;
  "maker_order_id": string;
  "taker_order_id": string;
  time: string;
  "product_id": string;
  size: string;
  price: string;
  side: Side;
};
/** A `ticker` frame; `side` is the TAKER side (as the docs annotate it). */
export type TickerFrame = {
  type: "ticker";
  sequence: number;
  "product_id": string;
  price: string;
  "open_24h": string;
  "volume_24h": string;
  "low_24h": string;
  "high_24h": string;
  "volume_30d": string;
  "best_bid": string;
  "best_bid_size": string;
  "best_ask": string;
  "best_ask_size": string;
  side: Side;
  time: string;
  "trade_id": number;
  "last_size": string;
};
/** One generation step: a match per trade, one ticker for the last trade. */
export interface TradeBatch {
  matches: MatchFrame[];
  ticker: TickerFrame | null;
}
/** Options of {@link CoinbaseMarket}. */
export interface CoinbaseMarketOptions {
  /** Product ids like `BTC-USD`; any `XXX-YYY` name works. */
  products: readonly string[];
  /** PRNG seed (default 1); each product derives its own stream from it. */
  seed?: number;
  /** Epoch ms of the trade each product starts with (default 1.7e12). */
  startMs?: number;
}

type Level = { tick: number; size: number }; // size in units of 1e-8
type Change = [Side, number, number];

const LEVELS = 50;
/** Known products: starting price and currency name. */
export const KNOWN: Record<string, [number, string]> = {
  BTC: [60_000, "Bitcoin"],
  ETH: [3_000, "Ethereum"],
  SOL: [150, "Solana"],
  LTC: [80, "Litecoin"],
};
/** Quote currencies priced to the cent. */
export const FIAT = new Set(["USD", "EUR", "GBP", "USDC", "USDT"]);

/** Formats integer 1e-8 units as a decimal string with 8 decimals. */
export function formatSize(units: number): string {
  return `${Math.floor(units / 1e8)}.${String(units % 1e8).padStart(8, "0")}`;
}

/** Formats epoch microseconds as ISO 8601 with 6 decimals (`...27.028459Z`). */
export function isoMicros(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(us % 1000).padStart(3, "0")}Z`;
}

/** One product: its book, walk, statistics and sequence line. */
/** The state and frame rendering of one product. */
export class ProductMarket {
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  #decimals: number;
  #scale: number;
  #quoteUsd: number; // quote currency value, to size orders in USD
  #gap: number; // max tick distance between adjacent levels
  #rng: Prng;
  #bids: Level[] = []; // best (highest) first
  #asks: Level[] = []; // best (lowest) first
  #fair: number;
  #open: number;
  #high: number;
  #low: number;
  #vol24 = 0;
  #vol30 = 0;
  #lastUs: number;
  #changes = new Map<string, Change>();
  #changeTime: string;
  #sequence: number;
  #tradeId: number;
  #last: MatchFrame;

  constructor(id: string, seed: number, us: number) {
    const [base = "", quote = ""] = id.split("-");
    [this.id, this.base, this.quote] = [id, base, quote];
    const rng = this.#rng = new Prng(
      hashString(id) ^ Math.imul(seed, 0x9e3779b1),
    );
    this.#decimals = FIAT.has(quote) ? 2 : 5;
    this.#scale = 10 ** this.#decimals;
    this.#quoteUsd = FIAT.has(quote) ? 1 : KNOWN[quote]?.[0] ?? 1;
    const usd = (KNOWN[base]?.[0] ?? 5 * 1000 ** rng.next()) *
      (0.9 + 0.2 * rng.next());
    const mid = Math.max(100, Math.round((usd / this.#quoteUsd) * this.#scale));
    this.#fair = this.#open = mid;
    this.#high = mid + rng.int(0, Math.ceil(mid * 0.03));
    this.#low = mid - rng.int(0, Math.floor(mid * 0.03));
    this.#gap = Math.max(1, Math.round(mid * 1e-5));
    this.#sequence = rng.int(1e9, 4e10);
    this.#tradeId = rng.int(1e7, 4e8);
    this.#lastUs = Math.floor(us);
    this.#changeTime = isoMicros(this.#lastUs);
    this.#bids.push({ tick: mid, size: this.#units(50, 50_000) });
    this.#asks.push({
      tick: mid + rng.int(1, this.#gap),
      size: this.#units(50, 50_000),
    });
    this.#refill("buy");
    this.#refill("sell");
    this.#vol24 = this.#units(1e6, 1e8);
    this.#vol30 = this.#vol24 * rng.int(20, 35);
    this.#last = this.trade(this.#changeTime);
    this.#changes.clear();
  }

  get sequence(): number {
    return this.#sequence;
  }

  get tradeId(): number {
    return this.#tradeId;
  }

  get last(): MatchFrame {
    return this.#last;
  }

  /** Microsecond timestamp, never earlier than the previous one. */
  stamp(nowMs: number): string {
    this.#lastUs = Math.max(Math.floor(nowMs * 1000), this.#lastUs);
    return isoMicros(this.#lastUs);
  }

  price(tick: number): string {
    const frac = String(tick % this.#scale).padStart(this.#decimals, "0");
    return `${Math.floor(tick / this.#scale)}.${frac}`;
  }

  /** 1..4 unseen `full` messages, then one match against the best level. */
  trade(time: string): MatchFrame {
    const rng = this.#rng;
    for (let hidden = rng.int(1, 4); hidden > 0; hidden--) {
      this.#sequence++;
      this.#bookEvent(time);
    }
    const mid =
      ((this.#bids[0] as Level).tick + (this.#asks[0] as Level).tick) / 2;
    this.#fair += (mid - this.#fair) * 0.01; // the walk stays near the book
    this.#fair *= Math.exp(rng.normal() * 1e-4);
    const side: Side = rng.chance(this.#buyBias()) ? "sell" : "buy"; // maker
    const book = side === "sell" ? this.#asks : this.#bids;
    const level = book[0] as Level;
    const size = Math.min(level.size, this.#units(10, 5_000));
    level.size -= size;
    this.#change(side, level.tick, level.size, time);
    if (level.size === 0) book.shift();
    this.#refill(side);
    this.#vol24 += size;
    this.#vol30 += size;
    this.#high = Math.max(this.#high, level.tick);
    this.#low = Math.min(this.#low, level.tick);
    // The member order of the live feed (a captured frame), which is not
    // the order of the documentation's example.
    const tradeId = ++this.#tradeId;
    const maker = rng.uuid();
    const taker = rng.uuid();
    return this.#last = {
      type: "match",
      trade_id: tradeId,
      maker_order_id: maker,
      taker_order_id: taker,
      side,
      size: formatSize(size),
      price: this.price(level.tick),
      product_id: this.id,
      sequence: ++this.#sequence,
      time,
    };
  }

  /** The ticker for `last` (the most recent match), with the current book. */
  ticker(last: MatchFrame): TickerFrame {
    const [bid, ask] = [this.#bids[0] as Level, this.#asks[0] as Level];
    return {
      type: "ticker",
      sequence: last.sequence,
      product_id: this.id,
      price: last.price,
      open_24h: this.price(this.#open),
      volume_24h: formatSize(this.#vol24),
      low_24h: this.price(this.#low),
      high_24h: this.price(this.#high),
      volume_30d: formatSize(this.#vol30),
      best_bid: this.price(bid.tick),
      best_bid_size: formatSize(bid.size),
      best_ask: this.price(ask.tick),
      best_ask_size: formatSize(ask.size),
      side: last.side === "sell" ? "buy" : "sell",
      time: last.time,
      trade_id: last.trade_id,
      last_size: last.size,
    };
  }

  levels(side: Side): [string, string][] {
    const book = side === "buy" ? this.#bids : this.#asks;
    return book.map((l) => [this.price(l.tick), formatSize(l.size)]);
  }

  /** Drains the pending level changes (latest size per level). */
  drain(): { changes: [Side, string, string][]; time: string } | null {
    if (this.#changes.size === 0) return null;
    const changes = [...this.#changes.values()].map((
      [side, tick, size],
    ): [Side, string, string] => [side, this.price(tick), formatSize(size)]);
    this.#changes.clear();
    return { changes, time: this.#changeTime };
  }

  /** Probability that a taker (or a new inside order) buys: leans to fair. */
  #buyBias(): number {
    const mid =
      ((this.#bids[0] as Level).tick + (this.#asks[0] as Level).tick) / 2;
    return 0.5 +
      Math.max(-0.4, Math.min(0.4, (this.#fair - mid) / (8 * this.#gap)));
  }

  /** Log-uniform notional in [lo, hi] USD, as 1e-8 base units. */
  #units(lo: number, hi: number): number {
    const notional = lo * (hi / lo) ** this.#rng.next();
    const tick = this.#bids[0]?.tick ?? this.#fair;
    const price = (tick / this.#scale) * this.#quoteUsd;
    return Math.max(1000, Math.round((notional / price) * 1e8));
  }

  /** An unseen message: received (no change), open (adds) or done (cancels). */
  #bookEvent(time: string): void {
    const rng = this.#rng;
    const r = rng.next();
    if (r < 0.3) return;
    const side: Side = rng.chance(this.#buyBias()) ? "buy" : "sell";
    const book = side === "buy" ? this.#bids : this.#asks;
    const bid = (this.#bids[0] as Level).tick;
    const ask = (this.#asks[0] as Level).tick;
    const spread = ask - bid;
    if (r < 0.7 && spread > 1 && rng.chance(spread > this.#gap ? 0.9 : 0.5)) {
      const step = rng.int(1, Math.min(this.#gap, spread - 1));
      const level = {
        tick: side === "buy" ? bid + step : ask - step,
        size: this.#units(50, 20_000),
      };
      book.unshift(level);
      this.#change(side, level.tick, level.size, time);
    } else {
      const index = rng.int(0, Math.min(book.length, 10) - 1);
      const level = book[index] as Level;
      const cancel = rng.chance(0.4) && book.length > 1
        ? 0
        : Math.max(1000, Math.floor(level.size * rng.next()));
      level.size = r < 0.7 ? level.size + this.#units(50, 20_000) : cancel;
      this.#change(side, level.tick, level.size, time);
      if (level.size === 0) book.splice(index, 1);
    }
    this.#refill(side);
  }

  /** Keeps a side between LEVELS and LEVELS + 10 levels deep. */
  #refill(side: Side): void {
    const [book, dir] = side === "buy" ? [this.#bids, -1] : [this.#asks, 1];
    const inside = side === "buy" ? this.#asks[0] : this.#bids[0];
    while (book.length < LEVELS) {
      const from = book.at(-1)?.tick ?? (inside as Level).tick;
      const level = {
        tick: from + dir * this.#rng.int(1, this.#gap),
        size: this.#units(50, 50_000),
      };
      if (level.tick <= 0) break;
      book.push(level);
      this.#change(side, level.tick, level.size, this.#changeTime);
    }
    while (book.length > LEVELS + 10) {
      this.#change(side, (book.pop() as Level).tick, 0, this.#changeTime);
    }
  }

  #change(side: Side, tick: number, size: number, time: string): void {
    this.#changes.set(`${side}${tick}`, [side, tick, size]);
    this.#changeTime = time;
  }
}
