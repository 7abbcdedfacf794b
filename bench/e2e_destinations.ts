/**
 * The destinations the end-to-end sink benchmarks (`e2e_sinks.ts`) write
 * to, each with the raw client tickgate's sink is compared with: Redis
 * Streams on a scratch database, Kafka on a librdkafka mock cluster (kcat),
 * RabbitMQ with publisher confirms. Each writes under a unique name and
 * removes it on `close()`.
 *
 * @module
 */

import amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { Buffer } from "node:buffer";
import type { NormalizedEvent } from "../src/core/events.ts";
import { VenueStats } from "../src/core/stats.ts";
import { buildKafkaBatch } from "../src/sinks/kafka_format.ts";
import { stopIdleCheckLoop } from "../src/sinks/kafkajs_idle_loop.ts";
import { kafkaSinkOptions } from "../src/sinks/kafka_options.ts";
import { QUEUE_CLASSES, routingKey } from "../src/sinks/rabbitmq_topology.ts";
import {
  appendFlatFields,
  keyTemplates,
  renderKey,
} from "../src/sinks/redis_format.ts";
import { parseSinkUrl } from "../src/sinks/url.ts";
import { CoinbaseParser } from "../src/venues/coinbase/parse.ts";
import { startKafkaMock } from "../tests/_kafka_mock.ts";

/** Events per batch: the delivery queue's default `batch_size`. */
export const BATCH = 500;
const STREAM_MAXLEN = 10_000;
/** Redis database the benchmarks write to (keys are removed afterwards). */
export const REDIS_DB = 15;

/** The events the corpus yields, as tickgate's parser makes them. */
export function corpusEvents(frames: readonly string[]): NormalizedEvent[] {
  const parser = new CoinbaseParser(new VenueStats("coinbase"));
  const events: NormalizedEvent[] = [];
  const now = Date.now();
  for (const f of frames) parser.parse(f, now, "bench-0", events);
  return events;
}

/** One destination: its sink URL and the raw client it is compared with. */
export interface Destination {
  name: string;
  sink: string;
  ceilingName: string;
  /** Sends `events` as the sink would, in batches; resolves when acknowledged. */
  raw(events: readonly NormalizedEvent[]): Promise<() => Promise<void>>;
  /** Empties what runs wrote (untimed, between runs). */
  reset(): Promise<void>;
  /** Records the destination holds (Kafka: ever written), for tests. */
  held(): Promise<number>;
  close(): Promise<void>;
}

/** Redis Streams on a scratch database, keys under a unique prefix. */
export async function redisDestination(): Promise<Destination> {
  const prefix = `tgbench-${Deno.pid}-${Date.now()}`;
  const url = `redis://127.0.0.1:6379/${REDIS_DB}`;
  // The raw client: ioredis as it comes (no per-command timeout).
  // ioredis is loaded only when a Redis benchmark starts: loading it makes
  // V8 run charCodeAt loops (the parsers' fast paths) about 4x slower for the
  // rest of the process (reproduced with a bare loop), which would skew every
  // step that runs after it.
  const { Redis } = await import("ioredis");
  const client = new Redis({ host: "127.0.0.1", port: 6379, db: REDIS_DB });
  client.on("error", () => {});
  await client.ping();
  const templates = keyTemplates(`${prefix}:{kind}:{native}`);
  const keys = async () => {
    const out: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, "MATCH", `${prefix}:*`);
      cursor = next;
      out.push(...batch);
    } while (cursor !== "0");
    return out;
  };
  const reset = async () => {
    const all = await keys();
    if (all.length > 0) await client.unlink(...all);
  };
  return {
    name: "Redis Streams",
    sink: `${url}?key=${prefix}:{kind}:{native}&name=bench-redis`,
    ceilingName: "ioredis pipelined XADD",
    raw(events) {
      const batches: string[][][] = [];
      for (let i = 0; i < events.length; i += BATCH) {
        batches.push(
          events.slice(i, i + BATCH).map((e) => {
            const args = ["xadd", renderKey(templates[e.kind], e)];
            args.push("MAXLEN", "~", String(STREAM_MAXLEN), "*");
            appendFlatFields(e, args);
            return args;
          }),
        );
      }
      return Promise.resolve(async () => {
        for (const b of batches) {
          const replies = await client.pipeline(b).exec();
          if (replies?.some(([err]) => err !== null)) {
            throw new Error("XADD failed");
          }
        }
      });
    },
    reset,
    async held() {
      let n = 0;
      for (const k of await keys()) n += await client.xlen(k);
      return n;
    },
    async close() {
      await reset();
      await client.quit();
    },
  };
}

