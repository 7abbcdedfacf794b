/**
 * How every venue reports what went wrong: lost messages (the gap counters of
 * its {@link VenueStats} move, and a `gap` status event says what was lost)
 * and errors the venue sent (counted, kept as the last error, and an `error`
 * status event).
 *
 * @module
 */

import {
  type StatusEvent,
  statusEvent,
  type VenueName,
} from "../core/events.ts";
import type { VenueStats } from "../core/stats.ts";

/** What went missing, and where. */
export interface GapReport {
  venue: VenueName;
  symbol: string;
  nativeSymbol: string;
  connection: string;
  ts: number;
  /** Messages (trades, updates) known to be lost. */
  missed: number;
  /** Human-readable detail, e.g. `missed 3 trades (trade_id 11..13)`. */
  detail: string;
}

/**
 * Counts one gap of `missed` messages and returns its status event.
 *
 * @example Usage
 * ```ts
 * const stats = new VenueStats("binance");
 * out.push(reportGap(stats, {
 *   venue: "binance", symbol: "BTC-USDT", nativeSymbol: "BTCUSDT",
 *   connection: "binance-0", ts: Date.now(), missed: 2, detail: "missed 2 trades",
 * }));
 * ```
 */
export function reportGap(stats: VenueStats, gap: GapReport): StatusEvent {
  stats.gaps++;
  stats.missed += gap.missed;
  return statusEvent({
    venue: gap.venue,
    connection: gap.connection,
    state: "gap",
    detail: gap.detail,
    symbol: gap.symbol,
    nativeSymbol: gap.nativeSymbol,
    ts: gap.ts,
  });
}

/** `"11"` or `"11..13"`: the ids `[first, first + count)`. */
export function idRange(first: number, count: number): string {
  return count === 1 ? `${first}` : `${first}..${first + count - 1}`;
}

/** Venue error details are cut to this many characters. */
const MAX_DETAIL = 500;

/**
 * Counts an error the venue sent on `connection`, keeps it as the venue's
 * last error and returns its `error` status event.
 *
 * @example Usage
 * ```ts
 * const stats = new VenueStats("binance");
 * out.push(reportVenueError(stats, "binance", "binance-0", Date.now(), "Invalid request"));
 * ```
 */
export function reportVenueError(
  stats: VenueStats,
  venue: VenueName,
  connection: string,
  ts: number,
  detail: string,
): StatusEvent {
  const cut = detail.slice(0, MAX_DETAIL);
  stats.venueErrors++;
  stats.lastVenueError = cut;
  return statusEvent({
    venue,
    connection,
    state: "error",
    detail: cut,
    symbol: "*",
    nativeSymbol: "*",
    ts,
  });
}
