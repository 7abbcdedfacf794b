/**
 * Harness correctness of the end-to-end benchmarks (never their speed):
 * the blaster delivers every frame intact, the gateway counts every frame
 * and emits each corpus event once, every event reaches Redis (and the raw
 * clients write as many records as the sinks), and the latency harness
 * keeps one exact sample per event.
 */

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { service } from "../tests/_services.ts";
import { KCAT_AVAILABLE } from "../tests/_kafka_mock.ts";
import { spawnBlaster, startBlaster } from "./blaster.ts";
import { coinbaseCorpus, symbols } from "./corpus.ts";
import {
  bareClient,
  type BenchGateway,
  PRODUCTS,
  startGateway,
  timeFrames,
  until,
} from "./e2e.ts";
import {
  corpusEvents,
  type Destination,
  kafkaDestination,
  rabbitDestination,
  REDIS_DB,
  redisDestination,
} from "./e2e_destinations.ts";
import { gatewayRun } from "./e2e_sinks.ts";
import { percentiles, quantile } from "./latency.ts";
import {
  bareLatencies,
  gatewayLatencies,
  spawnLatencySide,
  withFineClock,
} from "./latency_sides.ts";

const N = 2_000;
const frames = coinbaseCorpus(N, PRODUCTS);
const events = corpusEvents(frames);
const redis = await service("redis");
const rabbit = await service("rabbitmq");
/** Gateways, brokers and npm clients keep timers past a test's end. */
const loose = { sanitizeOps: false, sanitizeResources: false };

