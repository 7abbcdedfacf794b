/**
 * End to end: Coinbase simulator → gateway → Kafka sink (against the kcat
 * mock cluster), read back with kafkajs and compared with the gateway's own
 * NDJSON truth file. The outage is the broker process paused (SIGSTOP):
 * a TCP proxy cannot stand in for Kafka, whose brokers advertise their own
 * address.
 */

import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import type { NormalizedEvent } from "../src/core/events.ts";
import { waitFor } from "./_harness.ts";
import {
  KCAT_AVAILABLE,
  type ReadRecord,
  readTopics,
  startKafkaMock,
} from "./_kafka_mock.ts";
import { startSinkStack } from "./_sink_harness.ts";

const ignore = !KCAT_AVAILABLE;

function uniquePrefix(what: string): string {
  return `tickgate-e2e.${what}.${Date.now().toString(36)}${
    crypto.randomUUID().slice(0, 8)
  }`;
}

/** Topics of the cluster that start with `prefix`. */
async function topicsOf(bootstrap: string, prefix: string): Promise<string[]> {
  const admin = new Kafka({
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix))
      .sort();
  } finally {
    await admin.disconnect();
  }
}

/** Records grouped by their `id` header. */
function byId(records: ReadRecord[]): Map<string, ReadRecord[]> {
  const out = new Map<string, ReadRecord[]>();
  for (const r of records) {
    const id = r.headers.id;
    assert.ok(id !== undefined, `record ${r.topic} ${r.offset} has an id`);
    const list = out.get(id) ?? [];
    list.push(r);
    out.set(id, list);
  }
  return out;
}

/**
 * The tick a dashboard expects, written independently of the sink's code:
 * ISO 8601 with microseconds via BigInt arithmetic.
 */
function expectedTick(e: NormalizedEvent): string | undefined {
  let price: string;
  let volume: string;
  if (e.kind === "trade") {
    [price, volume] = [e.price, e.size];
  } else if (e.kind === "ticker" && e.last !== "" && e.lastSize) {
    [price, volume] = [e.last, e.lastSize];
  } else {
    return undefined;
  }
  const us = BigInt(Math.round(e.exchangeTs * 1000));
  const secs = us / 1_000_000n;
  const frac = (us % 1_000_000n).toString().padStart(6, "0");
  const whole = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return JSON.stringify({
    symbol: e.symbol.split("-")[0],
    price: Number(price),
    volume: Number(volume),
    timestamp: `${whole}.${frac}+00:00`,
  });
}

Deno.test({
  name: "kafka sink e2e: every event exactly once, records as specified",
  ignore,
  fn: async () => {
    await using mock = await startKafkaMock();
    const prefix = uniquePrefix("canonical");
    await using stack = await startSinkStack({
      sink: `kafka://${mock.bootstrap}?topic=${prefix}.{kind}`,
    });
    await waitFor("events to reach Kafka", () => {
      return stack.stats().published >= 200;
    }, 30_000);
    const truth = await stack.settle();
    const kinds = [...new Set(truth.map((e) => e.kind))].sort();
    assert.ok(kinds.includes("trade") && kinds.includes("ticker"));
    const topics = await topicsOf(mock.bootstrap, prefix);
    assert.deepEqual(topics, kinds.map((k) => `${prefix}.${k}`).sort());
    const records = await readTopics(mock.bootstrap, topics);
    const got = byId(records);
    for (const event of truth) {
      const list = got.get(event.id);
      assert.equal(list?.length, 1, `${event.id} delivered once`);
      const r = list![0]!;
      assert.equal(r.topic, `${prefix}.${event.kind}`);
      assert.equal(r.key, event.symbol);
      assert.deepEqual(r.headers, {
        id: event.id,
        kind: event.kind,
        venue: event.venue,
      });
      assert.equal(r.value, JSON.stringify(event));
    }
    assert.equal(records.length, truth.length, "nothing but the truth");
    const st = stack.stats();
    assert.equal(st.deadLettered, 0);
    assert.deepEqual(st.details, {
      idempotent: false,
      topics: kinds.length,
      skipped: 0,
    });
  },
});

Deno.test({
  name:
    "kafka sink e2e: format=tick writes trade and ticker ticks as specified",
  ignore,
  fn: async () => {
    await using mock = await startKafkaMock();
    const topic = `${uniquePrefix("tick")}-stock-ticks`;
    await using stack = await startSinkStack({
      sink: `kafka://${mock.bootstrap}?format=tick&topic=${topic}`,
    });
    await waitFor("ticks to reach Kafka", () => {
      return stack.stats().published >= 200;
    }, 30_000);
    const truth = await stack.settle();
    const wanted = truth.filter((e) => expectedTick(e) !== undefined);
    assert.ok(wanted.some((e) => e.kind === "trade"));
    assert.ok(wanted.some((e) => e.kind === "ticker"));
    assert.ok(truth.some((e) => e.kind === "status"));
    const records = await readTopics(mock.bootstrap, [topic]);
    const got = byId(records);
    for (const event of wanted) {
      const list = got.get(event.id);
      assert.equal(list?.length, 1, `${event.id} delivered once`);
      const r = list![0]!;
      assert.equal(r.key, event.symbol);
      assert.deepEqual(r.headers, {
        id: event.id,
        kind: event.kind,
        venue: event.venue,
      });
      assert.equal(r.value, expectedTick(event));
    }
    assert.equal(records.length, wanted.length, "only trades and tickers");
    assert.deepEqual(stack.stats().details, {
      idempotent: false,
      topics: 1,
      skipped: truth.length - wanted.length,
    });
  },
});

Deno.test({
  name:
    "kafka sink e2e: a 10 s broker pause under load loses nothing, spool drains",
  ignore,
  fn: async () => {
    await using mock = await startKafkaMock();
    const prefix = uniquePrefix("outage");
    await using stack = await startSinkStack({
      sink: `kafka://${mock.bootstrap}?topic=${prefix}.{kind}`,
      tradesPerSecond: 25,
    });
    await waitFor("first deliveries", () => stack.stats().published > 0);
    await mock.pause();
    try {
      await new Promise((r) => setTimeout(r, 10_000));
    } finally {
      mock.resume();
    }
    const during = stack.stats();
    assert.ok(during.lastError !== undefined, "the outage was noticed");
    assert.ok(
      during.queued + during.spooledEvents > 0,
      "events waited during the outage",
    );
    const truth = await stack.settle(120_000);
    const topics = await topicsOf(mock.bootstrap, prefix);
    const got = byId(await readTopics(mock.bootstrap, topics));
    const missing = truth.filter((e) => !got.has(e.id)).map((e) => e.id);
    assert.deepEqual(missing, [], "every truth event arrived");
    const byTruth = new Map(truth.map((e) => [e.id, e]));
    for (const [id, list] of got) {
      const event = byTruth.get(id);
      assert.ok(event !== undefined, `${id} is a truth event`);
      // Duplicates (at least once) carry the same event.
      for (const r of list) assert.equal(r.value, JSON.stringify(event));
    }
    const after = stack.stats();
    assert.equal(after.spooledBytes, 0);
    assert.equal(after.spooledEvents, 0);
    assert.equal(after.deadLettered, 0);
    assert.equal(after.spoolDropped, 0);
  },
});
