/**
 * The venues that have a simulator, apart from the simulators themselves,
 * so the command line can check a venue name without loading them.
 *
 * @module
 */

/** Venues with a simulator. */
export const SIMULATED_VENUES = [
  "coinbase",
  "coinbase-advanced",
  "binance",
  "bybit",
] as const;

/** One of {@link SIMULATED_VENUES}. */
export type SimulatedVenue = typeof SIMULATED_VENUES[number];
