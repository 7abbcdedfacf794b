/**
 * End to end: Coinbase simulator → gateway → RabbitMQ sink, read back from
 * the class queues with amqplib and compared with the gateway's own NDJSON
 * truth file.
 */

import { broker, drain, expectedWire, wire } from "./_rabbitmq.ts";
import assert from "node:assert/strict";
import type { Channel, GetMessage } from "amqplib";
import { depthLevel } from "../src/sinks/rabbitmq_levels.ts";
import { classOfKind, QUEUE_CLASSES } from "../src/sinks/rabbitmq_topology.ts";
import { waitFor } from "./_harness.ts";
import { service } from "./_services.ts";
import { startSinkStack } from "./_sink_harness.ts";
import { TcpProxy } from "./_tcp_proxy.ts";

const rabbit = await service("rabbitmq");

function sinkUrl(exchange: string, port = rabbit.port): string {
  const u = new URL(rabbit.url);
  return `amqp://${u.username}:${u.password}@${rabbit.hostname}:${port}/?exchange=${exchange}&poll_sec=1`;
}

function uniqueExchange(what: string): string {
  return `tgtest-e2e-${what}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Messages of every class queue, by the queue they were read from. */
async function readQueues(
  ch: Channel,
  exchange: string,
): Promise<Map<string, GetMessage[]>> {
  const out = new Map<string, GetMessage[]>();
  for (const c of QUEUE_CLASSES) {
    out.set(c.name, await drain(ch, `${exchange}.${c.name}`));
  }
  return out;
}

/** Messages grouped by messageId; each body's id must equal it. */
function byId(messages: GetMessage[]): Map<string, GetMessage[]> {
  const out = new Map<string, GetMessage[]>();
  for (const m of messages) {
    const id = m.properties.messageId as string;
    assert.equal(JSON.parse(m.content.toString()).id, id);
    const list = out.get(id) ?? [];
    list.push(m);
    out.set(id, list);
  }
  return out;
}

type Depths = Record<string, Record<string, unknown>>;

Deno.test({
  name:
    "rabbitmq sink e2e: every event exactly once in its class queue, fields as specified, depths in /stats",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = uniqueExchange("fields");
    await using b = await broker(rabbit.url, exchange);
    // A queue of the test's own sees every event, status events included.
    await b.ch.assertExchange(exchange, "topic", { durable: true });
    const all = await b.ch.assertQueue("", { exclusive: true });
    await b.ch.bindQueue(all.queue, exchange, "#");
    await using stack = await startSinkStack({ sink: sinkUrl(exchange) });
    await waitFor("events to reach RabbitMQ", () => {
      return stack.stats().published >= 200;
    }, 30_000);
    const truth = await stack.settle();
    const count = (kind: string) => truth.filter((e) => e.kind === kind).length;
    assert.ok(count("trade") > 0 && count("ticker") > 0 && count("status") > 0);

    // /stats shows each class queue's depth once a poll has seen everything.
    const stats = async () => {
      const res = await fetch(`http://127.0.0.1:${stack.gw.port}/stats`);
      const body = await res.json();
      return body.sinks.sut.details as { exchange: string; queues: Depths };
    };
    await waitFor("depth polls to see every event", async () => {
      const q = (await stats()).queues;
      return q[`${exchange}.trades`]?.depth === count("trade") &&
        q[`${exchange}.tickers`]?.depth === count("ticker");
    }, 15_000);
    const details = await stats();
    assert.equal(details.exchange, exchange);
    assert.deepEqual(
      Object.keys(details.queues).sort(),
      QUEUE_CLASSES.map((c) => `${exchange}.${c.name}`).sort(),
    );
    for (const kind of ["trade", "ticker"]) {
      const d = details
        .queues[`${exchange}.${classOfKind(kind as "trade")!.name}`]!;
      const { level, reason } = depthLevel(count(kind), 100_000);
      assert.equal(d.consumers, 0);
      assert.equal(d.level, level);
      assert.equal(d.reason, reason);
    }
    // The queue's stats carry the same details (rates may move on a poll).
    const own = stack.stats().details as typeof details;
    assert.equal(own.exchange, exchange);
    assert.equal(own.queues[`${exchange}.trades`]?.depth, count("trade"));

    const queues = await readQueues(b.ch, exchange);
    for (const c of QUEUE_CLASSES) {
      const want = truth.filter((e) => e.kind === c.kind);
      const got = byId(queues.get(c.name)!);
      assert.equal(got.size, want.length, `${c.name}: nothing but the truth`);
      for (const e of want) {
        const ms = got.get(e.id);
        assert.equal(ms?.length, 1, `${e.id} once in ${c.name}`);
        assert.deepEqual(wire(ms![0]!), expectedWire(exchange, e));
      }
    }
    const everything = byId(await drain(b.ch, all.queue));
    assert.equal(everything.size, truth.length);
    for (const e of truth) {
      const ms = everything.get(e.id);
      assert.equal(ms?.length, 1, `${e.id} published once`);
      assert.deepEqual(wire(ms![0]!), expectedWire(exchange, e));
    }
    assert.equal(stack.stats().deadLettered, 0);
  },
});

Deno.test({
  name:
    "rabbitmq sink e2e: a 10 s outage under load loses nothing, spool drains",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = uniqueExchange("outage");
    await using b = await broker(rabbit.url, exchange);
    const proxy = TcpProxy.start({
      hostname: rabbit.hostname,
      port: rabbit.port,
    });
    try {
      await using stack = await startSinkStack({
        sink: sinkUrl(exchange, proxy.port),
        tradesPerSecond: 25,
      });
      await waitFor("first deliveries", () => stack.stats().published > 0);
      const before = (await stack.truth()).filter((e) => e.kind === "trade");
      proxy.cut();
      await new Promise((r) => setTimeout(r, 10_000));
      const during = stack.stats();
      const tradesDuring = (await stack.truth()).filter((e) =>
        e.kind === "trade"
      ).length -
        before.length;
      proxy.restore();
      assert.ok(tradesDuring >= 200, `≥ 20 trades/s: ${tradesDuring} in 10 s`);
      assert.ok(during.lastError !== undefined, "the outage was noticed");
      assert.ok(
        during.queued + during.spooledEvents > 0,
        "events waited during the outage",
      );
      const truth = await stack.settle(120_000);
      const queues = await readQueues(b.ch, exchange);
      for (const c of QUEUE_CLASSES) {
        const want = truth.filter((e) => e.kind === c.kind);
        const got = byId(queues.get(c.name)!);
        const missing = want.filter((e) => !got.has(e.id)).map((e) => e.id);
        assert.deepEqual(missing, [], `${c.name}: every truth event arrived`);
        const ids = new Set(want.map((e) => e.id));
        assert.deepEqual([...got.keys()].filter((id) => !ids.has(id)), []);
        for (const e of want) {
          for (const m of got.get(e.id)!) {
            assert.deepEqual(wire(m), expectedWire(exchange, e));
          }
        }
      }
      const after = stack.stats();
      assert.equal(after.spooledBytes, 0);
      assert.equal(after.spooledEvents, 0);
      assert.equal(after.deadLettered, 0);
      assert.equal(after.spoolDropped, 0);
    } finally {
      await proxy.close();
    }
  },
});
