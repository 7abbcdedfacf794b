/**
 * `tickgate tail kafka://…`: reads a topic back with a throwaway consumer
 * group (a fresh random group id, offsets never committed), positioned by
 * seeking each partition, so other consumers and their groups are never
 * disturbed.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { type Admin, type Consumer, Kafka } from "kafkajs";
import { log } from "../logging.ts";
import { kafkaClientConfig } from "../sinks/kafka_client.ts";
import { parseKafkaBrokers } from "../sinks/kafka_options.ts";
import { redactUrl } from "../sinks/url.ts";
import {
  type TailBackend,
  TailError,
  type TailOptions,
  type TailRecord,
} from "./types.ts";

/** How long one fetch waits for new messages while following, ms. */
export const FOLLOW_WAIT_MS = 500;

/** A record of the backlog, with what orders it across partitions. */
interface Backlogged {
  ts: number;
  partition: number;
  offset: number;
  record: TailRecord;
}

/**
 * Reads Kafka topics for `tickgate tail`. The URL is
 * `kafka://host:port[,host:port]`; a query string (sink options) is
 * ignored.
 *
 * @example Usage
 * ```ts
 * const tail = new KafkaTail("kafka://127.0.0.1:9092");
 * const ac = new AbortController();
 * await tail.read("tickgate.trade", { count: 5, follow: false, signal: ac.signal },
 *   (r) => console.log(r.position, r.value));
 * await tail.close();
 * ```
 */
export class KafkaTail implements TailBackend {
  readonly #kafka: Kafka;
  readonly #shown: string;
  readonly #consumers = new Set<Consumer>();
  #admin: Promise<Admin> | undefined;

  /** @param url a `kafka://` URL; throws TailError when malformed */
  constructor(url: string) {
    const base = url.replace(/[?#].*$/, "");
    this.#shown = redactUrl(base);
    let brokers: string[];
    try {
      brokers = parseKafkaBrokers(base, this.#shown);
    } catch (e) {
      throw new TailError(errorText(e));
    }
    this.#kafka = new Kafka(
      kafkaClientConfig(brokers, "tickgate-tail", log("tail", "kafka")),
    );
  }

  /** Topic names without internal ones (`__consumer_offsets`, other `__…`), sorted. */
  async list(): Promise<string[]> {
    const admin = await this.#connect();
    const names = await this.#run(() => admin.listTopics());
    return names.filter((n) => !n.startsWith("__")).sort();
  }

  /**
   * Emits the last `count` messages of `topic` across its partitions
   * (merged by timestamp), oldest first, then with `follow` new messages
   * until `signal` aborts. Throws {@link TailError} when the topic does not
   * exist or Kafka fails.
   */
  async read(
    topic: string,
    options: TailOptions,
    emit: (record: TailRecord) => void,
  ): Promise<void> {
    const admin = await this.#connect();
    const names = await this.#run(() => admin.listTopics());
    if (!names.includes(topic)) {
      throw new TailError(`topic "${topic}" does not exist on ${this.#shown}`);
    }
    const offsets = await this.#run(() => admin.fetchTopicOffsets(topic));
    const count = Math.max(0, Math.floor(options.count));
    const { follow, signal } = options;
    const highs = new Map<number, number>();
    const pending = new Map<number, number>();
    const starts: { partition: number; offset: string }[] = [];
    for (const p of offsets) {
      const high = Number(p.high);
      const start = Math.max(Number(p.low), high - count);
      highs.set(p.partition, high);
      starts.push({ partition: p.partition, offset: String(start) });
      if (start < high) pending.set(p.partition, high);
    }
    if ((!follow && pending.size === 0) || signal.aborted) return;

    const backlog: Backlogged[] = [];
    const fresh: TailRecord[] = [];
    let live = false;
    const done = Promise.withResolvers<void>();
    done.promise.catch(() => {}); // awaited below; a crash may come first
    const flush = () => {
      live = true;
      backlog.sort((a, b) =>
        a.ts - b.ts || a.partition - b.partition || a.offset - b.offset
      );
      for (
        let i = Math.max(0, backlog.length - count);
        i < backlog.length;
        i++
      ) {
        emit(backlog[i]!.record);
      }
      for (const r of fresh) emit(r);
      backlog.length = 0;
      fresh.length = 0;
      if (!follow) done.resolve();
    };
    const reached = (partition: number, lastOffset: number) => {
      const high = pending.get(partition);
      if (high === undefined || lastOffset + 1 < high) return;
      pending.delete(partition);
      if (pending.size === 0 && !live) flush();
    };
    if (pending.size === 0) live = true;

    const consumer = this.#kafka.consumer({
      groupId: `tickgate-tail-${crypto.randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: FOLLOW_WAIT_MS,
      retry: { retries: 2, restartOnFailure: () => Promise.resolve(false) },
    });
    this.#consumers.add(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      done.reject(
        new TailError(`Kafka ${this.#shown}: ${errorText(payload.error)}`),
      );
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reached(payload.partition, Number(payload.lastOffset));
    });
    const onAbort = () => done.resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#run(async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: false });
        await consumer.run({
          autoCommit: false,
          eachMessage: ({ partition, message }) => {
            const offset = Number(message.offset);
            const record = toRecord(topic, partition, message);
            if (live) emit(record);
            else if (offset >= (highs.get(partition) ?? 0)) fresh.push(record);
            else {
              const ts = Number(message.timestamp);
              backlog.push({ ts, partition, offset, record });
            }
            reached(partition, offset);
            return Promise.resolve();
          },
        });
        for (const s of starts) consumer.seek({ topic, ...s });
      });
      await done.promise;
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#consumers.delete(consumer);
      await consumer.disconnect().catch(() => {});
    }
  }

  /** Closes the admin connection and any consumer still reading. */
  async close(): Promise<void> {
    const consumers = [...this.#consumers];
    this.#consumers.clear();
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => {})));
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin !== undefined) {
      await admin.then((a) => a.disconnect()).catch(() => {});
    }
  }

  #connect(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      try {
        await admin.connect();
        return admin;
      } catch (e) {
        this.#admin = undefined;
        await admin.disconnect().catch(() => {});
        throw new TailError(
          `cannot connect to ${this.#shown}: ${errorText(e)}`,
        );
      }
    })();
    return this.#admin;
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof TailError) throw e;
      throw new TailError(`Kafka ${this.#shown}: ${errorText(e)}`);
    }
  }
}

/**
 * A {@link TailBackend} for a Kafka URL.
 *
 * @example Usage
 * ```ts
 * const backend = kafkaTail("kafka://127.0.0.1:9092");
 * console.log(await backend.list());
 * await backend.close();
 * ```
 */
export function kafkaTail(url: string): TailBackend {
  return new KafkaTail(url);
}

function toRecord(
  topic: string,
  partition: number,
  message: { offset: string; key: Buffer | null; value: Buffer | null },
): TailRecord {
  const record: TailRecord = {
    stream: topic,
    position: `${partition}:${message.offset}`,
    value: parseValue(message.value?.toString()),
  };
  if (message.key !== null) record.key = message.key.toString();
  return record;
}

function parseValue(s: string | undefined): unknown {
  if (s === undefined) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
