/**
 * Binance Spot symbol metadata from `GET /api/v3/exchangeInfo`: the unified
 * `BASE-QUOTE` symbol comes from the exchange's `baseAsset`/`quoteAsset`.
 * Only when exchangeInfo cannot be had does {@link guessSymbol} split a
 * native symbol by known quote assets, and it says so (`status: "UNKNOWN"`).
 *
 * @module
 */

import { DiscoveryError, discoveryGet } from "./coingecko.ts";
import { isText } from "../http_json.ts";
import { log } from "../logging.ts";

/** One Binance Spot symbol. */
export interface SymbolInfo {
  /** Binance's symbol, e.g. `BTCUSDT`. */
  nativeSymbol: string;
  /** Unified `BASE-QUOTE`, e.g. `BTC-USDT`. */
  symbol: string;
  /** e.g. `BTC` */
  base: string;
  /** e.g. `USDT` */
  quote: string;
  /** Binance's status (`TRADING`, `BREAK`, …); `UNKNOWN` when guessed. */
  status: string;
}

/** Options for {@link fetchBinanceSymbols}. */
export interface BinanceSymbolsOptions {
  /** REST base URL, e.g. `https://api.binance.com`. */
  restUrl: string;
  /** @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** The response is several MB. @default {15000} */
  timeoutMs?: number;
  /** Aborts the request (e.g. at shutdown). */
  signal?: AbortSignal;
}

/**
 * Every Spot symbol of `GET {restUrl}/api/v3/exchangeInfo`, keyed by native
 * symbol, whatever its status.
 *
 * @throws {DiscoveryError} (source `exchangeInfo`) on HTTP errors, timeouts,
 * a response without a `symbols` array, or no usable symbol
 * @example Usage
 * ```ts ignore
 * const symbols = await fetchBinanceSymbols({ restUrl: "https://api.binance.com" });
 * symbols.get("BTCUSDT"); // { nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", base: "BTC", quote: "USDT", status: "TRADING" }
 * ```
 */
