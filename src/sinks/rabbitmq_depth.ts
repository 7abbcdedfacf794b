/**
 * Queue depth of the RabbitMQ sink's class queues: a pure assessment of one
 * poll ({@link assessQueue}: depth, consumers, publish and consume rates,
 * warning level) and the {@link DepthPoller} that samples every queue with a
 * passive declare on its own channel and logs when a queue's level rises
 * (once per rise) or falls back to ok.
 *
 * @module
 */

import type { Channel, ChannelModel } from "amqplib";
import type { Logger } from "@logtape/logtape";
import { deadline } from "../core/async.ts";

/** How full or backed up a queue is. */
export type DepthLevel = "ok" | "warning" | "critical";

/** Fill of `max_length` at which a queue is at warning level. */
export const WARNING_FILL = 0.8;
/** Fill of `max_length` at which a queue is critical (oldest are dropped next). */
export const CRITICAL_FILL = 0.95;
/** Backlog (messages) at which a queue is at warning level. */
export const WARNING_BACKLOG = 1_000;
/** Backlog (messages) at which a queue is critical. */
export const CRITICAL_BACKLOG = 10_000;

/** One passive declare of a queue, plus what this driver routed to it. */
export interface DepthSample {
  /** Messages ready in the queue (`messageCount`). */
  depth: number;
  consumers: number;
  /** Messages this driver has routed to the queue so far (cumulative). */
  routed: number;
  /** When the sample was taken, epoch ms. */
  at: number;
}

/** What `/stats` shows per queue. */
export interface QueueDepth {
  depth: number;
  consumers: number;
  /** Messages per second this driver routed to the queue since the last poll. */
  publishRate: number;
  /**
   * Messages per second that left the queue since the last poll (routed −
   * depth growth, at least 0): consumed, expired or dropped at max length.
   */
  consumeRate: number;
  level: DepthLevel;
  /** Why the level is not ok; `""` when it is. */
  reason: string;
}

/** Bound on one passive declare, so a dead connection cannot stall polling. */
const POLL_TIMEOUT_MS = 5_000;

const RANK: Record<DepthLevel, number> = { ok: 0, warning: 1, critical: 2 };

/**
 * The level of a queue holding `depth` messages with `x-max-length` of
 * `maxLength`, and why.
 *
 * @example Usage
 * ```ts
 * depthLevel(96, 100).level; // "critical"
 * depthLevel(1500, 100000).reason; // "backlog of 1500 messages (warning at 1000)"
 * ```
 */
export function depthLevel(
  depth: number,
  maxLength: number,
): { level: DepthLevel; reason: string } {
  const fill = maxLength > 0 ? depth / maxLength : 0;
  const byFill = grade(fill, WARNING_FILL, CRITICAL_FILL);
  const byBacklog = grade(depth, WARNING_BACKLOG, CRITICAL_BACKLOG);
  if (byFill === "ok" && byBacklog === "ok") return { level: "ok", reason: "" };
  if (RANK[byFill] >= RANK[byBacklog]) {
    const at = byFill === "critical" ? CRITICAL_FILL : WARNING_FILL;
    return {
      level: byFill,
      reason: `${
        Math.floor(fill * 100)
      }% of max_length ${maxLength} (${byFill} at ${
        at * 100
      }%); the oldest messages are dropped when full`,
    };
  }
  const at = byBacklog === "critical" ? CRITICAL_BACKLOG : WARNING_BACKLOG;
  return {
    level: byBacklog,
    reason: `backlog of ${depth} messages (${byBacklog} at ${at})`,
  };
}

function grade(value: number, warning: number, critical: number): DepthLevel {
  return value >= critical ? "critical" : value >= warning ? "warning" : "ok";
}

/**
 * Assesses one queue from the previous and current samples: rates per
 * second between the two (0 on the first sample) and the level.
 *
 * @example Usage
 * ```ts
 * const prev = { depth: 100, consumers: 1, routed: 1000, at: 0 };
 * const cur = { depth: 150, consumers: 1, routed: 1100, at: 10_000 };
 * assessQueue(prev, cur, 100_000); // publishRate 10, consumeRate 5, level "ok"
 * ```
 */
export function assessQueue(
  prev: DepthSample | undefined,
  cur: DepthSample,
  maxLength: number,
): QueueDepth {
  let publishRate = 0;
  let consumeRate = 0;
  const sec = prev === undefined ? 0 : (cur.at - prev.at) / 1000;
  if (prev !== undefined && sec > 0) {
    const routed = Math.max(0, cur.routed - prev.routed);
    const consumed = Math.max(0, routed - (cur.depth - prev.depth));
    publishRate = Math.round(routed / sec * 100) / 100;
    consumeRate = Math.round(consumed / sec * 100) / 100;
  }
  const { level, reason } = depthLevel(cur.depth, maxLength);
  return {
    depth: cur.depth,
    consumers: cur.consumers,
    publishRate,
    consumeRate,
    level,
    reason,
  };
}

/**
 * What to log when a queue's level moves from `prev` to `next`: `warning`
 * or `error` when it rises, `info` when it falls back to ok, nothing
 * otherwise (a fall from critical to warning is not news).
 *
 * @example Usage
 * ```ts
 * levelChange("ok", "warning"); // "warning"
 * levelChange("warning", "warning"); // undefined
 * levelChange("critical", "ok"); // "info"
 * ```
 */
