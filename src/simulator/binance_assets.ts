/**
 * Reference data for the Binance and CoinGecko simulator: realistic assets
 * (USD price, name, CoinGecko id, market cap), the default market list, the
 * default CoinGecko coin list and synthetic markets for many-pair tests.
 *
 * @module
 */
import { hashString } from "./prng.ts";

/** One Binance Spot market of the simulator. */
export interface MarketSpec {
  /** Base asset, e.g. `BTC`. */
  base: string;
  /** Quote asset, e.g. `USDT`. */
  quote: string;
  /** Binance status (default `TRADING`); any other status does not trade. */
  status?: string;
}

/** One CoinGecko coin of the simulator's `coins/markets`. */
export interface CoinSpec {
  /** CoinGecko id, e.g. `bitcoin`. */
  id: string;
  /** Ticker; rendered lowercase, as CoinGecko does. */
  symbol: string;
  name: string;
  /** USD market cap; the ranking is by this, descending. */
  marketCap: number;
  /** USD price (default: the simulated `<SYMBOL>USDT` market, else derived). */
  price?: number;
}

/** `[USD price, name, CoinGecko id, USD market cap]` of well-known assets. */
const ASSETS: Record<string, [number, string, string, number]> = {
  BTC: [60_000, "Bitcoin", "bitcoin", 1.19e12],
  ETH: [3_000, "Ethereum", "ethereum", 3.6e11],
  USDT: [1, "Tether", "tether", 1.18e11],
  BNB: [600, "BNB", "binancecoin", 8.8e10],
  SOL: [150, "Solana", "solana", 7.0e10],
  USDC: [1, "USDC", "usd-coin", 3.4e10],
  XRP: [0.6, "XRP", "ripple", 3.3e10],
  STETH: [3_000, "Lido Staked Ether", "staked-ether", 2.9e10],
  DOGE: [0.15, "Dogecoin", "dogecoin", 2.2e10],
  TRX: [0.12, "TRON", "tron", 1.05e10],
  ADA: [0.45, "Cardano", "cardano", 1.6e10],
  AVAX: [35, "Avalanche", "avalanche-2", 1.4e10],
  HYPE: [25, "Hyperliquid", "hyperliquid", 8.4e9],
  LINK: [15, "Chainlink", "chainlink", 9.1e9],
  DOT: [7, "Polkadot", "polkadot", 9.8e9],
  LTC: [80, "Litecoin", "litecoin", 6.0e9],
  LEO: [5.8, "LEO Token", "leo-token", 5.4e9],
  MATIC: [0.5, "Polygon", "matic-network", 4.9e9],
  FDUSD: [1, "First Digital USD", "first-digital-usd", 2.6e9],
};
/** Coins listed by default although no default market has them as base. */
const EXTRA_COINS = ["USDT", "USDC", "STETH", "HYPE", "LEO", "FDUSD"];

/**
 * The default markets: majors against USDT, a few BTC-quoted pairs and
 * `MATICUSDT` in status `BREAK` (it does not trade).
 */
export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  ..."BTC ETH BNB SOL XRP DOGE TRX ADA AVAX LINK DOT LTC".split(" ").map((
    base,
  ) => ({ base, quote: "USDT" })),
  ..."ETH BNB SOL LTC".split(" ").map((base) => ({ base, quote: "BTC" })),
  { base: "MATIC", quote: "USDT", status: "BREAK" },
];

/**
 * USD price of `asset`: known assets' reference price, else one derived
 * from its name (0.05 to 500).
 *
 * @example Usage
 * ```ts
 * usdPrice("BTC"); // 60000
 * usdPrice("C001"); // the same number on every run
 * ```
 */
export function usdPrice(asset: string): number {
  const known = ASSETS[asset];
  if (known) return known[0];
  return 0.05 * 10 ** ((hashString(asset) % 4000) / 1000); // 0.05 .. 500
}

/**
 * CoinGecko coins for `markets`: every distinct base (known ones with their
 * real-world names, ids and caps; others derived from the name) plus coins
 * without a default market (stablecoins, `staked-ether`, `hyperliquid`, ...).
 *
 * @example Usage
 * ```ts
 * defaultCoins([{ base: "BTC", quote: "USDT" }])[0];
 * // { id: "bitcoin", symbol: "BTC", name: "Bitcoin", marketCap: 1.19e12 }
 * ```
 */
export function defaultCoins(markets: readonly MarketSpec[]): CoinSpec[] {
  const bases = [...new Set(markets.map((m) => m.base)), ...EXTRA_COINS];
  return [...new Set(bases)].map((symbol) => {
    const known = ASSETS[symbol];
    if (known) {
      return { id: known[2], symbol, name: known[1], marketCap: known[3] };
    }
    const cap = 1e7 * 10 ** ((hashString(symbol) % 3000) / 1000);
    const name = `${symbol[0]}${symbol.slice(1).toLowerCase()} Coin`;
    return { id: `${symbol.toLowerCase()}-coin`, symbol, name, marketCap: cap };
  });
}

/**
 * `n` distinct synthetic markets, `C001USDT`, `C002USDT`, ..., all trading,
 * for many-pair tests and benchmarks.
 *
 * @example Usage
 * ```ts
 * syntheticMarkets(300).length; // 300
 * syntheticMarkets(2); // [{ base: "C001", quote: "USDT" }, { base: "C002", quote: "USDT" }]
 * ```
 */
export function syntheticMarkets(n: number): MarketSpec[] {
  const width = Math.max(3, String(n).length);
  return Array.from({ length: n }, (_, i) => ({
    base: `C${String(i + 1).padStart(width, "0")}`,
    quote: "USDT",
  }));
}
