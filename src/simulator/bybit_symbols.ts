/**
 * Categories and symbol specifications of the Bybit simulator: price and
 * size precision per (category, symbol), close to Bybit's instrument info.
 *
 * @module
 */
import {
  BYBIT_CATEGORIES,
  type BybitCategory as VenueCategory,
} from "../venues/bybit/topics.ts";

/** A public category the simulator serves (the venue's own list). */
export type BybitCategory = VenueCategory;

/** The public categories, in path order. */
export const CATEGORIES: readonly BybitCategory[] = BYBIT_CATEGORIES;

/** Symbols per category. */
export interface BybitSymbols {
  spot?: string[];
  linear?: string[];
  inverse?: string[];
}

/** Default symbols per category. */
export const DEFAULT_SYMBOLS: Readonly<Record<BybitCategory, string[]>> = {
  spot: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"],
  linear: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
  inverse: ["BTCUSD", "ETHUSD"],
};

/** Static facts of one (category, symbol). */
export interface SymbolSpec {
  category: BybitCategory;
  symbol: string;
  base: string;
  quote: string;
  /** Coin margins and fees are settled in (quote, or base on inverse). */
  settle: string;
  /** Decimals of every price string. */
  priceDecimals: number;
  /** Price tick in price units (a price is a multiple of it). */
  tick: number;
  /** Decimals of every size string (one size unit = one step). */
  qtyDecimals: number;
  /** Starting price of the base in USD. */
  usd: number;
}

const QUOTES = ["USDT", "USDC", "USD", "BTC", "ETH", "EUR"];
const USD: Record<string, number> = {
  BTC: 65_000,
  ETH: 3_200,
  SOL: 150,
  XRP: 0.6,
  DOGE: 0.15,
  ADA: 0.45,
  BNB: 580,
  LTC: 80,
  LINK: 14,
  AVAX: 30,
  DOT: 6.5,
  TRX: 0.12,
  USDT: 1,
  USDC: 1,
  USD: 1,
  EUR: 1.08,
};
/** [price decimals, tick, qty decimals] of well-known instruments. */
const KNOWN: Record<string, [number, number, number]> = {
  "spot:BTCUSDT": [2, 1, 6],
  "spot:ETHUSDT": [2, 1, 5],
  "spot:SOLUSDT": [2, 1, 3],
  "spot:XRPUSDT": [4, 1, 2],
  "linear:BTCUSDT": [2, 10, 3],
  "linear:ETHUSDT": [2, 1, 2],
  "linear:SOLUSDT": [3, 10, 1],
  "linear:XRPUSDT": [4, 1, 0],
  "inverse:BTCUSD": [2, 50, 0],
  "inverse:ETHUSD": [2, 5, 0],
};

/** USD price of a coin at start (a stable guess for unknown coins). */
export function usdOf(coin: string): number {
  return USD[coin] ?? 1 + (coin.length * 7) % 50;
}

/**
 * The specification of `symbol` in `category`: the quote is the longest
 * known suffix (`USDT`, `USDC`, `USD`, `BTC`, `ETH`, `EUR`).
 *
 * @throws {RangeError} when `symbol` is not `[A-Z0-9]+` ending in a known quote
 */
export function symbolSpec(
  category: BybitCategory,
  symbol: string,
): SymbolSpec {
  const quote = QUOTES.find((q) =>
    symbol.endsWith(q) && symbol.length > q.length
  );
  if (!/^[A-Z0-9]+$/.test(symbol) || !quote) {
    throw new RangeError(`Unsupported Bybit symbol "${symbol}"`);
  }
  const base = symbol.slice(0, -quote.length);
  const usd = usdOf(base);
  const price = usd / usdOf(quote);
  const guess = Math.min(8, Math.max(1, 5 - Math.floor(Math.log10(price))));
  const [priceDecimals, tick, qtyDecimals] = KNOWN[`${category}:${symbol}`] ??
    [
      guess,
      1,
      category === "inverse"
        ? 0
        : Math.min(6, Math.max(0, Math.ceil(Math.log10(usd / 5)))),
    ];
  return {
    category,
    symbol,
    base,
    quote,
    settle: category === "inverse" ? base : quote,
    priceDecimals,
    tick,
    qtyDecimals,
    usd,
  };
}

/** Whether `value` names a served category. */
export function isCategory(value: string): value is BybitCategory {
  return (CATEGORIES as readonly string[]).includes(value);
}
