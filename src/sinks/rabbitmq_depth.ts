/**
 * Queue depth polling of the RabbitMQ sink's class queues: the
 * {@link DepthPoller} samples every queue with a passive declare on its
 * own channel, keeps the assessment of each (see `rabbitmq_levels.ts`) and
 * logs when a queue's level rises (once per rise) or falls back to ok.
 *
 * @module
 */

import type { Channel, ChannelModel } from "amqplib";
import type { Logger } from "@logtape/logtape";
import { deadline } from "../core/async.ts";
import {
  assessQueue,
  type DepthSample,
  levelChange,
  type QueueDepth,
} from "./rabbitmq_levels.ts";

/** Bound on one passive declare, so a dead connection cannot stall polling. */
const POLL_TIMEOUT_MS = 5_000;

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
