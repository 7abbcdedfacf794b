/**
 * The Binance Spot venue (`binance`): which pairs (explicit `BINANCE_PAIRS`,
 * else top-N discovery with fallback pairs), their streams sharded over
 * connections, and the REST snapshots behind the local order books.
 *
 * @module
 */

import type { Config } from "../../config.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import type { VenueStats } from "../../core/stats.ts";
import {
  fetchBinanceSymbols,
  resolvePairs,
  type SymbolInfo,
} from "../../discovery/binance_symbols.ts";
import { getJson } from "../../http_json.ts";
import { PairDiscovery } from "../../discovery/pair_discovery.ts";
import { log } from "../../logging.ts";
import type { StreamSpec } from "../../transport/types.ts";
import type { Pair, VenueContext, VenueDefinition } from "../types.ts";
import { binanceCatalog } from "./catalog.ts";
import { kindOf } from "./channels.ts";
import type { DepthSnapshot } from "./depth_sync.ts";
import { BinanceParser } from "./parse.ts";
import { parseDepthSnapshot } from "./parse_depth.ts";
import { binanceProtocol, binanceStreams } from "./protocol.ts";
import { RequestLog } from "./requests.ts";
import { SnapshotFetcher } from "./snapshots.ts";

/** Test seams. */
export interface BinanceVenueDeps {
  fetch?: typeof fetch;
  /** Connection renewal age. @default {RENEW_AFTER_MS} */
  renewAfterMs?: number;
}

/**
 * Builds the Binance venue from configuration. Pairs are known only after
 * `start` (exchangeInfo, discovery), so it starts with no streams.
 *
 * @example Usage
 * ```ts ignore
 * const venue = createBinanceVenue(config, new VenueStats("binance"));
 * ```
 */
