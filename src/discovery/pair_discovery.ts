/**
 * Top-N Binance Spot pairs, kept fresh: CoinGecko's market-cap ranking and
 * Binance's exchangeInfo are fetched every refresh period and the resulting
 * list is applied as a diff. When either upstream fails, the last good list
 * stays (or, before any success, the fallback pairs run) and `status` says
 * so in a sentence fit for `/health`.
 *
 * Timing: a successful refresh schedules the next one `refreshMs` later.
 * After a failure the retry comes sooner: 30 s, 60 s, 120 s … doubling up to
 * `refreshMs` (each delay 80–100 % of that ceiling, so instances spread out;
 * never shorter than the upstream's `Retry-After`, never longer than
 * `refreshMs`). Any refresh, timed or called, re-arms the timer.
 *
 * @module
 */

import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { log } from "../logging.ts";
import {
  fetchBinanceSymbols,
  resolvePairs,
  type SymbolInfo,
} from "./binance_symbols.ts";
import { DiscoveryError, fetchTopCoins } from "./coingecko.ts";
import {
  defaultCoinLimit,
  diffPairs,
  type DiscoveredPair,
  fallbackPairs,
  isEmptyDiff,
  type PairDiff,
  retryDelay,
  selectTopPairs,
  type SelectTopPairsResult,
} from "./top_pairs.ts";

/** Settings of a {@link PairDiscovery}. */
export interface PairDiscoveryOptions {
  /** Binance REST base URL (`BINANCE_REST_URL`). */
  restUrl: string;
  /** CoinGecko base URL (`COINGECKO_URL`). */
  coingeckoUrl: string;
  /** `COINGECKO_API_KEY`; never logged. */
  coingeckoApiKey?: string;
  /** Quote asset (`DISCOVERY_QUOTE`), e.g. `USDT`. */
  quote: string;
  /** Discovered pairs at most (`PAIRS_LIMIT`). */
  limit: number;
  /** Natives always streamed (`FALLBACK_PAIRS`). */
  fallback: readonly string[];
  /** Refresh period (`DISCOVERY_REFRESH_SEC` × 1000); at least 1 s. */
  refreshMs: number;
  /** @default {systemClock} */
  clock?: Clock;
  /** @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** The pair list changed (always called after the first refresh). */
  onChange(pairs: readonly DiscoveredPair[], diff: PairDiff): void;
  /** First retry delay after a failure, in ms. @default {30000} */
  retryBaseMs?: number;
  /** Per request timeout, ms. @default CoinGecko 10 s per page, exchangeInfo 15 s */
  timeoutMs?: number;
  /**
   * Coins requested from CoinGecko; many top coins have no pair with the
   * quote, so more than `limit` are needed.
   * @default {whole 250-coin pages covering 3 × limit, at most 2,000}
   */
  coinLimit?: number;
  /** Jitter source in [0, 1). @default {Math.random} */
  random?: () => number;
}

/** Health of discovery. */
export interface DiscoveryStatus {
  /** `discovery`: fresh list; `last-good`: failing, old list kept; `fallback`: failing, fallback pairs. */
  mode: "discovery" | "fallback" | "last-good";
  /** Epoch ms of the last successful refresh. */
  lastSuccessTs?: number;
  /** Epoch ms of the last refresh attempt. */
  lastAttemptTs?: number;
  /** The last failure's message (no secrets); cleared by a success. */
  lastError?: string;
  /** A sentence for `/health` when something is off. */
  problem?: string;
  /** Consecutive failed attempts. */
  failures: number;
  /** Natives whose unified symbol was guessed (exchangeInfo unavailable). */
  guessed?: string[];
  /** Fallback natives that cannot be streamed (not on Binance, or unsplittable). */
  unknown?: string[];
}

const logger = () => log("discovery");

/**
 * Keeps the top-N pair list and reports its changes. {@link start} never
 * rejects; {@link stop} is final.
 *
 * @example Usage
 * ```ts ignore
 * const discovery = new PairDiscovery({
 *   restUrl: "https://api.binance.com", coingeckoUrl: "https://api.coingecko.com",
 *   quote: "USDT", limit: 200, fallback: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
 *   refreshMs: 3_600_000,
 *   onChange: (pairs, diff) => session.setDesired(streamsFor(pairs)),
 * });
 * await discovery.start();
 * discovery.status; // { mode: "discovery", failures: 0, … }
 * discovery.stop();
 * ```
 */
