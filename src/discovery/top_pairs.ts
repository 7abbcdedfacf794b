/**
 * The pure part of discovery: CoinGecko's ranking + Binance's symbols → the
 * pairs to stream, the difference between two such lists, and the numbers
 * (coins to request, retry delays) `PairDiscovery` runs on.
 *
 * @module
 */

import { backoffCeiling } from "../core/backoff.ts";
import {
  COINGECKO_MAX_COINS,
  COINGECKO_PER_PAGE,
  type RankedCoin,
} from "./coingecko.ts";
import {
  normalizeNative,
  type ResolvedPairs,
  type SymbolInfo,
} from "./binance_symbols.ts";

/** One pair tickgate streams, and why. */
export interface DiscoveredPair {
  /** Binance's symbol, e.g. `BTCUSDT`. */
  nativeSymbol: string;
  /** Unified `BASE-QUOTE`, e.g. `BTC-USDT`. */
  symbol: string;
  /** Top-N discovery, the fallback list, or an explicit `BINANCE_PAIRS`. */
  source: "discovery" | "fallback" | "explicit";
  /** The coin's market-cap rank, for `discovery` pairs. */
  rank?: number;
  /** Set when `symbol` was guessed because exchangeInfo was unavailable. */
  guessed?: true;
}

/** Input of {@link selectTopPairs}. */
export interface SelectTopPairsInput {
  /** The ranking; walked in `rank` order. */
  coins: readonly RankedCoin[];
  /** exchangeInfo symbols by native symbol. */
  symbols: ReadonlyMap<string, SymbolInfo>;
  /** Quote asset, e.g. `USDT`. */
  quote: string;
  /** How many discovered pairs at most. */
  limit: number;
  /** Native symbols always included (beyond `limit` too). */
  fallback: readonly string[];
}

/** Output of {@link selectTopPairs}. */
export interface SelectTopPairsResult {
  /** Discovered pairs by rank, then fallback pairs not already present. */
  pairs: DiscoveredPair[];
  /** Tickers of walked coins that have no TRADING pair with the quote. */
  unmapped: string[];
  /** Fallback natives exchangeInfo does not list: not included. */
  unknownFallback: string[];
}

/**
 * Maps the ranking to TRADING `{coin}{quote}` symbols (matched on
 * exchangeInfo's `baseAsset`/`quoteAsset`, not on strings): the quote coin
 * itself is skipped, a ticker already taken by a higher-ranked coin is
 * skipped (first by rank wins), and the walk stops at `limit` pairs. Then
 * each fallback native exchangeInfo lists (any status) is added unless
 * present.
 *
 * @example Usage
 * ```ts
 * const btc = { nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", base: "BTC", quote: "USDT", status: "TRADING" };
 * selectTopPairs({
 *   coins: [{ id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1, marketCap: 1 }],
 *   symbols: new Map([["BTCUSDT", btc]]),
 *   quote: "USDT",
 *   limit: 10,
 *   fallback: ["BTCUSDT"],
 * }).pairs; // [{ nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", source: "discovery", rank: 1 }]
 * ```
 */
export function selectTopPairs(
  input: SelectTopPairsInput,
): SelectTopPairsResult {
  const quote = input.quote.trim().toUpperCase();
  const limit = Math.max(0, Math.floor(input.limit) || 0);
  const byBase = new Map<string, SymbolInfo>();
  for (const info of input.symbols.values()) {
    if (info.status === "TRADING" && info.quote === quote) {
      byBase.set(info.base, info);
    }
  }
  const result: SelectTopPairsResult = {
    pairs: [],
    unmapped: [],
    unknownFallback: [],
  };
  const taken = new Set<string>();
  const present = new Set<string>();
  const ranked = [...input.coins].sort((a, b) => a.rank - b.rank);
  for (const coin of ranked) {
    if (result.pairs.length >= limit) break;
    const base = coin.symbol.toUpperCase();
    if (base === quote || taken.has(base)) continue;
    taken.add(base);
    const info = byBase.get(base);
    if (info === undefined) {
      result.unmapped.push(base);
      continue;
    }
    present.add(info.nativeSymbol);
    result.pairs.push({
      nativeSymbol: info.nativeSymbol,
      symbol: info.symbol,
      source: "discovery",
      rank: coin.rank,
    });
  }
  for (const raw of input.fallback) {
    const native = normalizeNative(raw);
    if (native === "" || present.has(native)) continue;
    present.add(native);
    const info = input.symbols.get(native);
    if (info === undefined) {
      result.unknownFallback.push(native);
      continue;
    }
    result.pairs.push({
      nativeSymbol: info.nativeSymbol,
      symbol: info.symbol,
      source: "fallback",
    });
  }
  return result;
}

