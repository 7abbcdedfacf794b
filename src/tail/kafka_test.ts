import assert from "node:assert/strict";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { KCAT_AVAILABLE, startKafkaMock } from "../../tests/_kafka_mock.ts";
import { kafkaTail } from "./kafka.ts";
import { TailError, type TailRecord } from "./types.ts";

const ignore = !KCAT_AVAILABLE;
const KEYS = ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD"];
const T0 = 1795341600000;

/**
 * Message n: key and partition rotate over KEYS (the mock creates topics
 * with 4 partitions), timestamp T0 + n s, value {n}.
 */
function message(n: number) {
  return {
    key: KEYS[n % KEYS.length]!,
    partition: n % KEYS.length,
    value: JSON.stringify({ n }),
    timestamp: String(T0 + n * 1000),
  };
}

async function produce(p: Producer, topic: string, ns: number[]) {
  await p.send({ topic, acks: -1, messages: ns.map(message) });
}

function ns(records: TailRecord[]): unknown[] {
  return records.map((r) => (r.value as { n: number }).n);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(ok(), `timed out waiting for ${what}`);
}

Deno.test({
  name: "kafka tail lists topics and reads the last messages across partitions",
  ignore,
  async fn() {
    await using mock = await startKafkaMock();
    const topic = `tail-${crypto.randomUUID().slice(0, 8)}`;
    const kafka = new Kafka({
      brokers: [mock.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const tail = kafkaTail(`kafka://${mock.bootstrap}?topic=ignored`);
    try {
      // One key per partition, partitions filled one after the other, so
      // offsets say nothing about the order across partitions.
      await produce(producer, topic, [3, 7, 11, 0, 4, 8, 2, 6, 10, 1, 5, 9]);
      await producer.send({
        topic: `${topic}-b`,
        messages: [{ key: null, value: "plain text" }],
      });
      const names = await tail.list();
      const admin = kafka.admin();
      await admin.connect();
      const raw = await admin.listTopics().finally(() => admin.disconnect());
      // The mock's own `__tickgate_mock` topic is hidden like `__consumer_offsets`.
      assert.ok(raw.includes("__tickgate_mock"), String(raw));
      assert.deepEqual(names, raw.filter((n) => !n.startsWith("__")).sort());
      assert.ok(names.includes(topic) && names.includes(`${topic}-b`));

      const ac = new AbortController();
      const got: TailRecord[] = [];
      await tail.read(
        topic,
        { count: 5, follow: false, signal: ac.signal },
        (r) => got.push(r),
      );
      assert.deepEqual(ns(got), [7, 8, 9, 10, 11]);
      for (const r of got) {
        const n = (r.value as { n: number }).n;
        assert.equal(r.stream, topic);
        assert.equal(r.key, message(n).key);
        assert.equal(r.position, `${n % 4}:${Math.floor(n / 4)}`);
      }

      const all: TailRecord[] = [];
      await tail.read(
        topic,
        { count: 100, follow: false, signal: ac.signal },
        (r) => all.push(r),
      );
      assert.deepEqual(ns(all), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

      const text: TailRecord[] = [];
      await tail.read(`${topic}-b`, {
        count: 3,
        follow: false,
        signal: ac.signal,
      }, (r) => text.push(r));
      assert.deepEqual(text, [{
        stream: `${topic}-b`,
        position: text[0]?.position,
        value: "plain text",
      }]);

      await assert.rejects(
        tail.read(`${topic}-missing`, {
          count: 1,
          follow: false,
          signal: ac.signal,
        }, () => {}),
        (e) => e instanceof TailError && /does not exist/.test(e.message),
      );
    } finally {
      await tail.close();
      await producer.disconnect();
    }
  },
});

Deno.test({
  name: "kafka tail follows new messages until aborted",
  ignore,
  async fn() {
    await using mock = await startKafkaMock();
    const topic = `tail-${crypto.randomUUID().slice(0, 8)}`;
    const kafka = new Kafka({
      brokers: [mock.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const tail = kafkaTail(`kafka://${mock.bootstrap}`);
    try {
      await produce(producer, topic, [0, 1, 2, 3]);
      const ac = new AbortController();
      const got: TailRecord[] = [];
      const reading = tail.read(
        topic,
        { count: 2, follow: true, signal: ac.signal },
        (r) => got.push(r),
      );
      await until("the backlog", () => got.length >= 2);
      await produce(producer, topic, [4, 5, 6]);
      await until("new messages", () => got.length >= 5);
      ac.abort();
      await reading;
      // New messages arrive in order within a partition (one key each here).
      assert.deepEqual(ns(got.slice(0, 2)), [2, 3]);
      assert.deepEqual(ns(got.slice(2)).sort(), [4, 5, 6]);
    } finally {
      await tail.close();
      await producer.disconnect();
    }
  },
});

Deno.test("kafka tail refuses a malformed URL", () => {
  assert.throws(() => kafkaTail("kafka://"), TailError);
  assert.throws(() => kafkaTail("kafka://a:99999"), TailError);
});

Deno.test("kafka tail reports an unreachable broker as TailError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const tail = kafkaTail(`kafka://127.0.0.1:${port}`);
  try {
    await assert.rejects(
      tail.list(),
      (e) => e instanceof TailError && /cannot connect/.test(e.message),
    );
  } finally {
    await tail.close();
  }
});
