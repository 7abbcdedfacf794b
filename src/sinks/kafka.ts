/**
 * Kafka sink driver (npm:kafkajs): one `sendBatch` per batch with acks=all,
 * records keyed by the unified symbol (one symbol stays ordered in its
 * partition), headers `id`, `kind`, `venue`. The producer is idempotent
 * where the broker grants a producer id, else a plain acks=all producer.
 * After any failed send the producer is dropped and the next `connect()` or
 * `send()` opens a fresh one, so no stale sequence numbers are ever reused.
 *
 * @module
 */

import { deadline, DeadlineError } from "../core/async.ts";
import { errorText } from "../core/error_text.ts";
import type { Logger } from "@logtape/logtape";
import { type Admin, CompressionTypes, Kafka, type Producer } from "kafkajs";
import type { NormalizedEvent } from "../core/events.ts";
import { log } from "../logging.ts";
import {
  isNetworkError,
  KAFKA_DEADLINE_MS,
  KAFKA_TIMEOUT_MS,
  kafkaClientConfig,
  kafkaDeliveryError,
} from "./kafka_client.ts";
import { buildKafkaBatch } from "./kafka_format.ts";
import { type KafkaSinkOptions, kafkaSinkOptions } from "./kafka_options.ts";
import { DeliveryError, type SinkContext, type SinkDriver } from "./types.ts";
import { redactUrl, type SinkSpec } from "./url.ts";

/**
 * Creates the Kafka driver for a sink URL.
 *
 * @example Usage
 * ```ts
 * const spec = parseSinkUrl("kafka://127.0.0.1:9092?topic=md.{kind}", 1);
 * const driver = createKafkaDriver(spec, { streamMaxlen: 0, webhookToken: undefined });
 * await driver.connect();
 * await driver.send(events);
 * await driver.close();
 * ```
 */
export function createKafkaDriver(
  spec: SinkSpec,
  _ctx: SinkContext,
): SinkDriver {
  return new KafkaDriver(spec);
}

/**
 * The Kafka {@link SinkDriver}.
 *
 * @example Usage
 * ```ts
 * const driver = new KafkaDriver(spec);
 * await driver.send(batch); // rejects with DeliveryError on failure
 * driver.details(); // { idempotent, topics, skipped }
 * ```
 */
export class KafkaDriver implements SinkDriver {
  readonly #options: KafkaSinkOptions;
  readonly #kafka: Kafka;
  readonly #shown: string;
  readonly #log: Logger;
  readonly #compression: CompressionTypes;
  /** Topics created or known to exist. */
  readonly #known = new Set<string>();
  readonly #written = new Set<string>();
  /** Disconnects of dropped clients still running. */
  readonly #closing = new Set<Promise<void>>();
  #producer: Producer | undefined;
  #connecting: Promise<Producer> | undefined;
  #admin: Admin | undefined;
  /** Undecided until the first connect; false once the broker refused. */
  #idempotent: boolean | undefined;
  #createTopics = true;
  #skipped = 0;
  #closed = false;