/** What changed between two pair lists. */
export interface PairDiff {
  /** In `after`, not in `before` (objects from `after`). */
  added: DiscoveredPair[];
  /** In `before`, not in `after` (objects from `before`). */
  removed: DiscoveredPair[];
}

/**
 * Difference by native symbol. A native in both lists whose unified
 * `symbol` changed (a guess replaced by exchangeInfo's answer) is reported
 * as removed and added, so consumers re-key it. Changes of `source` or
 * `rank` alone are not differences.
 *
 * @example Usage
 * ```ts
 * const a = { nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", source: "discovery" } as const;
 * const b = { nativeSymbol: "ETHUSDT", symbol: "ETH-USDT", source: "discovery" } as const;
 * diffPairs([a], [a, b]); // { added: [b], removed: [] }
 * ```
 */
export function diffPairs(
  before: readonly DiscoveredPair[],
  after: readonly DiscoveredPair[],
): PairDiff {
  const old = new Map(before.map((p) => [p.nativeSymbol, p]));
  const now = new Map(after.map((p) => [p.nativeSymbol, p]));
  const added: DiscoveredPair[] = [];
  const removed: DiscoveredPair[] = [];
  for (const [native, p] of old) {
    const next = now.get(native);
    if (next === undefined || next.symbol !== p.symbol) removed.push(p);
  }
  for (const [native, p] of now) {
    const prev = old.get(native);
    if (prev === undefined || prev.symbol !== p.symbol) added.push(p);
  }
  return { added, removed };
}

/**
 * `true` when `diff` has no additions and no removals.
 *
 * @example Usage
 * ```ts
 * isEmptyDiff({ added: [], removed: [] }); // true
 * ```
 */
export function isEmptyDiff(diff: PairDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0;
}

/**
 * Fallback pairs from `resolvePairs`' answer, guessed ones flagged.
 *
 * @example Usage
 * ```ts
 * const btc = { nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", base: "BTC", quote: "USDT", status: "UNKNOWN" };
 * fallbackPairs({ pairs: [btc], guessed: ["BTCUSDT"], unknown: [] });
 * // [{ nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", source: "fallback", guessed: true }]
 * ```
 */
export function fallbackPairs(resolved: ResolvedPairs): DiscoveredPair[] {
  const guessed = new Set(resolved.guessed);
  return resolved.pairs.map((info) => ({
    nativeSymbol: info.nativeSymbol,
    symbol: info.symbol,
    source: "fallback",
    ...(guessed.has(info.nativeSymbol) ? { guessed: true as const } : {}),
  }));
}

/**
 * Coins to request from CoinGecko for `limit` pairs: whole 250-coin pages
 * covering 3 × `limit` (many top coins have no pair with the quote), at
 * most 2,000; 0 for no limit.
 *
 * @example Usage
 * ```ts
 * defaultCoinLimit(200); // 750 (3 pages)
 * defaultCoinLimit(10); // 250
 * ```
 */
export function defaultCoinLimit(limit: number): number {
  if (!(limit > 0)) return 0;
  const pages = Math.ceil((limit * 3) / COINGECKO_PER_PAGE);
  return Math.min(COINGECKO_MAX_COINS, pages * COINGECKO_PER_PAGE);
}

/** Inputs of {@link retryDelay}. */
export interface RetryDelayOptions {
  /** Ceiling of the first retry, ms (30 s in tickgate). */
  baseMs: number;
  /** The refresh period: no retry waits longer. */
  refreshMs: number;
  /** The upstream's `Retry-After`, ms; honoured up to `refreshMs`. */
  retryAfterMs?: number;
  /** In [0, 1); picks 80–100 % of the ceiling. */
  random: () => number;
}

/**
 * Delay before the retry after `failures` (≥ 1) consecutive failures:
 * ceiling `baseMs × 2^(failures−1)` capped at `refreshMs`, jittered to
 * 80–100 % of it, raised to `retryAfterMs`, never above `refreshMs`.
 *
 * @example Usage
 * ```ts
 * retryDelay(1, { baseMs: 30_000, refreshMs: 3_600_000, random: () => 0 }); // 24_000
 * retryDelay(9, { baseMs: 30_000, refreshMs: 3_600_000, random: () => 0.5 }); // 3_240_000
 * ```
 */
export function retryDelay(failures: number, o: RetryDelayOptions): number {
  const ceiling = backoffCeiling(failures - 1, {
    baseMs: o.baseMs,
    capMs: o.refreshMs,
  });
  const raw = o.random();
  const r = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
  const jittered = Math.floor(ceiling * (0.8 + 0.2 * r));
  return Math.min(o.refreshMs, Math.max(jittered, o.retryAfterMs ?? 0));
}