export function createBinanceVenue(
  config: Config,
  stats: VenueStats,
  deps: BinanceVenueDeps = {},
): VenueDefinition {
  const cfg = config.binance;
  const logger = log("venue", "binance");
  let ctx: VenueContext | undefined;
  const requests = new RequestLog(() => ctx?.clock.now() ?? Date.now());
  let fetcher: SnapshotFetcher | undefined;
  const parser = new BinanceParser({
    stats,
    requests,
    onSnapshotNeeded: (symbol) => fetcher?.request(symbol),
  });
  /** exchangeInfo's symbols, once read (explicit pairs or discovery). */
  let listed: ReadonlyMap<string, SymbolInfo> | undefined;
  const catalog = binanceCatalog(() => listed ?? discovery?.symbols);
  let pairs: readonly Pair[] = [];
  const warnings: string[] = [];
  let discovery: PairDiscovery | undefined;
  const fetchFn = deps.fetch ?? fetch;

  const apply = (next: readonly Pair[]) => {
    pairs = next;
    parser.setPairs(next, cfg.channels);
    ctx?.setStreams(
      binanceStreams(next.map((p) => p.nativeSymbol), cfg.channels),
    );
  };

  /** Every wanted stream's symbol is known to the parser; dropped books are forgotten. */
  const streamsChanged = (
    added: readonly StreamSpec[],
    removed: readonly StreamSpec[],
  ) => {
    for (const s of added) {
      const pair = pairs.find((p) => p.nativeSymbol === s.symbol) ?? {
        symbol: catalog.unifiedSymbol(s.symbol),
        nativeSymbol: s.symbol,
      };
      parser.setPairs([pair], [s.channel]);
    }
    for (const s of removed) {
      if (kindOf(s.channel) !== "depth") continue;
      parser.resetBook(s.symbol);
      fetcher?.cancel(s.symbol);
    }
  };

  const getSnapshot = async (symbol: string): Promise<DepthSnapshot> => {
    const body = await getJson({
      label: "Binance depth snapshot",
      base: cfg.restUrl,
      path: `/api/v3/depth?symbol=${
        encodeURIComponent(symbol)
      }&limit=${cfg.depthLimit}`,
      timeoutMs: 10_000,
      fetch: fetchFn,
    });
    const snapshot = parseDepthSnapshot(body);
    if (snapshot === undefined) {
      throw new Error("Binance depth snapshot has an unexpected shape");
    }
    return snapshot;
  };

  const onSnapshot = (symbol: string, snap: DepthSnapshot, ts: number) => {
    const out: NormalizedEvent[] = [];
    const verdict = parser.applySnapshot(symbol, snap, ts, out);
    if (out.length > 0) ctx?.emit(out);
    // The snapshot predates the buffered diffs: the REST mirror lags. Again.
    if (verdict === "retry") fetcher?.request(symbol, 500);
  };

  const explicit = async (natives: string[]) => {
    let symbols;
    try {
      symbols = await fetchBinanceSymbols({
        restUrl: cfg.restUrl,
        fetch: fetchFn,
      });
    } catch (e) {
      logger.warn(
        "exchangeInfo unavailable ({error}); unified symbols are guessed",
        { error: (e as Error).message },
      );
    }
    listed = symbols;
    const resolved = resolvePairs(natives, symbols);
    if (resolved.guessed.length > 0) {
      warnings.push(
        `binance: exchangeInfo unavailable; unified symbols guessed for ${resolved.guessed.length} pairs`,
      );
    }
    if (resolved.unknown.length > 0) {
      warnings.push(
        `binance: not listed by the exchange, not streamed: ${
          resolved.unknown.join(", ")
        }`,
      );
      logger.warn("BINANCE_PAIRS not listed by Binance: {pairs}", {
        pairs: resolved.unknown.join(", "),
      });
    }
    apply(resolved.pairs.map((p) => ({
      symbol: p.symbol,
      nativeSymbol: p.nativeSymbol,
      source: "explicit" as const,
    })));
  };

  return {
    name: "binance",
    protocol: binanceProtocol({
      url: cfg.wsUrl,
      pairsPerConnection: cfg.pairsPerConnection,
      channelsPerPair: cfg.channels.length,
      requests,
      ...(deps.renewAfterMs ? { renewAfterMs: deps.renewAfterMs } : {}),
    }),
    parser,
    streams: [],
    pairs: () => pairs,
    catalog,
    streamsChanged,
    async start(context) {
      ctx = context;
      // Also for depth streams that API subscriptions add later.
      fetcher = new SnapshotFetcher({
        get: getSnapshot,
        limit: cfg.depthLimit,
        clock: context.clock,
        onSnapshot,
        onError: (symbol, error) =>
          logger.warn("Depth snapshot for {symbol} failed: {error}", {
            symbol,
            error: error.message,
          }),
      });
      if (cfg.pairs !== undefined) return await explicit(cfg.pairs);
      const d = config.discovery;
      discovery = new PairDiscovery({
        restUrl: cfg.restUrl,
        coingeckoUrl: d.coingeckoUrl,
        ...(d.coingeckoApiKey ? { coingeckoApiKey: d.coingeckoApiKey } : {}),
        quote: d.quote,
        limit: d.limit,
        fallback: d.fallback,
        refreshMs: d.refreshSec * 1000,
        clock: context.clock,
        fetch: fetchFn,
        onChange: (next) => apply(next),
      });
      await discovery.start();
    },
    refresh: () => discovery?.refresh() ?? Promise.resolve(),
    stop() {
      discovery?.stop();
      fetcher?.stop();
      return Promise.resolve();
    },
    warnings() {
      const out = [...warnings];
      const problem = discovery?.status.problem;
      if (problem) out.push(problem);
      if (fetcher && fetcher.failing > 0) {
        out.push(
          `binance: depth snapshots failing for ${fetcher.failing} symbols (last error: ${fetcher.lastError})`,
        );
      }
      return out;
    },
  };
}
