/**
 * Coinbase Advanced Trade channel names, as subscribe messages name them
 * (`level2` data arrives with the channel `l2_data`).
 *
 * @module
 */

/** Channels tickgate subscribes to (market data; no `user`). */
export const ADVANCED_CHANNELS = [
  "heartbeats",
  "candles",
  "market_trades",
  "ticker",
  "ticker_batch",
  "level2",
  "status",
] as const;

/** One of {@link ADVANCED_CHANNELS}. */
export type AdvancedChannel = typeof ADVANCED_CHANNELS[number];