export async function fetchBinanceSymbols(
  options: BinanceSymbolsOptions,
): Promise<Map<string, SymbolInfo>> {
  const label = "Binance exchangeInfo";
  const body = await discoveryGet("exchangeInfo", {
    label,
    base: options.restUrl,
    path: "/api/v3/exchangeInfo",
    headers: { accept: "application/json" },
    timeoutMs: options.timeoutMs ?? 15_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { symbols, invalid } = parseExchangeInfo(body);
  if (invalid > 0) {
    log("discovery").warn(
      "Binance exchangeInfo had {invalid} malformed symbol entries; skipped them",
      { invalid },
    );
  }
  if (symbols.size === 0) {
    throw new DiscoveryError("exchangeInfo", `${label} listed no symbols`);
  }
  return symbols;
}

/**
 * Validates an exchangeInfo body: entries need string `symbol`, `status`,
 * `baseAsset` and `quoteAsset`; others are skipped and counted.
 *
 * @throws {DiscoveryError} when there is no `symbols` array
 * @example Usage
 * ```ts
 * parseExchangeInfo({ symbols: [{ symbol: "ETHBTC", status: "TRADING", baseAsset: "ETH", quoteAsset: "BTC" }] });
 * // { symbols: Map { "ETHBTC" => { …, symbol: "ETH-BTC" } }, invalid: 0 }
 * ```
 */
export function parseExchangeInfo(
  body: unknown,
): { symbols: Map<string, SymbolInfo>; invalid: number } {
  const list = typeof body === "object" && body !== null
    ? (body as { symbols?: unknown }).symbols
    : undefined;
  if (!Array.isArray(list)) {
    throw new DiscoveryError(
      "exchangeInfo",
      "Binance exchangeInfo sent an unexpected response (no symbols array)",
    );
  }
  const symbols = new Map<string, SymbolInfo>();
  let invalid = 0;
  for (const entry of list as unknown[]) {
    const e = (typeof entry === "object" && entry !== null ? entry : {}) as {
      symbol?: unknown;
      status?: unknown;
      baseAsset?: unknown;
      quoteAsset?: unknown;
    };
    const { symbol, status, baseAsset, quoteAsset } = e;
    if (
      !isText(symbol) || !isText(status) || !isText(baseAsset) ||
      !isText(quoteAsset)
    ) {
      invalid++;
      continue;
    }
    symbols.set(symbol, {
      nativeSymbol: symbol,
      symbol: `${baseAsset}-${quoteAsset}`,
      base: baseAsset,
      quote: quoteAsset,
      status,
    });
  }
  return { symbols, invalid };
}

/**
 * Quote assets {@link guessSymbol} knows, for use only without exchangeInfo.
 * Longer names win (`FDUSD` before `USD`-like shorter suffixes).
 */
export const KNOWN_QUOTES: readonly string[] = [
  "USDT",
  "FDUSD",
  "USDC",
  "TUSD",
  "BUSD",
  "USDP",
  "USD1",
  "DAI",
  "BTC",
  "ETH",
  "BNB",
  "XRP",
  "TRX",
  "DOGE",
  "SOL",
  "EUR",
  "EURI",
  "AEUR",
  "GBP",
  "TRY",
  "BRL",
  "JPY",
  "AUD",
  "ARS",
  "MXN",
  "PLN",
  "RON",
  "UAH",
  "ZAR",
  "COP",
  "CZK",
  "IDR",
  "NGN",
];

/** {@link KNOWN_QUOTES}, longest first, for the longest-suffix rule. */
const QUOTES_BY_LENGTH = [...KNOWN_QUOTES].sort((a, b) => b.length - a.length);

/**
 * Splits a native symbol at the longest known quote suffix. A guess, for
 * when exchangeInfo is unavailable: the result has `status: "UNKNOWN"`.
 * Input is upper-cased and `-`, `/`, `_` are dropped.
 *
 * @example Usage
 * ```ts
 * guessSymbol("BNBFDUSD"); // { nativeSymbol: "BNBFDUSD", symbol: "BNB-FDUSD", base: "BNB", quote: "FDUSD", status: "UNKNOWN" }
 * guessSymbol("FOO"); // undefined
 * ```
 */
export function guessSymbol(native: string): SymbolInfo | undefined {
  const n = normalizeNative(native);
  if (!/^[A-Z0-9]+$/.test(n)) return undefined;
  const quote = QUOTES_BY_LENGTH.find((q) =>
    n.length > q.length && n.endsWith(q)
  );
  if (quote === undefined) return undefined;
  const base = n.slice(0, n.length - quote.length);
  return {
    nativeSymbol: n,
    symbol: `${base}-${quote}`,
    base,
    quote,
    status: "UNKNOWN",
  };
}

/** What {@link resolvePairs} found. */
export interface ResolvedPairs {
  /** Pairs to subscribe, in input order (any exchange status). */
  pairs: SymbolInfo[];
  /** Natives whose metadata was guessed (no exchangeInfo). */
  guessed: string[];
  /**
   * Natives that cannot be used: not listed by exchangeInfo, or, without
   * exchangeInfo, not splittable by a known quote. Report them; do not
   * subscribe.
   */
  unknown: string[];
}

/**
 * Metadata for an explicit or fallback list of natives (upper-cased,
 * separators dropped, duplicates removed). With exchangeInfo, a native it
 * lists is used whatever its status and any other is unknown; without it,
 * natives are guessed and flagged.
 *
 * @example Usage
 * ```ts
 * resolvePairs(["btcusdt", "ETHUSDT"], undefined).guessed; // ["BTCUSDT", "ETHUSDT"]
 * ```
 */
export function resolvePairs(
  natives: readonly string[],
  symbols: ReadonlyMap<string, SymbolInfo> | undefined,
): ResolvedPairs {
  const out: ResolvedPairs = { pairs: [], guessed: [], unknown: [] };
  const seen = new Set<string>();
  for (const raw of natives) {
    const native = normalizeNative(raw);
    if (native === "" || seen.has(native)) continue;
    seen.add(native);
    const info = symbols === undefined
      ? guessSymbol(native)
      : symbols.get(native);
    if (info === undefined) {
      out.unknown.push(native);
      continue;
    }
    out.pairs.push(info);
    if (symbols === undefined) out.guessed.push(native);
  }
  return out;
}

/**
 * `btcusdt`, `BTC-USDT`, `btc/usdt` → `BTCUSDT`.
 *
 * @example Usage
 * ```ts
 * normalizeNative(" eth/btc "); // "ETHBTC"
 * ```
 */
export function normalizeNative(native: string): string {
  return native.trim().toUpperCase().replace(/[-/_]/g, "");
}
