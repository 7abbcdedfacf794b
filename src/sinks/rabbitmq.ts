/**
 * `amqp://user:pass@host:port/vhost` (or `amqps://`): events published as
 * canonical JSON to a durable topic exchange (`exchange=`, default
 * `tickgate`) with routing key `{kind}.{venue}.{symbol}`, on a confirm
 * channel; durable class queues `<exchange>.trades`, `.tickers`,
 * `.orderbook`, `.candles`, `.orders`, `.balances` keep `max_length`
 * (default 100000, oldest dropped) messages, `ttl_ms` optionally. Queue
 * depths are polled every `poll_sec` seconds (default 10, 0 disables) for
 * `/stats`. Messages are persistent, `application/json`, with messageId =
 * event id, type = kind and timestamp = `receivedTs` in whole seconds (AMQP
 * timestamps are seconds). See `rabbitmq_topology.ts`, `rabbitmq_depth.ts`.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { Buffer } from "node:buffer";
import type { ChannelModel, ConfirmChannel } from "amqplib";
import type { Logger } from "@logtape/logtape";
import type { EventKind, NormalizedEvent } from "../core/events.ts";
import { log } from "../logging.ts";
import {
  closeConnection,
  declareTopology,
  drained,
  openConfirmChannel,
  openConnection,
  whileProgressing,
} from "./rabbitmq_channel.ts";
import { DepthPoller } from "./rabbitmq_depth.ts";
import {
  type RabbitMqOptions,
  rabbitMqOptions,
  routingKey,
  type Topology,
  topology,
  topologyErrorFrom,
} from "./rabbitmq_topology.ts";
import { DeliveryError, type SinkContext, type SinkDriver } from "./types.ts";
import { redactUrl, type SinkSpec } from "./url.ts";

/** AMQP heartbeat, so a silently dead peer is noticed while idle. */
const HEARTBEAT_SEC = 15;

/**
 * Creates the RabbitMQ driver for a sink URL.
 *
 * @example Usage
 * ```ts
 * const driver = createRabbitMqDriver(parseSinkUrl("amqp://guest:guest@localhost/", 1), ctx);
 * await driver.connect();
 * await driver.send(events);
 * await driver.close();
 * ```
 */
export function createRabbitMqDriver(
  spec: SinkSpec,
  _ctx: SinkContext,
): SinkDriver {
  return new RabbitMqDriver(spec);
}

/**
 * The RabbitMQ driver: one connection and one confirm channel, opened again
 * by the next `connect()` or `send()` after a loss (amqplib does not
 * reconnect on its own).
 */
export class RabbitMqDriver implements SinkDriver {
  readonly #url: string;
  readonly #shown: string;
  readonly #password: string;
  readonly #name: string;
  readonly #opts: RabbitMqOptions;
  readonly #topology: Topology;
  readonly #log: Logger;
  /** Class queue per kind; undefined for kinds without one (status). */
  readonly #queueOf: Partial<Record<EventKind, string>> = {};
  /** Messages confirmed per class queue, for the publish rate. */
  readonly #routed = new Map<string, number>();
  readonly #poller: DepthPoller | undefined;
  #conn: ChannelModel | undefined;
  #ch: ConfirmChannel | undefined;
  /** Messages returned unroutable during the current batch. */
  #returned = 0;
  /** A class queue went missing: declare the topology before sending. */
  #stale = false;
  /** The last PRECONDITION_FAILED explanation logged. */
  #topologyError = "";

