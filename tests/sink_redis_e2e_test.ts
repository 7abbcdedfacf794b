/**
 * End to end: Coinbase simulator → gateway → Redis Streams sink, read back
 * with ioredis and compared with the gateway's own NDJSON truth file.
 */

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import type { NormalizedEvent } from "../src/core/events.ts";
import { formatFields } from "../src/sinks/redis_format.ts";
import { waitFor } from "./_harness.ts";
import { service } from "./_services.ts";
import { startSinkStack } from "./_sink_harness.ts";
import { TcpProxy } from "./_tcp_proxy.ts";

const redis = await service("redis");

const TRADE_FIELDS = [
  "exchange",
  "pair",
  "price",
  "qty",
  "ts",
  "side",
  "trade_id",
  "raw_json",
];

/** One stream entry read back: its key and fields as an ordered list. */
interface Entry {
  key: string;
  fields: string[];
}

function uniquePrefix(what: string): string {
  return `tickgate-e2e:${what}:${Date.now().toString(36)}${
    crypto.randomUUID().slice(0, 8)
  }`;
}

/** Every entry of every stream under `prefix:`, via SCAN and XRANGE. */
async function readAll(client: Redis, prefix: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor = "0";
  const keys: string[] = [];
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", `${prefix}:*`);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  for (const key of keys) {
    for (const [, fields] of await client.xrange(key, "-", "+")) {
      out.push({ key, fields });
    }
  }
  return out;
}

async function deleteAll(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) return fields[i + 1];
  }
  return undefined;
}

/** Entries grouped by the event id inside their `raw_json`. */
function byId(entries: Entry[]): Map<string, Entry[]> {
  const out = new Map<string, Entry[]>();
  for (const e of entries) {
    const raw = field(e.fields, "raw_json");
    assert.ok(raw !== undefined, `entry in ${e.key} has raw_json`);
    const id = JSON.parse(raw).id as string;
    const list = out.get(id) ?? [];
    list.push(e);
    out.set(id, list);
  }
  return out;
}

Deno.test({
  name: "redis sink e2e: every event exactly once, trade fields as specified",
  ignore: redis.skip,
  fn: async () => {
    const prefix = uniquePrefix("fields");
    const client = new Redis(redis.url);
    try {
      await using stack = await startSinkStack({
        sink: `redis://${redis.hostname}:${redis.port}/0?key=${
          encodeURIComponent(`${prefix}:{kind}:{native}`)
        }`,
      });
      await waitFor("trades to reach Redis", () => {
        const s = stack.stats();
        return s.published >= 200;
      }, 30_000);
      const truth = await stack.settle();
      const got = byId(await readAll(client, prefix));
      assert.ok(truth.some((e) => e.kind === "trade"));
      assert.ok(truth.some((e) => e.kind === "ticker"));
      for (const event of truth) {
        const entries = got.get(event.id);
        assert.equal(entries?.length, 1, `${event.id} delivered once`);
        const { key, fields } = entries![0]!;
        assert.equal(key, `${prefix}:${event.kind}:${event.nativeSymbol}`);
        assert.deepEqual(JSON.parse(field(fields, "raw_json")!), event);
        if (event.kind === "trade") assertTrade(fields, event);
        else assert.deepEqual(fields, formatFields(event, "flat"));
      }
      assert.equal(got.size, truth.length, "nothing but the truth in Redis");
      assert.equal(stack.stats().deadLettered, 0);
    } finally {
      await deleteAll(client, prefix);
      await client.quit();
    }
  },
});

function assertTrade(fields: string[], event: NormalizedEvent): void {
  assert.equal(event.kind, "trade");
  if (event.kind !== "trade") return;
  assert.deepEqual(fields.filter((_, i) => i % 2 === 0), TRADE_FIELDS);
  assert.deepEqual(fields.filter((_, i) => i % 2 === 1).slice(0, 7), [
    "coinbase",
    event.nativeSymbol,
    event.price,
    event.size,
    new Date(event.exchangeTs).toISOString(),
    event.side,
    event.tradeId,
  ]);
  assert.match(field(fields, "side")!, /^(buy|sell)$/);
}

Deno.test({
  name: "redis sink e2e: a 10 s outage under load loses nothing, spool drains",
  ignore: redis.skip,
  fn: async () => {
    const prefix = uniquePrefix("outage");
    const client = new Redis(redis.url);
    const proxy = TcpProxy.start({
      hostname: redis.hostname,
      port: redis.port,
    });
    try {
      await using stack = await startSinkStack({
        sink: `redis://127.0.0.1:${proxy.port}/0?key=${
          encodeURIComponent(`${prefix}:{kind}:{native}`)
        }`,
        tradesPerSecond: 25,
      });
      await waitFor("first deliveries", () => stack.stats().published > 0);
      proxy.cut();
      await new Promise((r) => setTimeout(r, 10_000));
      const during = stack.stats();
      proxy.restore();
      assert.ok(during.lastError !== undefined, "the outage was noticed");
      assert.ok(
        during.queued + during.spooledEvents > 0,
        "events waited during the outage",
      );
      const truth = await stack.settle(120_000);
      const got = byId(await readAll(client, prefix));
      const missing = truth.filter((e) => !got.has(e.id)).map((e) => e.id);
      assert.deepEqual(missing, [], "every truth event arrived");
      for (const [id, entries] of got) {
        for (const e of entries) {
          assert.equal(JSON.parse(field(e.fields, "raw_json")!).id, id);
        }
      }
      const ids = new Set(truth.map((e) => e.id));
      assert.deepEqual([...got.keys()].filter((id) => !ids.has(id)), []);
      const after = stack.stats();
      assert.equal(after.spooledBytes, 0);
      assert.equal(after.spooledEvents, 0);
      assert.equal(after.deadLettered, 0);
      assert.equal(after.spoolDropped, 0);
    } finally {
      await proxy.close();
      await deleteAll(client, prefix);
      await client.quit();
    }
  },
});
