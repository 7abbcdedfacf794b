/**
 * The delivery loop shared by sinks that write lines of text (stdout, NDJSON
 * files): `write()` only queues event references; serialization and I/O
 * happen in batches off the read loop, one write in flight at a time,
 * triggered by size or linger time.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import type { NormalizedEvent } from "../core/events.ts";
import type { Sink, SinkStats } from "./types.ts";

/** Options for {@link LineSink}. */
export interface LineSinkOptions {
  name: string;
  scheme: string;
  /** Turns one event into one line (without the newline). */
  format: (event: NormalizedEvent) => string;
  /** Flush once this many events are queued. @default 1000 */
  batchSize?: number;
  /** Flush at most this long after the first queued event. @default 50 */
  lingerMs?: number;
  /** Events held in memory before new ones are dropped. @default 200_000 */
  maxQueued?: number;
}

const encoder = new TextEncoder();

/**
 * Base class: subclasses implement {@link LineSink.writeChunk} (and may
 * override `start`/`close`).
 */
export abstract class LineSink implements Sink {
  readonly name: string;
  readonly scheme: string;
  readonly #format: (event: NormalizedEvent) => string;
  readonly #batchSize: number;
  readonly #lingerMs: number;
  readonly #maxQueued: number;
  #queue: NormalizedEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the pending timer is a 0 ms one (a full batch is waiting). */
  #timerImmediate = false;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  readonly #stats: SinkStats = {
    published: 0,
    failed: 0,
    dropped: 0,
    queued: 0,
    lastPublishTs: 0,
    lastError: undefined,
  };

  constructor(options: LineSinkOptions) {
    this.name = options.name;
    this.scheme = options.scheme;
    this.#format = options.format;
    this.#batchSize = options.batchSize ?? 1000;
    this.#lingerMs = options.lingerMs ?? 50;
    this.#maxQueued = options.maxQueued ?? 200_000;
  }

  /** Writes all of `data`; rejects on I/O failure. */
  protected abstract writeChunk(data: Uint8Array): Promise<void>;

  start(): Promise<void> {
    return Promise.resolve();
  }

  write(events: readonly NormalizedEvent[]): void {
    if (this.#closed) return;
    const room = this.#maxQueued - this.#queue.length;
    const n = Math.min(room, events.length);
    for (let i = 0; i < n; i++) this.#queue.push(events[i]!);
    if (n < events.length) this.#stats.dropped += events.length - n;
    if (this.#queue.length >= this.#batchSize) this.#kick(0);
    else if (this.#queue.length > 0) this.#kick(this.#lingerMs);
  }

  #kick(ms: number): void {
    if (this.#inFlight !== undefined) return; // the running loop picks it up
    if (this.#timer !== undefined) {
      // A pending flush comes at least as soon as asked: keep it.
      if (ms > 0 || this.#timerImmediate) return;
      clearTimeout(this.#timer);
    }
    this.#timerImmediate = ms === 0;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#inFlight = this.#drain().finally(() => {
        this.#inFlight = undefined;
        if (this.#queue.length > 0 && !this.#closed) this.#kick(0);
      });
    }, ms);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      let text = "";
      for (let i = 0; i < batch.length; i++) {
        text += this.#format(batch[i]!) + "\n";
      }
      try {
        await this.writeChunk(encoder.encode(text));
        this.#stats.published += batch.length;
        this.#stats.lastPublishTs = Date.now();
      } catch (e) {
        this.#stats.failed += batch.length;
        this.#stats.lastError = errorText(e);
      }
    }
  }

  async flush(): Promise<void> {
    for (;;) {
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
      if (this.#inFlight !== undefined) {
        await this.#inFlight;
        continue;
      }
      if (this.#queue.length === 0) return;
      this.#inFlight = this.#drain().finally(() => this.#inFlight = undefined);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  stats(): SinkStats {
    return { ...this.#stats, queued: this.#queue.length };
  }
}
