/**
 * The venues this build implements, by name.
 *
 * @module
 */

import type { Config } from "../config.ts";
import type { VenueName } from "../core/events.ts";
import type { VenueStats } from "../core/stats.ts";
import { createBinanceVenue } from "./binance/venue.ts";
import { createBybitVenue } from "./bybit/venue.ts";
import { createCoinbaseVenue } from "./coinbase/venue.ts";
import { createCoinbaseAdvancedVenue } from "./coinbase_advanced/venue.ts";
import type { VenueDefinition } from "./types.ts";

/** Builds a venue from configuration. */
export type VenueFactory = (
  config: Config,
  stats: VenueStats,
) => VenueDefinition;

/** Implemented venues; a name in `VENUES` missing here is reported, not run. */
export const VENUE_FACTORIES: Partial<Record<VenueName, VenueFactory>> = {
  coinbase: createCoinbaseVenue,
  "coinbase-advanced": createCoinbaseAdvancedVenue,
  binance: (config, stats) => createBinanceVenue(config, stats),
  bybit: (config, stats) => createBybitVenue(config, stats),
};