export class PairDiscovery {
  #opts: PairDiscoveryOptions;
  #clock: Clock;
  #refreshMs: number;
  #abort = new AbortController();
  #pairs: readonly DiscoveredPair[] = [];
  #applied = false;
  #symbols: Map<string, SymbolInfo> | undefined;
  #lastGood: readonly DiscoveredPair[] | undefined;
  #inflight: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #timer: TimerId | undefined;
  #started = false;
  #stopped = false;
  /** Delay before the next timed refresh, set by each cycle. */
  #nextMs: number;
  #mode: DiscoveryStatus["mode"] = "fallback";
  #failures = 0;
  #lastSuccessTs: number | undefined;
  #lastAttemptTs: number | undefined;
  #lastError: string | undefined;
  #problem: string | undefined = "binance discovery has not run yet";
  #guessed: string[] = [];
  #unknown: string[] = [];

  /** @param options see {@link PairDiscoveryOptions} */
  constructor(options: PairDiscoveryOptions) {
    this.#opts = options;
    this.#clock = options.clock ?? systemClock;
    this.#refreshMs = Math.max(1_000, options.refreshMs);
    this.#nextMs = this.#refreshMs;
  }

  /** The pairs in effect. */
  get pairs(): readonly DiscoveredPair[] {
    return this.#pairs;
  }

  /** The last good exchangeInfo, by native symbol. */
  get symbols(): ReadonlyMap<string, SymbolInfo> | undefined {
    return this.#symbols;
  }

  /** Mode, timestamps and the problem sentence, for `/health`. */
  get status(): DiscoveryStatus {
    const optional = {
      lastSuccessTs: this.#lastSuccessTs,
      lastAttemptTs: this.#lastAttemptTs,
      lastError: this.#lastError,
      problem: this.#problem,
      guessed: this.#guessed.length > 0 ? [...this.#guessed] : undefined,
      unknown: this.#unknown.length > 0 ? [...this.#unknown] : undefined,
    };
    const status: DiscoveryStatus = {
      mode: this.#mode,
      failures: this.#failures,
    };
    for (const [k, v] of Object.entries(optional)) {
      if (v !== undefined) Object.assign(status, { [k]: v });
    }
    return status;
  }

  /** Runs the first refresh, then refreshes on the clock. Idempotent. */
  start(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#started = true;
    return this.#starting ??= this.refresh();
  }