Deno.test("blaster: a bare client receives every frame intact, flooding and paced", async () => {
  for (const rate of [0, 20_000]) {
    const b = startBlaster({ frames, products: symbols(PRODUCTS), rate });
    const got: string[] = [];
    const c = await bareClient(b, (f) => got.push(f));
    await b.start();
    await until(() => c.count === N + 1, 10_000, () => `${c.count} frames`);
    assert.match(got[0]!, /^\{"type":"subscriptions"/);
    assert.deepEqual(got.slice(1), frames);
    const [conn] = await b.report();
    assert.deepEqual(conn, {
      id: 0,
      subscribes: 1,
      products: PRODUCTS,
      state: "done",
      sent: N,
    });
    await c.close();
    await b.close();
  }
});

Deno.test("blaster: the spawned process lists products and reports its connections", async () => {
  const b = await spawnBlaster({ count: 100, products: 3 });
  try {
    const url = b.url.replace("ws:", "http:");
    const products = await (await fetch(`${url}/products`)).json();
    assert.deepEqual(products, symbols(3).map((id) => ({ id })));
    assert.deepEqual(await b.report(), []);
    assert.equal(await b.start(), 0);
  } finally {
    await b.close();
  }
});

Deno.test({
  name:
    "null sink: the real gateway counts every frame and emits each event once",
  ...loose,
  async fn() {
    const b = startBlaster({ frames, products: symbols(PRODUCTS) });
    let g: BenchGateway | undefined;
    try {
      g = await startGateway(b, "");
      const rate = await timeFrames(b, N, g.frames);
      assert.ok(rate > 0);
      const stats = g.gw.venues[0]!.stats;
      const kinds = { trade: 0, ticker: 0 };
      for (const e of events) kinds[e.kind as "trade" | "ticker"]++;
      assert.equal(stats.events.trade, kinds.trade);
      assert.equal(stats.events.ticker, kinds.ticker);
      assert.equal(stats.duplicates + stats.invalid + stats.malformed, 0);
      assert.equal(stats.gaps, 0);
    } finally {
      await g?.stop();
      await b.close();
    }
  },
});

/** Runs the gateway into `dest`, then the raw client; checks both counts. */
async function sinkRoundTrip(
  dest: Destination,
  fromGateway: number,
): Promise<void> {
  const b = startBlaster({ frames, products: symbols(PRODUCTS) });
  try {
    await dest.reset();
    const before = await dest.held();
    assert.ok(await gatewayRun(b, dest, events.length) > 0);
    assert.equal(await dest.held() - before, fromGateway);
    await dest.reset();
    const between = await dest.held();
    await (await dest.raw(events))();
    assert.equal(await dest.held() - between, events.length);
  } finally {
    await b.close();
  }
}

Deno.test({
  name:
    "redis: every event reaches Redis once, and the raw loop writes as many",
  ignore: redis.skip,
  ...loose,
  async fn() {
    const dest = await redisDestination();
    const client = new Redis({ host: "127.0.0.1", port: 6379, db: REDIS_DB });
    const prefix = new URL(dest.sink).searchParams.get("key")!.split(":")[0];
    try {
      // Every corpus event, plus the connection's `connected` status event
      // and, as the gateway stops, its `disconnected` one.
      const b = startBlaster({ frames, products: symbols(PRODUCTS) });
      try {
        await gatewayRun(b, dest, events.length);
      } finally {
        await b.close();
      }
      const ids: string[] = [];
      for (const key of await client.keys(`${prefix}:*`)) {
        for (const [, fields] of await client.xrange(key, "-", "+")) {
          ids.push(JSON.parse(fields[fields.indexOf("raw_json") + 1]!).id);
        }
      }
      assert.equal(ids.length, events.length + 2);
      assert.equal(new Set(ids).size, ids.length);
      for (const e of events) assert.ok(ids.includes(e.id));
      await sinkRoundTrip(dest, events.length + 2);
    } finally {
      await dest.close();
      assert.deepEqual(await client.keys(`${prefix}:*`), []);
      await client.quit();
    }
  },
});

Deno.test({
  name: "rabbitmq: the sink and the raw publisher deliver every event",
  ignore: rabbit.skip,
  ...loose,
  async fn() {
    const dest = await rabbitDestination();
    try {
      // Status events have no class queue.
      await sinkRoundTrip(dest, events.length);
    } finally {
      await dest.close();
    }
  },
});

Deno.test({
  name: "kafka: the sink and the raw producer write every event",
  ignore: !KCAT_AVAILABLE,
  ...loose,
  async fn() {
    const dest = await kafkaDestination();
    try {
      // With the two status events, as into Redis.
      await sinkRoundTrip(dest, events.length + 2);
    } finally {
      await dest.close();
    }
  },
});

Deno.test({
  name: "latency: one exact sample per event, gateway and bare floor alike",
  ignore: redis.skip,
  ...loose,
  async fn() {
    const dest = await redisDestination();
    const floorKey = `tgbench-test-${Deno.pid}:floor`;
    const b = startBlaster({
      frames,
      products: symbols(PRODUCTS),
      rate: 20_000,
    });
    try {
      const ms = await gatewayLatencies(b, dest.sink, events.length);
      assert.equal(ms.length, events.length);
      assert.ok(ms.every((v) => Number.isFinite(v) && v >= 0));
      assert.ok(ms.some((v) => v !== Math.round(v)), "sub-ms resolution");
      const commands = events.map((e) => ["xadd", floorKey, "*", "id", e.id]);
      const floor = await bareLatencies(b, commands);
      assert.equal(floor.length, events.length);
    } finally {
      await b.close();
      await dest.close();
      const c = new Redis({ host: "127.0.0.1", port: 6379, db: REDIS_DB });
      await c.del(floorKey);
      await c.quit();
    }
    assert.equal(Date.now(), Math.floor(Date.now()));
  },
});

Deno.test({
  name: "latency: each side measured in a child process of its own",
  ignore: redis.skip,
  ...loose,
  async fn() {
    const dest = await redisDestination();
    const b = startBlaster({
      frames,
      products: symbols(PRODUCTS),
      rate: 20_000,
    });
    try {
      for (const side of ["gateway", "bare"] as const) {
        await dest.reset();
        const ms = await spawnLatencySide(side, b, dest.sink, N);
        assert.equal(ms.length, N, side);
        assert.ok(ms.every((v) => Number.isFinite(v) && v >= 0), side);
        assert.ok(ms.some((v) => v !== Math.round(v)), `${side}: sub-ms`);
        // What the child wrote reached Redis: every event once (the
        // gateway also its connection's two status events, as above).
        assert.equal(await dest.held(), side === "gateway" ? N + 2 : N, side);
      }
      // Both children were served by this blaster, one connection each.
      assert.deepEqual((await b.report()).map((c) => c.sent), [N, N]);
    } finally {
      await b.close();
      await dest.close();
    }
  },
});

Deno.test("latency: quantiles by nearest rank; the fine clock is restored", async () => {
  const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i);
  assert.deepEqual(percentiles(xs), [500, 990, 999]);
  assert.equal(quantile([], 0.5), NaN);
  assert.equal(quantile([7], 0.999), 7);
  const coarse = Date.now;
  const inside = await withFineClock(() => Promise.resolve(Date.now()));
  assert.ok(Math.abs(inside - coarse()) < 50);
  assert.equal(Date.now, coarse);
});
