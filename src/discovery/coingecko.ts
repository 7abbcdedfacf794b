/**
 * CoinGecko's market-cap ranking (`GET /api/v3/coins/markets`), the input of
 * top-N pair discovery, plus the small JSON-over-HTTP helper and the error
 * type every discovery request shares.
 *
 * Request timeouts use real timers, not an injected clock: they bound I/O,
 * and a test's manual clock would otherwise never let them fire.
 *
 * @module
 */

import {
  getJson,
  HttpJsonError,
  isRecord,
  isText,
  type JsonRequest,
} from "../http_json.ts";
import { log } from "../logging.ts";

/** Which upstream a discovery request went to. */
export type DiscoverySource = "coingecko" | "exchangeInfo";

/**
 * A discovery request failed: HTTP error, timeout, network error or a
 * response of the wrong shape. The message never contains an API key.
 */
export class DiscoveryError extends Error {
  /** The upstream that failed. */
  readonly source: DiscoverySource;
  /** The HTTP status, when the upstream answered with an error status. */
  readonly status?: number;
  /** The upstream's `Retry-After`, in ms, when it sent one. */
  readonly retryAfterMs?: number;

  /**
   * @param source the upstream that failed
   * @param message a complete sentence without secrets
   * @param extra HTTP status and `Retry-After` when known
   */
  constructor(
    source: DiscoverySource,
    message: string,
    extra: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "DiscoveryError";
    this.source = source;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.retryAfterMs !== undefined) {
      this.retryAfterMs = extra.retryAfterMs;
    }
  }
}

/** One coin of the ranking. */
export interface RankedCoin {
  /** CoinGecko's id, e.g. `bitcoin`. */
  id: string;
  /** The ticker, upper-cased, e.g. `BTC`. */
  symbol: string;
  /** Display name, e.g. `Bitcoin`. */
  name: string;
  /** 1-based position in the market-cap order of the response. */
  rank: number;
  /** Market cap in USD; `null` when CoinGecko has none. */
  marketCap: number | null;
}

/** Options for {@link fetchTopCoins}. */
export interface TopCoinsOptions {
  /** CoinGecko base URL, e.g. `https://api.coingecko.com`. */
  url: string;
  /** Demo or pro API key; the header is chosen from the URL's host. */
  apiKey?: string;
  /** How many coins to return (clamped to 0 … {@link COINGECKO_MAX_COINS}). */
  limit: number;
  /** @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Per page request, ms. @default {10000} */
  timeoutMs?: number;
  /** Aborts the requests (e.g. at shutdown). */
  signal?: AbortSignal;
}

/** CoinGecko's largest `per_page`. */
export const COINGECKO_PER_PAGE = 250;
/** At most this many pages are requested: 2,000 coins. */
export const COINGECKO_MAX_PAGES = 8;
/** The most coins {@link fetchTopCoins} returns. */
export const COINGECKO_MAX_COINS = COINGECKO_PER_PAGE * COINGECKO_MAX_PAGES;

const PRO_HOST = "pro-api.coingecko.com";

/**
 * The top `limit` coins by market cap, fetched page by page (250 per page,
 * at most 8 pages, stopping early at a short page). Entries of the wrong
 * shape are skipped and counted in a warning; a coin id seen twice (the
 * ranking moved between pages) is kept once. The API key goes in
 * `x-cg-pro-api-key` for `pro-api.coingecko.com`, else `x-cg-demo-api-key`.
 *
 * @throws {DiscoveryError} on HTTP errors, timeouts, bad JSON or no usable coin
 * @example Usage
 * ```ts ignore
 * const coins = await fetchTopCoins({ url: "https://api.coingecko.com", limit: 100 });
 * coins[0]; // { id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1, marketCap: … }
 * ```
 */
export async function fetchTopCoins(
  options: TopCoinsOptions,
): Promise<RankedCoin[]> {
  const limit = Math.min(
    COINGECKO_MAX_COINS,
    Math.max(0, Math.floor(options.limit) || 0),
  );
  if (limit === 0) return [];
  const secret = options.apiKey || undefined;
  const headers: Record<string, string> = { accept: "application/json" };
  if (secret !== undefined) {
    headers[
      hostOf(options.url) === PRO_HOST
        ? "x-cg-pro-api-key"
        : "x-cg-demo-api-key"
    ] = secret;
  }
  const perPage = Math.min(COINGECKO_PER_PAGE, limit);
  const pages = Math.ceil(limit / perPage);
  const coins: RankedCoin[] = [];
  const seen = new Set<string>();
  let invalid = 0;
  for (let page = 1; page <= pages && coins.length < limit; page++) {
    const query = new URLSearchParams({
      vs_currency: "usd",
      order: "market_cap_desc",
      per_page: String(perPage),
      page: String(page),
    });
    const body = await discoveryGet("coingecko", {
      label: "CoinGecko",
      base: options.url,
      path: `/api/v3/coins/markets?${query}`,
      headers,
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(secret !== undefined ? { secret } : {}),
    });
    const parsed = parseMarketsPage(body, (page - 1) * perPage);
    invalid += parsed.invalid;
    for (const coin of parsed.coins) {
      if (seen.has(coin.id)) continue;
      seen.add(coin.id);
      coins.push(coin);
    }
    if ((body as unknown[]).length < perPage) break;
  }
  if (invalid > 0) {
    log("discovery").warn(
      "CoinGecko sent {invalid} malformed coin entries; skipped them",
      { invalid },
    );
  }
  if (coins.length === 0) {
    throw new DiscoveryError("coingecko", "CoinGecko returned no usable coins");
  }
  return coins.slice(0, limit);
}

/**
 * Validates one `coins/markets` page. Ranks are positions: `offset` plus the
 * 1-based index in the page, so a skipped entry leaves a gap, not a shift.
 *
 * @throws {DiscoveryError} when `body` is not an array
 * @example Usage
 * ```ts
 * parseMarketsPage([{ id: "bitcoin", symbol: "btc", name: "Bitcoin", market_cap: 1 }, {}], 0);
 * // { coins: [{ id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1, marketCap: 1 }], invalid: 1 }
 * ```
 */
export function parseMarketsPage(
  body: unknown,
  offset: number,
): { coins: RankedCoin[]; invalid: number } {
  if (!Array.isArray(body)) {
    throw new DiscoveryError(
      "coingecko",
      "CoinGecko sent an unexpected response (expected an array of coins)",
    );
  }
  const coins: RankedCoin[] = [];
  let invalid = 0;
  body.forEach((entry: unknown, i) => {
    const coin = isRecord(entry) ? entry : {};
    const { id, symbol, name, market_cap: cap } = coin;
    if (!isText(id) || !isText(symbol)) {
      invalid++;
      return;
    }
    coins.push({
      id,
      symbol: symbol.trim().toUpperCase(),
      name: isText(name) ? name : id,
      rank: offset + i + 1,
      marketCap: typeof cap === "number" && Number.isFinite(cap) ? cap : null,
    });
  });
  return { coins, invalid };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return ""; // getJson reports the bad URL
  }
}

/** {@link getJson}, with failures as {@link DiscoveryError}s of `source`. */
export async function discoveryGet(
  source: DiscoverySource,
  req: JsonRequest,
): Promise<unknown> {
  try {
    return await getJson(req);
  } catch (e) {
    if (!(e instanceof HttpJsonError)) throw e;
    throw new DiscoveryError(source, e.message, {
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
    });
  }
}