  /** @param spec a parsed `kafka://` sink URL; throws SinkUrlError on bad options */
  constructor(spec: SinkSpec) {
    this.#options = kafkaSinkOptions(spec);
    this.#shown = redactUrl(spec.target);
    this.#log = log("sink", spec.name);
    this.#compression = this.#options.compression === "gzip"
      ? CompressionTypes.GZIP
      : CompressionTypes.None;
    this.#kafka = new Kafka(
      kafkaClientConfig(
        this.#options.brokers,
        this.#options.clientId,
        this.#log,
      ),
    );
  }

  /** Connects the producer unless connected; rejects with a retryable DeliveryError. */
  async connect(): Promise<void> {
    await this.#bounded(this.#ready(), "connect");
  }

  /** Sends the batch in one `sendBatch` (acks=all); resolves once every record is acknowledged. */
  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    const { topicMessages, skipped } = buildKafkaBatch(
      batch,
      this.#options.format,
      this.#options.topic,
    );
    if (topicMessages.length > 0) {
      await this.#bounded(this.#deliver(topicMessages), "send");
      for (const t of topicMessages) this.#written.add(t.topic);
    }
    this.#skipped += skipped;
  }

  /** Disconnects the clients (waiting at most {@link KAFKA_DEADLINE_MS}). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#drop();
    const pending = [...this.#closing];
    if (this.#connecting !== undefined) {
      pending.push(this.#connecting.then(() => {}, () => {}));
    }
    await deadline(Promise.all(pending), KAFKA_DEADLINE_MS).catch(() => {});
  }

  /** Whether the producer is idempotent, topics written, events the format skipped. */
  details(): Record<string, unknown> {
    return {
      idempotent: this.#idempotent === true,
      topics: this.#written.size,
      skipped: this.#skipped,
    };
  }

  async #deliver(
    topicMessages: ReturnType<typeof buildKafkaBatch>["topicMessages"],
  ): Promise<void> {
    const producer = await this.#ready();
    await this.#ensureTopics(topicMessages);
    await producer.sendBatch({
      topicMessages,
      acks: -1,
      timeout: KAFKA_TIMEOUT_MS,
      compression: this.#compression,
    });
  }

  /** Runs `work` with a deadline; on failure drops the clients and throws a DeliveryError. */
  async #bounded<T>(work: Promise<T>, what: string): Promise<T> {
    try {
      return await deadline(work, KAFKA_DEADLINE_MS, what);
    } catch (e) {
      this.#drop();
      throw kafkaDeliveryError(
        e instanceof DeadlineError
          ? new Error(`timed out after ${e.ms} ms`)
          : e,
        what,
        this.#shown,
      );
    }
  }

  /** The connected producer, connecting (once, shared) when needed. */
  #ready(): Promise<Producer> {
    if (this.#producer !== undefined) return Promise.resolve(this.#producer);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<Producer> {
    if (this.#idempotent !== false) {
      const producer = this.#newProducer(true);
      try {
        await producer.connect();
        return this.#adopt(producer, true);
      } catch (e) {
        this.#discard(producer);
        if (this.#closed || isNetworkError(e)) throw e;
        this.#idempotent = false;
        this.#log.warn(
          "Kafka {target} refused an idempotent producer ({error}); using acks=all without idempotence",
          { target: this.#shown, error: errorText(e) },
        );
      }
    }
    const producer = this.#newProducer(false);
    try {
      await producer.connect();
    } catch (e) {
      this.#discard(producer);
      throw e;
    }
    return this.#adopt(producer, false);
  }

  #newProducer(idempotent: boolean): Producer {
    return this.#kafka.producer({
      idempotent,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
    });
  }

  #adopt(producer: Producer, idempotent: boolean): Producer {
    if (this.#closed) {
      this.#discard(producer);
      throw new DeliveryError(`sink closed while connecting to ${this.#shown}`);
    }
    this.#producer = producer;
    this.#idempotent = idempotent;
    this.#log.info("Connected to {target} (idempotent: {idempotent})", {
      target: this.#shown,
      idempotent,
    });
    return producer;
  }

  /**
   * Creates the topics not seen before (admin createTopics, already-exists
   * ignored). Where the broker will not create topics this way (no
   * permission, no reachable controller), it relies on auto-creation.
   */
  async #ensureTopics(topicMessages: { topic: string }[]): Promise<void> {
    const missing: { topic: string }[] = [];
    for (const t of topicMessages) {
      if (!this.#known.has(t.topic)) missing.push({ topic: t.topic });
    }
    if (missing.length === 0) return;
    if (this.#createTopics) {
      try {
        let admin = this.#admin;
        if (admin === undefined) {
          admin = this.#kafka.admin({ retry: { retries: 1 } });
          this.#admin = admin;
          await admin.connect();
        }
        await admin.createTopics({
          topics: missing,
          waitForLeaders: true,
          timeout: KAFKA_TIMEOUT_MS,
        });
      } catch (e) {
        if (isNetworkError(e)) throw e;
        this.#createTopics = false;
        this.#log.info(
          "Cannot create topics on {target} ({error}); relying on the broker's topic auto-creation",
          { target: this.#shown, error: errorText(e) },
        );
      }
    }
    for (const t of missing) this.#known.add(t.topic);
  }

  /** Forgets the clients; the next connect() or send() opens fresh ones. */
  #drop(): void {
    const producer = this.#producer;
    const admin = this.#admin;
    this.#producer = undefined;
    this.#admin = undefined;
    if (producer !== undefined) this.#discard(producer);
    if (admin !== undefined) this.#discard(admin);
  }

  #discard(client: Producer | Admin): void {
    const done = client.disconnect().catch(() => {}).finally(() => {
      this.#closing.delete(done);
    });
    this.#closing.add(done);
  }
}
