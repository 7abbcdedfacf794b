/**
 * The Coinbase Exchange venue (`coinbase`).
 *
 * @module
 */

import type { Config } from "../../config.ts";
import type { VenueStats } from "../../core/stats.ts";
import type { VenueDefinition } from "../types.ts";
import { coinbaseCatalog } from "./catalog.ts";
import { CoinbaseParser } from "./parse.ts";
import { coinbaseProtocol, coinbaseStreams } from "./protocol.ts";

/**
 * Builds the Coinbase Exchange venue from configuration.
 *
 * @example Usage
 * ```ts
 * const venue = createCoinbaseVenue(config, new VenueStats("coinbase"));
 * ```
 */
export function createCoinbaseVenue(
  config: Config,
  stats: VenueStats,
): VenueDefinition {
  const { wsUrl, products, channels, streamsPerConnection } = config.coinbase;
  const pairs = products.map((p) => ({ symbol: p, nativeSymbol: p }));
  return {
    name: "coinbase",
    protocol: coinbaseProtocol({ url: wsUrl, streamsPerConnection }),
    parser: new CoinbaseParser(stats),
    streams: coinbaseStreams(channels, products),
    pairs: () => pairs,
    catalog: coinbaseCatalog,
  };
}
