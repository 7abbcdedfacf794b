/**
 * What a delivery queue reports: {@link QueueStats} (a sink's counters plus
 * spool, breaker and latency state), how to tell them from a plain sink's,
 * and the latency histogram's buckets and quantiles.
 *
 * @module
 */

import { type HistogramValue, LATENCY_BUCKETS } from "../core/metrics.ts";
import type { SinkStats } from "./types.ts";

/** {@link SinkStats} plus the queue's own state. */
export interface QueueStats extends SinkStats {
  /** Failed attempts that were (or will be) retried. */
  retries: number;
  /** Bytes in the spool not yet delivered. */
  spooledBytes: number;
  /** Events in the spool not yet delivered. */
  spooledEvents: number;
  /** Events deleted unread because the spool hit `SPOOL_MAX_MB`. */
  spoolDropped: number;
  /** Events written to the dead-letter file. */
  deadLettered: number;
  breaker: "closed" | "open" | "half-open";
  /** Whether the driver is connected (its last attempt succeeded). */
  connected: boolean;
  /** `direct` from memory, or `spooling` while the spool holds events. */
  mode: "direct" | "spooling";
  /** receivedTs → acknowledged, in ms (bucket bounds). */
  latencyMs: { p50: number; p99: number; p999: number; count: number };
  /** The driver's own state (queue depths, …). */
  details: Record<string, unknown>;
}

/**
 * Whether a sink's stats come from a delivery queue.
 *
 * @example Usage
 * ```ts
 * if (isQueueStats(sink.stats())) console.log(sink.stats().spooledBytes);
 * ```
 */
export function isQueueStats(s: SinkStats): s is QueueStats {
  return "spooledBytes" in s;
}

/**
 * Bucket bounds of the receive → acknowledged latency, in seconds: 50 µs up
 * to an hour, since an outage delays events by as long as it lasts.
 */
export const SINK_LATENCY_BUCKETS: readonly number[] = [
  ...LATENCY_BUCKETS,
  30,
  60,
  300,
  900,
  3600,
];

/**
 * A quantile in ms; beyond the last bucket, the last bound.
 *
 * @example Usage
 * ```ts
 * quantileMs(new HistogramValue(SINK_LATENCY_BUCKETS), 0.99); // p99 in ms
 * ```
 */
export function quantileMs(h: HistogramValue, q: number): number {
  const v = h.quantile(q);
  return (Number.isFinite(v) ? v : h.bounds.at(-1) ?? 0) * 1000;
}
