/**
 * Options and records of the Coinbase Advanced Trade simulator
 * (`coinbase_advanced.ts`).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { AdvancedApiKey } from "./coinbase_advanced_auth.ts";

/** Options of `CoinbaseAdvancedSimulator.start`. */
export interface CoinbaseAdvancedSimulatorOptions {
  /** TCP port; 0 (default) picks an ephemeral one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  hostname?: string;
  /** Products traded (default `["BTC-USD", "ETH-USD"]`). */
  products?: string[];
  /** Trades per second per product (default 5); fractions accumulate. */
  tradesPerSecond?: number;
  /** Market seed (default 1). */
  seed?: number;
  /** Time source of every timer and timestamp (default `systemClock`). */
  clock?: Clock;
  /** Close (1008) a connection without a valid subscribe after this (default 5000). */
  subscribeDeadlineMs?: number;
  /** Close (1000) a connection subscribed without `heartbeats` this long (default 90 000). */
  idleCloseMs?: number;
  /** Known CDP keys; a subscribe's `jwt` is verified against them. */
  apiKeys?: AdvancedApiKey[];
  /** Refuse subscribes without a valid `jwt` (default false). */
  requireAuth?: boolean;
  /** Cap of `CoinbaseAdvancedSimulator.sent` (default 500 000; the oldest quarter goes). */
  maxSent?: number;
}

/** A frame actually sent to a client; `connection` is its 1-based serial. */
export interface SentFrame {
  connection: number;
  frame: Record<string, unknown>;
}
