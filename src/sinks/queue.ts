/**
 * The delivery queue in front of every network sink: the router's `write()`
 * only appends to a bounded in-memory queue; one loop per sink batches
 * (size and linger), sends through the sink's driver, retries with backoff
 * behind a circuit breaker, and spills to the sink's disk spool when the
 * destination fails or the queue is full.
 *
 * Order and loss: while the spool holds anything, new events go behind it,
 * and the spool drains (oldest first) before the queue returns to memory.
 * A failed batch goes to the spool with everything queued after it, so an
 * outage costs disk space, not events; only the spool's cap drops events
 * (oldest first, counted). A batch the destination refuses for good
 * (`DeliveryError.permanent`) goes to the dead-letter file. Delivery is
 * at-least-once: a batch may arrive twice, with the same event ids.
 *
 * @module
 */

import { deadline } from "../core/async.ts";
import { errorText } from "../core/error_text.ts";
import { backoffDelay, type BackoffOptions } from "../core/backoff.ts";
import { type BreakerOptions, CircuitBreaker } from "../core/breaker.ts";
import type { NormalizedEvent } from "../core/events.ts";
import { HistogramValue } from "../core/metrics.ts";
import { log } from "../logging.ts";
import { DeadLetterFile } from "./dead_letter.ts";
import { Spool, type SpoolOptions } from "./spool.ts";
import { DeliveryError, type Sink, type SinkDriver } from "./types.ts";
import { QueueBuffer } from "./queue_buffer.ts";
import {
  quantileMs,
  type QueueStats,
  SINK_LATENCY_BUCKETS,
} from "./queue_stats.ts";

/** Options for {@link DeliveryQueue}. */
export interface DeliveryQueueOptions {
  name: string;
  scheme: string;
  driver: SinkDriver;
  /** Events per `send`. */
  batchSize: number;
  /** Wait at most this long for a batch to fill. */
  lingerMs: number;
  /** Events held in memory before new ones spill to the spool. */
  maxQueued: number;
  spool: SpoolOptions;
  /** NDJSON file for events the destination refused for good. */
  deadLetterPath: string;
  /** Retry delays. @default { baseMs: 200, capMs: 10_000 } */
  backoff?: BackoffOptions;
  /** @default { threshold: 5, cooldownMs: 5_000 } */
  breaker?: BreakerOptions;
  /** How long `close()` keeps delivering from memory before spooling the rest. @default 2000 */
  closeTimeoutMs?: number;
  /** Receives the receive → acknowledged latency of each event, in seconds. */
  latency?: HistogramValue;
}

type Outcome = "ok" | "permanent" | "failed";

/**
 * A {@link Sink} that delivers through a {@link SinkDriver}.
 *
 * @example Usage
 * ```ts
 * const sink = new DeliveryQueue({ name: "redis-1", scheme: "redis", driver,
 *   batchSize: 500, lingerMs: 20, maxQueued: 100_000,
 *   spool: { dir: "data/spool/redis-1", maxBytes: 1 << 30, fsync: "interval" },
 *   deadLetterPath: "data/deadletter/redis-1.ndjson" });
 * await sink.start();
 * sink.write(events);
 * ```
 */
