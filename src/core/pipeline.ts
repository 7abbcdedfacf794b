/**
 * The per-venue hot path: frame → venue parser → events → router. One
 * reusable output array, no awaits, no per-frame closures.
 *
 * @module
 */

import type { EventSink, NormalizedEvent } from "./events.ts";
import type { HistogramValue } from "./metrics.ts";
import type { FrameOutcome, VenueStats } from "./stats.ts";

/**
 * A venue adapter's frame parser: pure apart from its own integrity state
 * (sequence trackers); no sockets, timers or sinks.
 */
export interface FrameParser {
  /**
   * Parses one frame, appending events to `out`, and updates `stats`
   * counters the parser owns (per-symbol frames, duplicates, gaps, acks).
   */
  parse(
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome;
  /** Called when `connection` (re)opens, before any of its frames. */
  connectionOpened?(connection: string): void;
}

/** Hooks the pipeline calls for frames and events worth a log line. */
export interface PipelineHooks {
  /** A frame was malformed or invalid (the caller rate-limits its logging). */
  onBadFrame?(
    outcome: "malformed" | "invalid",
    frame: string,
    connection: string,
  ): void;
  /** The venue acknowledged subscriptions on `connection`. */
  onAck?(connection: string): void;
  /** The venue asked for `connection` to be replaced (e.g. server shutdown). */
  onRenew?(connection: string): void;
  /** The venue refused `connection`'s credentials. */
  onUnauthorized?(connection: string): void;
  /** A status event passed through (gap, venue error, …). */
  onStatus?(event: NormalizedEvent & { kind: "status" }): void;
}

/** Options for {@link FeedPipeline}. */
export interface PipelineOptions {
  parser: FrameParser;
  stats: VenueStats;
  sink: EventSink;
  /** Frame processing time in seconds, when measured. */
  processing?: HistogramValue;
  hooks?: PipelineHooks;
}

/**
 * Runs frames of one venue through its parser into the sink.
 *
 * @example Usage
 * ```ts
 * const pipeline = new FeedPipeline({ parser, stats, sink: router });
 * pipeline.handle("coinbase-0", frame, Date.now());
 * ```
 */
export class FeedPipeline {
  readonly #parser: FrameParser;
  readonly #stats: VenueStats;
  readonly #sink: EventSink;
  readonly #processing: HistogramValue | undefined;
  readonly #hooks: PipelineHooks;
  readonly #out: NormalizedEvent[] = [];
  /** `performance.now()` when the open batch began, and its frames so far. */
  #batchStart = 0;
  #batchFrames = 0;
  /** Ends a batch whose last frame never came (the socket stopped delivering). */
  readonly #closeBatch = () => {
    if (this.#batchFrames > 0) this.#endBatch();
  };

  constructor(options: PipelineOptions) {
    this.#parser = options.parser;
    this.#stats = options.stats;
    this.#sink = options.sink;
    this.#processing = options.processing;
    this.#hooks = options.hooks ?? {};
  }

  /**
   * Processes one frame read from `connection` at `receivedTs`. `more`: the
   * transport delivers another frame of the same read right after this one
   * (see `FrameEvent.more`), so the processing time is taken once for the
   * whole batch: the clock costs 100–200 ns a read.
   */
  handle(
    connection: string,
    frame: string,
    receivedTs: number,
    more = false,
  ): void {
    const processing = this.#processing;
    if (processing !== undefined && this.#batchFrames === 0) {
      this.#batchStart = performance.now();
    }
    const stats = this.#stats;
    stats.frames++;
    // Stored when it changes (once a read, as the frames of a read share
    // their time): each store of a new number here takes a write barrier.
    if (stats.lastFrameTs !== receivedTs) stats.lastFrameTs = receivedTs;
    const out = this.#out;
    let outcome: FrameOutcome;
    try {
      outcome = this.#parser.parse(frame, receivedTs, connection, out);
    } catch {
      // A parser bug must not take the connection down: count it as invalid.
      outcome = "invalid";
      clear(out);
    }
    // "ok" first: an outcome is one of these constants, and comparing it
    // with each of the others would call V8's string comparison each time.
    if (outcome === "ok" || outcome === "control") {
      // Nothing to count or report.
    } else if (outcome === "malformed" || outcome === "invalid") {
      if (outcome === "malformed") stats.malformed++;
      else stats.invalid++;
      this.#hooks.onBadFrame?.(outcome, frame, connection);
    } else if (outcome === "unknown") {
      stats.unknown++;
    } else if (outcome === "ack") {
      this.#hooks.onAck?.(connection);
    } else if (outcome === "renew") {
      this.#hooks.onRenew?.(connection);
    } else if (outcome === "unauthorized") {
      this.#hooks.onUnauthorized?.(connection);
    }
    try {
      if (out.length > 0) this.#emit(out);
    } finally {
      if (processing !== undefined) {
        this.#batchFrames++;
        if (!more) this.#endBatch();
        else if (this.#batchFrames === 1) queueMicrotask(this.#closeBatch);
      }
    }
  }

  /**
   * Observes the open batch: its time, shared evenly by its frames (each
   * still counts as one observation, so `_count` is the number of frames).
   */
  #endBatch(): void {
    const n = this.#batchFrames;
    this.#batchFrames = 0;
    const seconds = (performance.now() - this.#batchStart) / 1000;
    this.#processing!.observeMany(seconds / n, n);
  }

  /** Sends events that did not come from a frame (connection status). */
  inject(events: NormalizedEvent[]): void {
    this.#emit(events);
  }

  /**
   * A connection (re)opened: it starts with nothing acknowledged (its
   * `stats.acked` entry goes until the venue acknowledges again), and the
   * parser is told.
   */
  connectionOpened(connection: string): void {
    this.#stats.acked.delete(connection);
    this.#parser.connectionOpened?.(connection);
  }

  #emit(events: NormalizedEvent[]): void {
    const counts = this.#stats.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      // A switch, not `counts[e.kind]++`: a computed key that takes several
      // names goes through V8's megamorphic lookup, ~300 instructions.
      switch (e.kind) {
        case "trade":
          counts.trade++;
          break;
        case "ticker":
          counts.ticker++;
          break;
        case "book":
          counts.book++;
          break;
        case "candle":
          counts.candle++;
          break;
        case "order":
          counts.order++;
          break;
        case "balance":
          counts.balance++;
          break;
        case "status":
          counts.status++;
          this.#hooks.onStatus?.(e);
      }
    }
    try {
      this.#sink.write(events);
    } finally {
      clear(events);
    }
  }
}

/**
 * Empties `events`. Popping is a fast builtin, where `length = 0` is a
 * runtime call that also frees the array's store, to be allocated again by
 * the next frame's push (about 35 ns a frame); a large batch is cut at once.
 */
function clear(events: NormalizedEvent[]): void {
  if (events.length > 64) events.length = 0;
  else while (events.length > 0) events.pop();
}