  /** @param spec the parsed sink URL; options are checked here */
  constructor(spec: SinkSpec) {
    this.#opts = rabbitMqOptions(spec);
    this.#topology = topology(this.#opts);
    this.#name = spec.name;
    this.#shown = redactUrl(spec.target);
    this.#url = `${spec.target}?heartbeat=${HEARTBEAT_SEC}`;
    this.#password = URL.parse(spec.target)?.password ?? "";
    this.#log = log("sink", spec.name);
    for (const q of this.#topology.queues) {
      this.#queueOf[q.kind] = q.queue;
      this.#routed.set(q.queue, 0);
    }
    if (this.#opts.pollSec > 0) {
      this.#poller = new DepthPoller({
        queues: this.#topology.queues.map((q) => q.queue),
        maxLength: this.#opts.maxLength,
        intervalMs: this.#opts.pollSec * 1000,
        connection: () => this.#conn,
        routed: (q) => this.#routed.get(q) ?? 0,
        onMissing: () => {
          this.#stale = true;
        },
        logger: this.#log,
      });
    }
  }

  /** Opens the connection and confirm channel and declares the topology. */
  async connect(): Promise<void> {
    await this.#ready();
  }

  /**
   * Publishes the batch and waits for the broker's confirms; a nack, a lost
   * connection or 5 s without a confirm rejects with a retryable
   * {@link DeliveryError}.
   */
  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const ch = await this.#ready();
    this.#returned = 0;
    try {
      await whileProgressing(ch, this.#publish(ch, batch));
    } catch (e) {
      const nacked = e instanceof Error && e.message === "message nacked";
      // After a timeout or a loss the channel's state is unknown: start over.
      if (!nacked) this.#drop();
      throw this.#error(
        nacked
          ? `RabbitMQ at ${this.#shown} refused (nacked) events of a batch of ${batch.length}`
          : `Cannot publish ${batch.length} events to RabbitMQ at ${this.#shown}`,
        e,
      );
    }
    if (this.#returned > 0) {
      // A class queue was deleted or unbound: declare again, then retry.
      this.#stale = true;
      throw new DeliveryError(
        `${this.#returned} events to RabbitMQ exchange ${this.#opts.exchange} had no queue (deleted?); the queues are declared again before the retry`,
      );
    }
    for (let i = 0; i < batch.length; i++) {
      const q = this.#queueOf[batch[i]!.kind];
      if (q !== undefined) this.#routed.set(q, (this.#routed.get(q) ?? 0) + 1);
    }
  }

  /** Stops polling and closes the connection. */
  async close(): Promise<void> {
    await this.#poller?.stop();
    const conn = this.#conn;
    this.#conn = undefined;
    this.#ch = undefined;
    if (conn !== undefined) await closeConnection(conn);
  }

  /** `{ exchange, queues: { "<exchange>.trades": { depth, … } } }` for `/stats`. */
  details(): Record<string, unknown> {
    return {
      exchange: this.#opts.exchange,
      queues: this.#poller?.snapshot() ?? {},
    };
  }

  async #publish(
    ch: ConfirmChannel,
    batch: readonly NormalizedEvent[],
  ): Promise<void> {
    const exchange = this.#opts.exchange;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!;
      const ok = ch.publish(
        exchange,
        routingKey(e),
        Buffer.from(JSON.stringify(e)),
        {
          persistent: true,
          contentType: "application/json",
          messageId: e.id,
          type: e.kind,
          timestamp: Math.floor(e.receivedTs / 1000),
          mandatory: this.#queueOf[e.kind] !== undefined,
        },
      );
      if (!ok) await drained(ch);
    }
    await ch.waitForConfirms();
  }

  /** The open confirm channel, (re)connecting and declaring as needed. */
  async #ready(): Promise<ConfirmChannel> {
    if (this.#ch !== undefined) {
      if (this.#stale) await this.#declare(this.#ch);
      return this.#ch;
    }
    let conn = this.#conn;
    try {
      if (conn === undefined) {
        conn = await openConnection(this.#url, `tickgate ${this.#name}`);
        this.#watch(conn);
      }
      const ch = await openConfirmChannel(conn);
      ch.on("error", () => {}); // the 'close' that follows is what counts
      ch.on("close", () => {
        if (this.#ch === ch) this.#ch = undefined;
      });
      ch.on("return", () => this.#returned++);
      await this.#declare(ch);
      this.#ch = ch;
      this.#poller?.start();
      return ch;
    } catch (e) {
      if (e instanceof DeliveryError) throw e;
      this.#drop();
      throw this.#error(`Cannot connect to RabbitMQ at ${this.#shown}`, e);
    }
  }

  #watch(conn: ChannelModel): void {
    conn.on("error", (e: unknown) => this.#lost(conn, e));
    conn.on("close", (e: unknown) => this.#lost(conn, e));
    conn.on("blocked", (reason: string) => {
      this.#log.warn("RabbitMQ blocked publishing: {reason}", { reason });
    });
    conn.on("unblocked", () => this.#log.info("RabbitMQ unblocked publishing"));
    this.#conn = conn;
  }

  /** Asserts the exchange, the class queues and their bindings. */
  async #declare(ch: ConfirmChannel): Promise<void> {
    const t = this.#topology;
    try {
      await declareTopology(ch, t);
    } catch (e) {
      const topo = topologyErrorFrom(String(e));
      if (topo === undefined) {
        this.#drop();
        throw this.#error(`Cannot declare exchange ${t.exchange}`, e);
      }
      if (topo.message !== this.#topologyError) {
        this.#log.error("{error}", { error: topo.message }); // once per cause
      }
      this.#topologyError = topo.message;
      throw topo;
    }
    this.#stale = false;
    this.#topologyError = "";
  }

  #lost(conn: ChannelModel, e: unknown): void {
    if (this.#conn !== conn) return; // already dropped or closed by us
    this.#conn = undefined;
    this.#ch = undefined;
    this.#log.warn("Lost the RabbitMQ connection to {url}: {error}", {
      url: this.#shown,
      error: e === undefined ? "closed" : this.#error("", e).message,
    });
  }

  /** Forgets the connection and closes it in the background. */
  #drop(): void {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#ch = undefined;
    if (conn !== undefined) void closeConnection(conn);
  }

  /** A retryable error; the password is scrubbed should it ever appear. */
  #error(what: string, e: unknown): DeliveryError {
    let text = errorText(e);
    if (this.#password.length >= 3) {
      text = text.replaceAll(this.#password, "***");
    }
    return new DeliveryError(what === "" ? text : `${what}: ${text}`);
  }
}
