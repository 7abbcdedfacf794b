/**
 * Coinbase Exchange control frames, decoded: `heartbeat` (a reference point
 * for lost trades), `subscriptions`, `error` and `status`.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import type { Json } from "../fields.ts";
import { reportVenueError } from "../report.ts";
import { type ProductStates, tradeGap } from "./state.ts";

/**
 * A decoded `heartbeat` frame: trades up to its `last_trade_id` exist, so
 * those not received on this connection are lost (a `gap` event in `out`).
 *
 * @example Usage
 * ```ts
 * heartbeatFrame(products, { type: "heartbeat", product_id: "BTC-USD", last_trade_id: 9 }, Date.now(), "coinbase-0", out);
 * ```
 */
export function heartbeatFrame(
  products: ProductStates,
  m: Json,
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
): FrameOutcome {
  const product = m.product_id;
  const lastTradeId = m.last_trade_id;
  if (typeof product !== "string" || typeof lastTradeId !== "number") {
    return "invalid";
  }
  const state = products.touch(product);
  // Only judge trades on a connection that has delivered this product's
  // matches: right after (re)subscribing, `last_match` may still be on its
  // way. A zero last_trade_id is a known feed quirk; ignore it.
  if (lastTradeId > 0 && state.armedOn === connection) {
    const missed = state.trades.expectUpTo(lastTradeId);
    if (missed > 0) {
      const stats = products.stats;
      const before = lastTradeId + 1;
      out.push(
        tradeGap(stats, product, connection, receivedTs, missed, before),
      );
    }
  }
  return "control";
}

/**
 * A decoded `subscriptions` frame: records the channels (and their
 * products) now acknowledged on `connection`.
 *
 * @example Usage
 * ```ts
 * ackFrame(stats, { type: "subscriptions", channels: ["heartbeat"] }, "coinbase-0"); // "ack"
 * ```
 */
export function ackFrame(
  stats: VenueStats,
  m: Json,
  connection: string,
): FrameOutcome {
  if (!Array.isArray(m.channels)) return "invalid";
  const channels: Record<string, string[]> = {};
  for (const c of m.channels) {
    if (typeof c === "string") channels[c] = [];
    else if (c && typeof c.name === "string") {
      channels[c.name] = Array.isArray(c.product_ids)
        ? c.product_ids.filter((p: unknown) => typeof p === "string")
        : [];
    }
  }
  stats.acks++;
  stats.acked.set(connection, channels);
  return "ack";
}

/**
 * A decoded `error` frame: counted, and reported as an `error` status
 * event appended to `out`.
 *
 * @example Usage
 * ```ts
 * errorFrame(stats, { type: "error", message: "Failed" }, Date.now(), "coinbase-0", out);
 * ```
 */
export function errorFrame(
  stats: VenueStats,
  m: Json,
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
): FrameOutcome {
  const message = typeof m.message === "string" ? m.message : "error";
  const reason = typeof m.reason === "string" ? `: ${m.reason}` : "";
  out.push(reportVenueError(
    stats,
    "coinbase",
    connection,
    receivedTs,
    `${message}${reason}`,
  ));
  return "control";
}

/**
 * A decoded `status` frame: records each product's trading status.
 *
 * @example Usage
 * ```ts
 * statusFrame(stats, { type: "status", products: [{ id: "BTC-USD", status: "online" }] });
 * ```
 */
export function statusFrame(stats: VenueStats, m: Json): FrameOutcome {
  if (!Array.isArray(m.products)) return "invalid";
  for (const p of m.products) {
    if (p && typeof p.id === "string" && typeof p.status === "string") {
      stats.symbolStatus.set(p.id, p.status);
    }
  }
  return "control";
}
