/**
 * The delivery-queue options every network sink URL accepts
 * (`batch_size`, `linger_ms`, `max_queued`), with per-scheme defaults: an
 * HTTP webhook posts one event per request unless told to batch; brokers
 * and databases take batches of 500.
 *
 * @module
 */

import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

/** The queue settings of one sink. */
export interface QueueOptions {
  batchSize: number;
  lingerMs: number;
  maxQueued: number;
}

/**
 * Reads and checks the queue options of a spec (throws {@link SinkUrlError}).
 *
 * @example Usage
 * ```ts
 * queueOptions(parseSinkUrl("redis://localhost:6379/0?batch_size=1000", 1));
 * ```
 */
export function queueOptions(spec: SinkSpec): QueueOptions {
  const http = spec.scheme === "http" || spec.scheme === "https";
  const num = (key: string, min: number, max: number, dflt: number) => {
    const raw = spec.options[key];
    if (raw === undefined) return dflt;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new SinkUrlError(
        redactUrl(spec.url),
        `${key} must be an integer from ${min} to ${max}, got "${raw}"`,
      );
    }
    return v;
  };
  const batchSize = num("batch_size", 1, 100_000, http ? 1 : 500);
  const lingerMs = num("linger_ms", 0, 60_000, 0);
  const maxQueued = num("max_queued", 1, 10_000_000, 100_000);
  if (maxQueued < batchSize) {
    throw new SinkUrlError(
      redactUrl(spec.url),
      "max_queued must be at least batch_size",
    );
  }
  return { batchSize, lingerMs, maxQueued };
}
