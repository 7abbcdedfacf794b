/**
 * A stream's live state, from what the venue acknowledged and refused (as
 * the venue parsers record it in {@link VenueStats}).
 *
 * @module
 */

import type { VenueStats } from "../core/stats.ts";
import type { StreamSpec } from "../transport/types.ts";
import type { SubscriptionStatus } from "./types.ts";

/**
 * Indexes the acknowledgements of every connection once, and answers per
 * stream: `rejected` when the venue refused it, `active` when a connection
 * acknowledged its channel and symbol, else `pending`.
 *
 * @example Usage
 * ```ts
 * const statusOf = streamStatusIndex(stats);
 * statusOf({ key: "matches:BTC-USD", channel: "matches", symbol: "BTC-USD" }); // "active"
 * ```
 */
export function streamStatusIndex(
  stats: VenueStats,
): (spec: StreamSpec) => SubscriptionStatus {
  const acked = new Set<string>();
  for (const channels of stats.acked.values()) {
    for (const [channel, symbols] of Object.entries(channels)) {
      acked.add(`${channel}\n`);
      for (const s of symbols) acked.add(`${channel}\n${s}`);
    }
  }
  return (spec) =>
    stats.rejected.has(spec.key)
      ? "rejected"
      : acked.has(`${spec.channel}\n${spec.symbol}`)
      ? "active"
      : "pending";
}

/**
 * A subscription's status from its streams': `rejected` when one is,
 * `active` when all are, else `pending`.
 */
export function subscriptionStatus(
  streams: readonly StreamSpec[],
  statusOf: (spec: StreamSpec) => SubscriptionStatus,
): SubscriptionStatus {
  let status: SubscriptionStatus = "active";
  for (const s of streams) {
    const st = statusOf(s);
    if (st === "rejected") return st;
    if (st === "pending") status = st;
  }
  return status;
}
