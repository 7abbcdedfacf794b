/**
 * The lifecycle every sink has, on top of the router's `EventSink`.
 *
 * @module
 */

import type { EventSink } from "../core/events.ts";

/** Counters and state one sink reports in `/stats`, `/health` and `/metrics`. */
export interface SinkStats {
  /** Events the destination accepted. */
  published: number;
  /** Events whose write failed. */
  failed: number;
  /** Events dropped because the sink's queue was full. */
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