  /** One refresh; concurrent calls share one run. Never rejects. */
  refresh(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return this.#inflight ??= this.#cycle().finally(() => {
      this.#inflight = undefined;
    });
  }

  /** Cancels the timer and in-flight requests; results after it are dropped. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
  }

  async #cycle(): Promise<void> {
    const o = this.#opts;
    const common = {
      signal: this.#abort.signal,
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.fetch ? { fetch: o.fetch } : {}),
    };
    this.#lastAttemptTs = this.#clock.now();
    try {
      const [coins, symbols] = await Promise.allSettled([
        fetchTopCoins({
          url: o.coingeckoUrl,
          limit: o.coinLimit ?? defaultCoinLimit(o.limit),
          ...(o.coingeckoApiKey ? { apiKey: o.coingeckoApiKey } : {}),
          ...common,
        }),
        fetchBinanceSymbols({ restUrl: o.restUrl, ...common }),
      ]);
      if (this.#stopped) return;
      if (symbols.status === "fulfilled") this.#symbols = symbols.value;
      if (coins.status === "fulfilled" && symbols.status === "fulfilled") {
        const { quote, limit, fallback } = o;
        const coinList = coins.value;
        const selected = selectTopPairs({
          coins: coinList,
          symbols: symbols.value,
          quote,
          limit,
          fallback,
        });
        this.#succeed(coinList.length, selected);
      } else {
        this.#fail(
          [coins, symbols].flatMap((r) =>
            r.status === "rejected" ? [r.reason] : []
          ),
        );
      }
    } catch (e) {
      if (!this.#stopped) this.#fail([e]);
    } finally {
      this.#scheduleNext();
    }
  }

  #succeed(coinCount: number, sel: SelectTopPairsResult): void {
    const discovered = sel.pairs.filter((p) => p.source === "discovery");
    const problems: string[] = [];
    if (discovered.length === 0 && this.#opts.limit > 0) {
      problems.push(
        `no CoinGecko coin maps to a TRADING ${this.#opts.quote} pair; running on ${sel.pairs.length} fallback pairs`,
      );
    }
    if (sel.unknownFallback.length > 0) {
      const list = sel.unknownFallback.join(", ");
      problems.push(`fallback pairs not listed on Binance: ${list}`);
    }
    if (this.#failures > 0) {
      logger().info(
        "Binance pair discovery recovered after {failures} failed attempts",
        { failures: this.#failures },
      );
    }
    this.#mode = "discovery";
    this.#failures = 0;
    this.#lastSuccessTs = this.#clock.now();
    this.#lastError = undefined;
    this.#problem = problems.length > 0
      ? `binance discovery: ${problems.join("; ")}`
      : undefined;
    this.#guessed = [];
    this.#unknown = sel.unknownFallback;
    this.#lastGood = sel.pairs;
    this.#nextMs = this.#refreshMs;
    logger().debug(
      "Binance pair discovery: {pairs} pairs ({discovered} discovered from {coins} coins; {unmapped} coins unmapped)",
      {
        pairs: sel.pairs.length,
        discovered: discovered.length,
        coins: coinCount,
        unmapped: sel.unmapped.length,
      },
    );
    this.#apply(sel.pairs);
  }

  #fail(errors: unknown[]): void {
    const key = this.#opts.coingeckoApiKey;
    const message = errors.map((e) => errorMessage(e, key)).join("; ");
    const failures = ++this.#failures;
    this.#lastError = message;
    let action: string;
    if (this.#lastGood !== undefined) {
      const since = new Date(this.#lastSuccessTs ?? 0).toISOString();
      action =
        `keeping the last good list of ${this.#lastGood.length} pairs from ${since}`;
      this.#mode = "last-good";
    } else {
      const resolved = resolvePairs(this.#opts.fallback, this.#symbols);
      const pairs = fallbackPairs(resolved);
      action = `running on ${pairs.length} fallback pairs`;
      if (resolved.guessed.length > 0) {
        action += " (symbols guessed: exchangeInfo unavailable)";
      }
      if (resolved.unknown.length > 0) {
        action += `; not usable: ${resolved.unknown.join(", ")}`;
      }
      this.#mode = "fallback";
      this.#guessed = resolved.guessed;
      this.#unknown = resolved.unknown;
      this.#apply(pairs);
    }
    this.#problem = `binance discovery: ${message}; ${action}`;
    const retryInMs = this.#nextMs = retryDelay(failures, {
      baseMs: this.#opts.retryBaseMs ?? 30_000,
      refreshMs: this.#refreshMs,
      retryAfterMs: Math.max(
        0,
        ...errors.map((e) =>
          e instanceof DiscoveryError ? e.retryAfterMs ?? 0 : 0
        ),
      ),
      random: this.#opts.random ?? Math.random,
    });
    const fields = { error: message, action, failures, retryInMs };
    if (failures === 1) {
      logger().warn(
        "Binance pair discovery failed: {error}; {action}; retrying in {retryInMs} ms",
        fields,
      );
    } else {
      logger().debug(
        "Binance pair discovery still failing ({failures} attempts): {error}",
        fields,
      );
    }
  }

  #apply(pairs: readonly DiscoveredPair[]): void {
    const diff = diffPairs(this.#pairs, pairs);
    const first = !this.#applied;
    this.#pairs = pairs;
    this.#applied = true;
    if (!first && isEmptyDiff(diff)) return;
    const { added, removed } = diff;
    logger().info("Binance pairs: {count} ({added} added, {removed} removed)", {
      count: pairs.length,
      added: added.length,
      removed: removed.length,
    });
    try {
      this.#opts.onChange(pairs, diff);
    } catch (error) {
      logger().error("Pair change handler failed: {error}", { error });
    }
  }

  #scheduleNext(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#started || this.#stopped) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.refresh();
    }, this.#nextMs);
  }
}

/** A failure as text; non-discovery errors are scrubbed of the API key. */
function errorMessage(e: unknown, secret: string | undefined): string {
  if (e instanceof DiscoveryError) return e.message;
  const text = `unexpected error: ${e instanceof Error ? e.message : e}`;
  return secret ? text.split(secret).join("***") : text;
}