export class DeliveryQueue implements Sink {
  readonly name: string;
  readonly scheme: string;
  readonly #o: DeliveryQueueOptions;
  readonly #driver: SinkDriver;
  readonly #memory = new QueueBuffer();
  /** Events bound for the spool, not yet appended. */
  #pending: NormalizedEvent[] = [];
  #pendingFlush: Promise<void> = Promise.resolve();
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;
  #spool: Spool | undefined;
  #mode: "direct" | "spooling" = "direct";
  #inflight: readonly NormalizedEvent[] | undefined;
  #inflightSpilled = false;
  /** Events at the spool's head already delivered (a spilled in-flight batch). */
  #skipHead = 0;
  readonly #breaker: CircuitBreaker;
  #connected = false;
  #failures = 0;
  #retryAfterMs = 0;
  #firstQueuedAt = 0;
  #wake: (() => void) | undefined;
  #sleepTimer: ReturnType<typeof setTimeout> | undefined;
  #stopping = false;
  #closed = false;
  #loop: Promise<void> | undefined;
  #lastFailureLog = 0;
  readonly #latency: HistogramValue;
  readonly #deadLetters: DeadLetterFile;
  readonly #s = {
    published: 0,
    failed: 0,
    dropped: 0,
    retries: 0,
    deadLettered: 0,
    lastPublishTs: 0,
    lastError: undefined as string | undefined,
  };

  constructor(options: DeliveryQueueOptions) {
    this.#o = options;
    this.name = options.name;
    this.scheme = options.scheme;
    this.#driver = options.driver;
    this.#breaker = new CircuitBreaker(
      options.breaker ?? { threshold: 5, cooldownMs: 5_000 },
    );
    this.#latency = options.latency ??
      new HistogramValue(SINK_LATENCY_BUCKETS);
    this.#deadLetters = new DeadLetterFile(
      options.deadLetterPath,
      log("sink", options.name),
    );
  }

  /** Opens the spool and starts delivering; never waits for the destination. */
  async start(): Promise<void> {
    this.#spool = await Spool.open(this.#o.spool);
    if (!this.#spool.empty) {
      this.#mode = "spooling";
      log("sink", this.name).info(
        "Spool holds {events} events ({bytes} bytes) from before; draining them first",
        { events: this.#spool.events, bytes: this.#spool.bytes },
      );
    }
    this.#loop = this.#run().catch((e) => {
      log("sink", this.name).error("Delivery loop stopped: {error}", {
        error: errorText(e),
      });
    });
  }

  write(events: readonly NormalizedEvent[]): void {
    const n = events.length;
    if (n === 0) return;
    if (this.#closed) {
      this.#s.dropped += n;
      return;
    }
    if (this.#mode === "spooling") {
      for (let i = 0; i < n; i++) this.#pending.push(events[i]!);
      this.#schedulePending();
      return;
    }
    if (this.#memory.length === 0) this.#firstQueuedAt = Date.now();
    const room = this.#o.maxQueued - this.#memory.length;
    if (n <= room) {
      this.#memory.pushAll(events, 0, n);
      if (this.#memory.length >= this.#o.batchSize) this.#wakeUp();
      else if (this.#memory.length === n) this.#wakeUp();
      return;
    }
    this.#memory.pushAll(events, 0, room);
    this.#toSpool(this.#inflight);
    for (let i = room; i < n; i++) this.#pending.push(events[i]!);
    this.#schedulePending();
  }

  /**
   * Switches to spooling: `head` (the in-flight batch, if any), then memory,
   * go to the spool before anything newer.
   */
  #toSpool(head: readonly NormalizedEvent[] | undefined): void {
    const moved: NormalizedEvent[] = [];
    if (head !== undefined && !this.#inflightSpilled) {
      for (let i = 0; i < head.length; i++) moved.push(head[i]!);
      if (head === this.#inflight) this.#inflightSpilled = true;
    }
    this.#memory.drainInto(moved);
    if (this.#mode === "direct") {
      log("sink", this.name).info(
        "Spooling to disk: {reason}",
        {
          reason: this.#connected && this.#failures === 0
            ? "the in-memory queue is full"
            : "the destination is failing",
        },
      );
    }
    this.#mode = "spooling";
    this.#pending = moved.concat(this.#pending);
    this.#schedulePending();
  }

  #schedulePending(): void {
    if (this.#pending.length >= this.#o.batchSize) {
      clearTimeout(this.#pendingTimer);
      this.#pendingTimer = undefined;
      this.#flushPending();
    } else {
      this.#pendingTimer ??= setTimeout(() => {
        this.#pendingTimer = undefined;
        this.#flushPending();
      }, 20);
    }
  }

  /** Appends what is pending to the spool (in order); resolves when done. */
  #flushPending(): Promise<void> {
    if (this.#pending.length === 0) return this.#pendingFlush;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingFlush = this.#pendingFlush.then(async () => {
      try {
        await this.#spool!.append(batch);
      } catch (e) {
        this.#s.dropped += batch.length;
        this.#s.lastError = `cannot write the spool: ${errorText(e)}`;
        log("sink", this.name).error(
          "Cannot write {count} events to the spool; they are lost: {error}",
          { count: batch.length, error: errorText(e) },
        );
      }
      this.#wakeUp();
    });
    return this.#pendingFlush;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      if (!this.#connected) {
        await this.#connect();
      } else if (this.#mode === "direct") {
        await this.#fromMemory();
      } else {
        await this.#fromSpool();
      }
    }
  }

  async #connect(): Promise<void> {
    const wait = this.#breaker.msUntilProbe();
    if (wait > 0 || !this.#breaker.canAttempt()) {
      if (this.#failures > 0 && this.#memory.length > 0) {
        this.#toSpool(undefined);
      }
      await this.#sleep(Math.max(wait, 50));
      return;
    }
    try {
      await this.#driver.connect();
      this.#connected = true;
      this.#breaker.recordSuccess();
      if (this.#failures > 0) this.#recovered();
    } catch (e) {
      this.#failed(e, "connect");
      if (this.#memory.length > 0) this.#toSpool(undefined);
      await this.#sleep(this.#retryDelay());
    }
  }

  async #fromMemory(): Promise<void> {
    const m = this.#memory;
    if (m.length === 0) {
      await this.#sleep(60_000);
      return;
    }
    const age = Date.now() - this.#firstQueuedAt;
    if (m.length < this.#o.batchSize && age < this.#o.lingerMs) {
      await this.#sleep(this.#o.lingerMs - age);
      return;
    }
    const batch = m.take(this.#o.batchSize);
    this.#firstQueuedAt = Date.now();
    this.#inflight = batch;
    this.#inflightSpilled = false;
    const outcome = await this.#attempt(batch);
    const spilled = this.#inflightSpilled;
    this.#inflight = undefined;
    this.#inflightSpilled = false;
    if (outcome === "failed") {
      if (!spilled) this.#toSpool(batch);
    } else if (spilled) {
      this.#skipHead += batch.length;
    }
  }

  async #fromSpool(): Promise<void> {
    await this.#flushPending();
    const spool = this.#spool!;
    const droppedBefore = spool.dropped;
    const sb = await spool.read(this.#o.batchSize);
    if (sb === undefined) {
      if (this.#pending.length === 0) {
        this.#mode = "direct";
        this.#skipHead = 0;
        log("sink", this.name).info("Spool drained; delivering from memory");
      }
      return;
    }
    if (spool.dropped !== droppedBefore) this.#skipHead = 0;
    let events = sb.events;
    if (this.#skipHead > 0) {
      const k = Math.min(this.#skipHead, events.length);
      this.#skipHead -= k;
      events = events.slice(k);
    }
    if (events.length > 0) {
      if (this.#failures > 0) {
        await this.#sleep(this.#retryDelay());
        if (this.#stopping) return;
      }
      if (await this.#attempt(events) === "failed") return;
    }
    await spool.commit(sb);
  }

  /** One send, with the breaker's permission; records the outcome. */
  async #attempt(batch: readonly NormalizedEvent[]): Promise<Outcome> {
    if (!this.#breaker.canAttempt()) return "failed";
    try {
      await this.#driver.send(batch);
    } catch (e) {
      if (e instanceof DeliveryError && e.permanent) {
        this.#breaker.recordSuccess();
        await this.#deadLetter(batch, e);
        return "permanent";
      }
      this.#failed(e, "send");
      this.#s.retries++;
      return "failed";
    }
    this.#breaker.recordSuccess();
    if (this.#failures > 0) this.#recovered();
    const now = Date.now();
    this.#s.published += batch.length;
    this.#s.lastPublishTs = now;
    for (let i = 0; i < batch.length; i++) {
      this.#latency.observe((now - batch[i]!.receivedTs) / 1000);
    }
    return "ok";
  }

  #failed(e: unknown, what: string): void {
    this.#failures++;
    this.#breaker.recordFailure();
    // Retry-After is honoured up to 5 minutes: a day-long one would leave
    // the spool growing with no attempt at all.
    this.#retryAfterMs = e instanceof DeliveryError
      ? Math.min(e.retryAfterMs ?? 0, 300_000)
      : 0;
    this.#s.lastError = errorText(e);
    const now = Date.now();
    if (this.#failures === 1 || now - this.#lastFailureLog >= 10_000) {
      this.#lastFailureLog = now;
      log("sink", this.name).warn(
        "Cannot {what} ({failures} failures in a row, breaker {breaker}): {error}",
        {
          what,
          failures: this.#failures,
          breaker: this.#breaker.state,
          error: this.#s.lastError,
        },
      );
    }
  }

  #recovered(): void {
    log("sink", this.name).info("Delivering again after {failures} failures", {
      failures: this.#failures,
    });
    this.#failures = 0;
    this.#retryAfterMs = 0;
  }

  #retryDelay(): number {
    const backoff = this.#o.backoff ?? { baseMs: 200, capMs: 10_000 };
    return Math.max(
      backoffDelay(this.#failures - 1, backoff),
      this.#retryAfterMs,
      this.#breaker.msUntilProbe(),
      10,
    );
  }

  async #deadLetter(
    batch: readonly NormalizedEvent[],
    e: DeliveryError,
  ): Promise<void> {
    this.#s.failed += batch.length;
    this.#s.deadLettered += batch.length;
    this.#s.lastError = e.message;
    await this.#deadLetters.write(batch, e);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = setTimeout(() => this.#wakeUp(), ms);
    });
  }

  #wakeUp(): void {
    clearTimeout(this.#sleepTimer);
    this.#sleepTimer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Waits until memory, pending and spool are empty, or until the
   * destination fails (then what is pending is at least on disk).
   */
  async flush(): Promise<void> {
    for (;;) {
      const idle = this.#memory.length === 0 && this.#pending.length === 0 &&
        this.#inflight === undefined && (this.#spool?.empty ?? true);
      if (idle || this.#closed) return;
      if (this.#failures > 0 || !this.#connected) {
        await this.#flushPending();
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Delivers from memory for up to `closeTimeoutMs`, then spools whatever
   * is left (delivered on the next start) and closes the driver.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const until = Date.now() + (this.#o.closeTimeoutMs ?? 2000);
    while (
      this.#mode === "direct" && this.#connected && this.#failures === 0 &&
      (this.#memory.length > 0 || this.#inflight !== undefined) &&
      Date.now() < until
    ) {
      this.#wakeUp();
      await new Promise((r) => setTimeout(r, 5));
    }
    this.#stopping = true;
    this.#closed = true;
    this.#wakeUp();
    if (this.#spool !== undefined) {
      if (this.#memory.length > 0 || this.#inflight !== undefined) {
        this.#toSpool(this.#inflight);
      }
      clearTimeout(this.#pendingTimer);
      await this.#flushPending();
      await this.#spool.close();
    }
    await deadline(this.#loop ?? Promise.resolve(), 1000).catch(() => {});
    try {
      await this.#driver.close();
    } catch (e) {
      log("sink", this.name).warn("Closing failed: {error}", {
        error: errorText(e),
      });
    }
  }

  stats(): QueueStats {
    const spool = this.#spool;
    const l = this.#latency;
    return {
      ...this.#s,
      queued: this.#memory.length + this.#pending.length,
      spooledBytes: spool?.bytes ?? 0,
      spooledEvents: spool?.events ?? 0,
      spoolDropped: spool?.dropped ?? 0,
      dropped: this.#s.dropped + (spool?.dropped ?? 0),
      breaker: this.#breaker.state,
      connected: this.#connected && this.#failures === 0,
      mode: this.#mode,
      latencyMs: {
        p50: quantileMs(l, 0.5),
        p99: quantileMs(l, 0.99),
        p999: quantileMs(l, 0.999),
        count: l.count,
      },
      details: this.#driver.details?.() ?? {},
    };
  }
}
