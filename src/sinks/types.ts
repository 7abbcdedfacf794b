/**
 * The lifecycle every sink has, on top of the router's `EventSink`, and the
 * driver contract each destination (Redis, Kafka, RabbitMQ, PostgreSQL,
 * HTTP) implements underneath the delivery queue.
 *
 * @module
 */

import type { EventSink, NormalizedEvent } from "../core/events.ts";

/** Counters and state one sink reports in `/stats`, `/health` and `/metrics`. */
export interface SinkStats {
  /** Events the destination accepted. */
  published: number;
  /** Events whose write failed for good (dead-lettered or dropped). */
  failed: number;
  /** Events lost: a full queue with no spool, or the spool's cap. */
  dropped: number;
  /** Events waiting in memory. */
  queued: number;
  /** Epoch ms of the last successful write, 0 before any. */
  lastPublishTs: number;
  /** Last write error, without credentials. */
  lastError: string | undefined;
}

/** A destination for events with a lifecycle. */
export interface Sink extends EventSink {
  /** Unique name (`name=` option or `scheme-N`). */
  readonly name: string;
  /** The URL scheme, e.g. `file`. */
  readonly scheme: string;
  /** Opens files or connections; throws when the sink cannot start. */
  start(): Promise<void>;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Flushes and releases resources; no writes are accepted afterwards. */
  close(): Promise<void>;
  /** Current counters. */
  stats(): SinkStats;
}

/**
 * One destination's wire protocol, without queueing: the delivery queue
 * (`queue.ts`) batches, retries, spools and calls these one at a time, never
 * concurrently.
 */
export interface SinkDriver {
  /**
   * Connects (or reconnects after a failure). Rejects when the destination
   * cannot be reached; the queue retries with backoff.
   */
  connect(): Promise<void>;
  /**
   * Delivers `batch` in order and resolves once the destination acknowledged
   * every event in it. Rejects with a {@link DeliveryError} (any other error
   * counts as retryable); a batch may be sent again after a failure, so
   * destinations see at-least-once delivery keyed by each event's `id`.
   */
  send(batch: readonly NormalizedEvent[]): Promise<void>;
  /** Releases connections; `send` is not called afterwards. */
  close(): Promise<void>;
  /**
   * Destination-specific state for `/stats` (e.g. RabbitMQ queue depths and
   * rates). Must never contain credentials.
   */
  details?(): Record<string, unknown>;
}

/** Settings every driver may need, from the configuration. */
export interface SinkContext {
  /** `STREAM_MAXLEN`: approximate cap of each Redis stream. */
  streamMaxlen: number;
  /** `WEBHOOK_TOKEN`: sent as `Authorization: Bearer` by HTTP sinks. */
  webhookToken: string | undefined;
}

/** Why a delivery failed, and whether trying again can help. */
export interface DeliveryErrorOptions {
  /**
   * The destination refused the events for good (a 4xx other than 429, a
   * constraint the data violates): they go to the dead-letter file instead
   * of being retried.
   */
  permanent?: boolean;
  /** The destination asked to wait this long before retrying (Retry-After). */
  retryAfterMs?: number;
  /** HTTP status, when the destination speaks HTTP. */
  status?: number;
}

/** A delivery failure, with its retry semantics. */
export class DeliveryError extends Error {
  /** Whether the failure is final for these events. */
  readonly permanent: boolean;
  /** Wait at least this long before the next attempt, when set. */
  readonly retryAfterMs: number | undefined;
  /** HTTP status, when there is one. */
  readonly status: number | undefined;

  /** @param message what failed, without credentials */
  constructor(message: string, options: DeliveryErrorOptions = {}) {
    super(message);
    this.name = "DeliveryError";
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}
