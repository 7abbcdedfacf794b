/**
 * The Bybit v5 venue (`bybit`): the public topics of `BYBIT_SYMBOLS` ×
 * `BYBIT_TOPICS` on the category's public endpoint, and, when API
 * credentials are configured, the private stream (`order`, `execution`,
 * `wallet`, `position` for derivatives) with the wallet balances fetched at
 * each authentication. A refused `auth` is a problem in /health (the key
 * and secret never appear anywhere: venue text is scrubbed of both).
 *
 * @module
 */

import { errorText } from "../../core/error_text.ts";
import type { Config } from "../../config.ts";
import type { VenueStats } from "../../core/stats.ts";
import { log } from "../../logging.ts";
import { PendingRequests } from "../pending_requests.ts";
import type { VenueContext, VenueDefinition } from "../types.ts";
import { bybitCatalog } from "./catalog.ts";
import { BybitParser } from "./parse.ts";
import { bybitProtocol, bybitStreams } from "./protocol.ts";
import type { BybitRequest } from "./replies.ts";
import { type BybitCredentials, importCredentials } from "./sign.ts";
import { unifiedSymbol } from "./symbols.ts";
import { fetchWalletSnapshot } from "./wallet_snapshot.ts";

/** Test seams. */
export interface BybitVenueDeps {
  fetch?: typeof fetch;
}

/**
 * Topics per connection, at most, to spread load; Bybit's own limit, 21,000
 * characters of topics per connection, binds first only for topics longer
 * than 42 characters.
 */
const STREAMS_PER_CONNECTION = 500;

/**
 * Builds the Bybit venue from configuration.
 *
 * @example Usage
 * ```ts ignore
 * const venue = createBybitVenue(config, new VenueStats("bybit"));
 * ```
 */
export function createBybitVenue(
  config: Config,
  stats: VenueStats,
  deps: BybitVenueDeps = {},
): VenueDefinition {
  const cfg = config.bybit;
  const logger = log("venue", "bybit");
  const { apiKey, apiSecret } = cfg;
  const secrets = [apiKey, apiSecret].filter((s): s is string =>
    s !== undefined && s !== ""
  );
  const redact = (text: string) =>
    secrets.reduce((t, s) => t.split(s).join("***"), text);
  const credentials: Promise<BybitCredentials> | undefined =
    apiKey !== undefined && apiSecret !== undefined
      ? importCredentials(apiKey, apiSecret)
      : undefined;
  let ctx: VenueContext | undefined;
  let walletProblem: string | undefined;
  let walletFetch: Promise<void> | undefined;
  const requests = new PendingRequests<BybitRequest>(() =>
    ctx?.clock.now() ?? Date.now()
  );

  const snapshotWallet = () => {
    if (credentials === undefined || walletFetch !== undefined) return;
    walletFetch = (async () => {
      try {
        const events = await fetchWalletSnapshot({
          restUrl: cfg.restUrl,
          credentials: await credentials,
          now: Date.now(),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        });
        walletProblem = undefined;
        logger.info("Wallet balances fetched: {count} coins", {
          count: events.length,
        });
        ctx?.emit(events); // takes the items and empties the array
      } catch (e) {
        walletProblem = redact(errorText(e));
        logger.warn("Cannot fetch wallet balances: {error}", {
          error: walletProblem,
        });
      } finally {
        walletFetch = undefined;
      }
    })();
  };

  const parser = new BybitParser({
    stats,
    category: cfg.category,
    requests,
    redact,
    resubscribe: (topic) => ctx?.resubscribe([topic]),
    onAuthenticated: (connection) => {
      logger.info("{connection}: private stream authenticated", {
        connection,
      });
      snapshotWallet();
    },
  });
  const pairs = cfg.symbols.map((nativeSymbol) => ({
    symbol: unifiedSymbol(nativeSymbol, cfg.category),
    nativeSymbol,
  }));
  return {
    name: "bybit",
    protocol: bybitProtocol({
      category: cfg.category,
      publicUrl: cfg.publicUrl,
      privateUrl: cfg.privateUrl,
      maxStreamsPerConnection: STREAMS_PER_CONNECTION,
      requests,
      credentials,
      now: () => Date.now(),
    }),
    parser,
    streams: bybitStreams(
      cfg.category,
      cfg.symbols,
      cfg.topics,
      credentials !== undefined,
    ),
    pairs: () => pairs,
    catalog: bybitCatalog(cfg.category, credentials !== undefined),
    start: (context) => {
      ctx = context;
      return Promise.resolve();
    },
    stop: async () => {
      await walletFetch;
    },
    problems: () => {
      const failure = parser.authFailure;
      return failure === undefined
        ? []
        : [`bybit private: authentication failed (${failure})`];
    },
    warnings: () =>
      walletProblem === undefined
        ? []
        : [`bybit private: wallet balances unavailable: ${walletProblem}`],
  };
}
