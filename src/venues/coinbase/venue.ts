/**
 * The Coinbase Exchange venue (`coinbase`).
 *
 * @module
 */

import type { Config } from "../../config.ts";
import type { VenueStats } from "../../core/stats.ts";
import type { VenueDefinition } from "../types.ts";
import { coinbaseCatalog } from "./catalog.ts";
import { log } from "../../logging.ts";
import { CoinbaseParser } from "./parse.ts";
import { ProductListing } from "./products.ts";
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
  const { wsUrl, restUrl, products, channels, streamsPerConnection } =
    config.coinbase;
  const pairs = products.map((p) => ({ symbol: p, nativeSymbol: p }));
  let listing: ProductListing | undefined;
  return {
    name: "coinbase",
    protocol: coinbaseProtocol({ url: wsUrl, streamsPerConnection }),
    parser: new CoinbaseParser(stats),
    streams: coinbaseStreams(channels, products),
    pairs: () => pairs,
    catalog: coinbaseCatalog(() => listing?.products),
    start(ctx) {
      listing = new ProductListing({
        restUrl,
        clock: ctx.clock,
        onError: (error) =>
          log("venue", "coinbase").warn(
            "Product listing unavailable ({error}); API subscriptions are checked for form only",
            { error },
          ),
      });
      return listing.start();
    },
    stop() {
      listing?.stop();
      return Promise.resolve();
    },
    warnings: () =>
      listing?.problem === undefined
        ? []
        : [`coinbase: product listing unavailable: ${listing.problem}`],
  };
}