/** Kafka: a librdkafka mock cluster (kcat), topics under a unique prefix. */
export async function kafkaDestination(): Promise<Destination> {
  const mock = await startKafkaMock();
  const sink = `kafka://${mock.bootstrap}?topic=tgbench.{kind}`;
  const { topic } = kafkaSinkOptions(parseSinkUrl(sink, 1));
  // The raw client gets the idle-loop fix tickgate's sink runs with, or its
  // connections wake this process 1,000 times a second through every run.
  stopIdleCheckLoop();
  const kafka = new Kafka({
    brokers: [mock.bootstrap],
    clientId: "tickgate-bench",
    logLevel: logLevel.NOTHING,
  });
  // As the sink does: idempotent where the broker grants a producer id (the
  // mock cluster does not), else plain acks=all.
  let producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let idempotent = true;
  try {
    await producer.connect();
  } catch {
    await producer.disconnect().catch(() => {});
    producer = kafka.producer({ maxInFlightRequests: 1 });
    idempotent = false;
    await producer.connect();
  }
  return {
    name: "Kafka (mock cluster)",
    sink,
    ceilingName: `kafkajs sendBatch (acks=all${
      idempotent ? ", idempotent" : ""
    })`,
    raw(events) {
      // Topics exist: the sink's run before this one created them.
      const batches: ReturnType<typeof buildKafkaBatch>["topicMessages"][] = [];
      for (let i = 0; i < events.length; i += BATCH) {
        batches.push(
          buildKafkaBatch(events.slice(i, i + BATCH), "canonical", topic)
            .topicMessages,
        );
      }
      return Promise.resolve(async () => {
        for (const topicMessages of batches) {
          await producer.sendBatch({ topicMessages, acks: -1 });
        }
      });
    },
    reset: () => Promise.resolve(),
    async held() {
      const admin = kafka.admin();
      await admin.connect();
      let n = 0;
      try {
        for (const t of await admin.listTopics()) {
          if (!t.startsWith("tgbench.")) continue;
          for (const p of await admin.fetchTopicOffsets(t)) n += Number(p.high);
        }
      } finally {
        await admin.disconnect();
      }
      return n;
    },
    async close() {
      await producer.disconnect();
      await mock.close();
    },
  };
}

/** RabbitMQ (guest/guest on 5672) with a unique exchange, deleted afterwards. */
export async function rabbitDestination(): Promise<Destination> {
  const exchange = `tgbench-${Deno.pid}-${Date.now()}`;
  const base = "amqp://guest:guest@127.0.0.1:5672/";
  const conn = await amqp.connect(base);
  conn.on("error", () => {});
  const ch = await conn.createConfirmChannel();
  const queues = QUEUE_CLASSES.map((q) => `${exchange}.${q.name}`);
  // A missing queue closes the channel it was named on: one channel per call.
  const each = async (op: (c: amqp.Channel, q: string) => Promise<unknown>) => {
    for (const q of queues) {
      const c = await conn.createChannel();
      c.on("error", () => {});
      await op(c, q).then(() => c.close(), () => {});
    }
  };
  return {
    name: "RabbitMQ (confirms)",
    sink: `${base}?exchange=${exchange}&poll_sec=0&name=bench-amqp`,
    ceilingName: "amqplib publish + waitForConfirms",
    raw(events) {
      // Publishes to the topology the sink declared (its first run).
      const msgs = events.map((e) => ({
        key: routingKey(e),
        body: Buffer.from(JSON.stringify(e)),
        options: {
          persistent: true,
          contentType: "application/json",
          messageId: e.id,
          type: e.kind,
          timestamp: Math.floor(e.receivedTs / 1000),
          mandatory: e.kind !== "status",
        },
      }));
      return Promise.resolve(async () => {
        for (let i = 0; i < msgs.length; i += BATCH) {
          const end = Math.min(msgs.length, i + BATCH);
          for (let j = i; j < end; j++) {
            const m = msgs[j]!;
            if (!ch.publish(exchange, m.key, m.body, m.options)) {
              await new Promise((r) => ch.once("drain", r));
            }
          }
          await ch.waitForConfirms();
        }
      });
    },
    reset: () => each((c, q) => c.purgeQueue(q)),
    async held() {
      let n = 0;
      await each(async (c, q) => n += (await c.checkQueue(q)).messageCount);
      return n;
    },
    async close() {
      await each((c, q) => c.deleteQueue(q));
      await each((c) => c.deleteExchange(exchange));
      await conn.close();
    },
  };
}
