/**
 * The Coinbase Advanced Trade venue (`coinbase-advanced`): the channels of
 * `COINBASE_ADV_CHANNELS` for `COINBASE_ADV_PRODUCTS`, `heartbeats` on every
 * connection, and, with a CDP key (`COINBASE_API_KEY`,
 * `COINBASE_API_SECRET`), a fresh JWT in every subscribe message. A refused
 * key is a /health warning (the key never appears: venue text is scrubbed
 * of it) and the connection is replaced by one subscribing without JWT.
 *
 * @module
 */

import type { Config } from "../../config.ts";
import type { VenueStats } from "../../core/stats.ts";
import { log } from "../../logging.ts";
import { authRetryMs } from "../auth_retry.ts";
import type { VenueContext, VenueDefinition } from "../types.ts";
import { advancedCatalog } from "./catalog.ts";
import { importCdpKey } from "./cdp_key.ts";
import { JwtAuth } from "./jwt_auth.ts";
import { AdvancedParser } from "./parse.ts";
import { advancedProtocol, advancedStreams } from "./protocol.ts";

/** A JWT in venue text (its claims name the key). */
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;

/**
 * Builds the Coinbase Advanced Trade venue from configuration. JWTs are
 * dated by the gateway's clock.
 *
 * @example Usage
 * ```ts ignore
 * const venue = createCoinbaseAdvancedVenue(config, new VenueStats("coinbase-advanced"));
 * ```
 */
export function createCoinbaseAdvancedVenue(
  config: Config,
  stats: VenueStats,
): VenueDefinition {
  const cfg = config.coinbaseAdvanced;
  const logger = log("venue", "coinbase-advanced");
  const secrets = [cfg.apiKey, cfg.apiSecret].filter((s): s is string =>
    s !== undefined && s !== ""
  );
  const redact = (text: string) =>
    secrets.reduce((t, s) => t.split(s).join("***"), text).replace(JWT, "***");
  let ctx: VenueContext | undefined;
  const now = () => ctx?.clock.now() ?? Date.now();
  const auth = cfg.apiKey !== undefined && cfg.apiSecret !== undefined
    ? new JwtAuth(
      importCdpKey(cfg.apiKey, cfg.apiSecret),
      now,
      authRetryMs(config.transport.breakerCooldownSec),
    )
    : undefined;
  const parser = new AdvancedParser({
    stats,
    redact,
    resubscribe: (keys) => ctx?.resubscribe(keys),
    onAck: () => auth?.acknowledged(),
    onAuthFailure: (connection, message) => {
      if (auth === undefined) return;
      const { fresh, replace } = auth.refused(message);
      if (fresh) {
        logger.error(
          "{connection}: the API key was refused ({reason}); subscribing without authentication",
          { connection, reason: message },
        );
      }
      if (replace) ctx?.renew(connection, "the API key was refused");
    },
  });
  const pairs = cfg.products.map((p) => ({ symbol: p, nativeSymbol: p }));
  return {
    name: "coinbase-advanced",
    protocol: advancedProtocol({
      url: cfg.wsUrl,
      ...(auth ? { sign: (frame: string) => auth.sign(frame) } : {}),
    }),
    parser,
    streams: advancedStreams(cfg.channels, cfg.products),
    pairs: () => pairs,
    catalog: advancedCatalog,
    start: (context) => {
      ctx = context;
      return Promise.resolve();
    },
    warnings: () => {
      const warning = auth?.warning;
      return warning === undefined ? [] : [redact(warning)];
    },
  };
}