export function levelChange(
  prev: DepthLevel,
  next: DepthLevel,
): "warning" | "error" | "info" | undefined {
  if (RANK[next] > RANK[prev]) return next === "critical" ? "error" : "warning";
  if (next === "ok" && prev !== "ok") return "info";
  return undefined;
}

/** Settings of a {@link DepthPoller}. */
export interface DepthPollerOptions {
  /** Class queue names to sample. */
  queues: readonly string[];
  maxLength: number;
  /** Time between polls; the first poll runs at once. */
  intervalMs: number;
  /** The driver's current connection, undefined while disconnected. */
  connection: () => ChannelModel | undefined;
  /** Messages the driver has routed to `queue` so far. */
  routed: (queue: string) => number;
  /** Called when a queue does not exist (deleted behind the driver's back). */
  onMissing: (queue: string) => void;
  logger: Logger;
}

/**
 * Samples the class queues every `intervalMs` on a channel of its own (a
 * passive declare of a deleted queue closes the channel, so it is opened
 * again as needed) and keeps the latest {@link QueueDepth} per queue.
 *
 * @example Usage
 * ```ts
 * const poller = new DepthPoller({ queues, maxLength, intervalMs: 10_000,
 *   connection: () => conn, routed: () => 0, onMissing: () => {}, logger });
 * poller.start();
 * poller.snapshot(); // { "tickgate.trades": { depth, … } }
 * poller.stop();
 * ```
 */
export class DepthPoller {
  readonly #o: DepthPollerOptions;
  readonly #samples = new Map<string, DepthSample>();
  readonly #depths = new Map<string, QueueDepth>();
  #channel: Channel | undefined;
  #channelConn: ChannelModel | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: DepthPollerOptions) {
    this.#o = options;
  }

  /** Polls now and then every interval, until {@link stop}. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops polling and closes the poll channel. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#closeChannel();
  }

  /** The latest assessment of every queue sampled so far. */
  snapshot(): Record<string, QueueDepth> {
    const out: Record<string, QueueDepth> = {};
    for (const [q, d] of this.#depths) out[q] = { ...d };
    return out;
  }

  /** Samples every queue once (skipped while disconnected). */
  async poll(): Promise<void> {
    const conn = this.#o.connection();
    if (conn === undefined) return;
    for (const queue of this.#o.queues) {
      const ch = await this.#channelOn(conn);
      if (ch === undefined) return;
      let reply;
      try {
        reply = await deadline(ch.checkQueue(queue), POLL_TIMEOUT_MS);
      } catch (e) {
        if ((e as { code?: number }).code === 404) {
          this.#missing(queue);
          continue;
        }
        // Timed out or connection lost: try again at the next poll.
        this.#o.logger.debug("Cannot poll RabbitMQ queue {queue}: {error}", {
          queue,
          error: String(e),
        });
        await this.#closeChannel();
        return;
      }
      this.#record(queue, reply.messageCount, reply.consumerCount);
    }
  }

  #missing(queue: string): void {
    this.#samples.delete(queue);
    this.#o.onMissing(queue);
    this.#update(queue, {
      depth: 0,
      consumers: 0,
      publishRate: 0,
      consumeRate: 0,
      level: "critical",
      reason:
        "queue not found (deleted?): it is declared again before the next send",
    });
  }

  #record(queue: string, depth: number, consumers: number): void {
    const routed = this.#o.routed(queue);
    const cur = { depth, consumers, routed, at: Date.now() };
    const assessed = assessQueue(
      this.#samples.get(queue),
      cur,
      this.#o.maxLength,
    );
    this.#samples.set(queue, cur);
    this.#update(queue, assessed);
  }

  #update(queue: string, assessed: QueueDepth): void {
    const prev = this.#depths.get(queue)?.level ?? "ok";
    this.#depths.set(queue, assessed);
    const change = levelChange(prev, assessed.level);
    if (change === undefined) return;
    const { level, reason, depth, consumers } = assessed;
    this.#o.logger[change](
      change === "info"
        ? "RabbitMQ queue {queue} is back to ok"
        : "RabbitMQ queue {queue} is {level}: {reason}",
      { queue, level, reason, depth, consumers },
    );
  }

  async #channelOn(conn: ChannelModel): Promise<Channel | undefined> {
    if (this.#channel !== undefined && this.#channelConn === conn) {
      return this.#channel;
    }
    await this.#closeChannel();
    try {
      const ch = await conn.createChannel();
      ch.on("error", () => {}); // a 404 on checkQueue closes it: expected
      ch.on("close", () => {
        if (this.#channel === ch) this.#channel = undefined;
      });
      this.#channel = ch;
      this.#channelConn = conn;
      return ch;
    } catch {
      return undefined; // connection lost; the driver reconnects
    }
  }

  async #closeChannel(): Promise<void> {
    const ch = this.#channel;
    this.#channel = undefined;
    this.#channelConn = undefined;
    if (ch !== undefined) {
      await deadline(ch.close(), POLL_TIMEOUT_MS).catch(() => {});
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.poll().catch((e) => {
        this.#o.logger.debug("RabbitMQ depth poll failed: {error}", {
          error: String(e),
        });
      }).finally(() => {
        this.#running = undefined;
        this.#schedule(this.#o.intervalMs);
      });
    }, ms);
    Deno.unrefTimer(this.#timer as unknown as number);
  }
}
