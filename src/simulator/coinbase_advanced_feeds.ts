/**
 * The message bodies of the Coinbase Advanced Trade simulator: envelope
 * timestamps, the `heartbeats` time text, `subscriptions` ack events and the
 * snapshot events a subscribe triggers per channel.
 *
 * @module
 */
import type { AdvancedProduct } from "./coinbase_advanced_market.ts";
import type { Frame } from "./coinbase_advanced_subscribe.ts";

/** Trades in a `market_trades` snapshot. */
export const SNAPSHOT_TRADES = 50;

/**
 * Formats epoch ms as RFC 3339 with nine fraction digits
 * (`2026-01-01T00:00:00.250000000Z`); sub-millisecond fractions are kept.
 *
 * @example Usage
 * ```ts
 * rfc3339Nanos(Date.UTC(2026, 0, 1, 0, 0, 0, 250)); // "2026-01-01T00:00:00.250000000Z"
 * ```
 */
export function rfc3339Nanos(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = Math.round((ms - whole) * 1e6);
  const iso = new Date(whole).toISOString();
  return `${iso.slice(0, 23)}${
    String(Math.min(nanos, 999_999)).padStart(6, "0")
  }Z`;
}

/**
 * The `current_time` of a heartbeat in the feed's Go time format
 * (`2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105`), `m=+`
 * counting seconds since `startMs`.
 */
export function heartbeatTime(ms: number, startMs: number): string {
  const stamp = rfc3339Nanos(ms);
  const since = Math.max(0, Math.floor(ms - startMs));
  const monotonic = `${Math.floor(since / 1000)}.${
    String(since % 1000).padStart(3, "0")
  }000000`;
  return `${stamp.slice(0, 10)} ${
    stamp.slice(11, -1)
  } +0000 UTC m=+${monotonic}`;
}

/** The event of a `subscriptions` ack listing everything subscribed now. */
export function subscriptionsEvent(
  subscriptions: ReadonlyMap<string, ReadonlySet<string>>,
): Frame {
  const listing: Record<string, string[]> = {};
  for (const [channel, ids] of subscriptions) listing[channel] = [...ids];
  return { subscriptions: listing };
}

/**
 * The snapshot events sent when `channel` gains `products` (one event per
 * product; one event listing them all for `status`), or null when the
 * channel has no snapshot (`heartbeats`).
 *
 * @example Usage
 * ```ts ignore
 * const events = snapshotEvents("ticker", [product], Date.now());
 * // [{ type: "snapshot", tickers: [{ type: "ticker", product_id: "BTC-USD", ... }] }]
 * ```
 */
export function snapshotEvents(
  channel: string,
  products: readonly AdvancedProduct[],
  nowMs: number,
): Frame[] | null {
  if (products.length === 0) return null;
  switch (channel) {
    case "candles":
      return products.map((p) => {
        const current = p.candles.current(nowMs);
        return { type: "snapshot", candles: current ? [current] : [] };
      });
    case "market_trades":
      return products.map((p) => ({
        type: "snapshot",
        trades: p.recentTrades(SNAPSHOT_TRADES),
      }));
    case "ticker":
      return products.map((p) => ({
        type: "snapshot",
        tickers: [p.ticker()],
      }));
    case "ticker_batch":
      return products.map((p) => ({
        type: "snapshot",
        tickers: [p.batchTicker()],
      }));
    case "level2":
      return products.map((p) => ({
        type: "snapshot",
        product_id: p.id,
        updates: p.snapshotLevels(),
      }));
    case "status":
      return [{ type: "snapshot", products: products.map((p) => p.status()) }];
    default:
      return null;
  }
}
