/**
 * The spool end to end with a real Redis behind a test-owned TCP proxy:
 * kill -9 during an outage loses nothing the spool accepted, and a full
 * spool drops its oldest events (counted) while the process stays healthy.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { NormalizedEvent } from "../src/core/events.ts";
import { CoinbaseSimulator } from "../src/simulator/coinbase.ts";
import {
  readEvents,
  startGatewayProcess,
  TEST_ENV,
  waitFor,
} from "./_harness.ts";
import { service } from "./_services.ts";
import { startSinkStack } from "./_sink_harness.ts";
import { TcpProxy } from "./_tcp_proxy.ts";

const redis = await service("redis");

/** Every `id` in the streams under `prefix`, in stream order, then deletes them. */
async function readIds(prefix: string): Promise<string[]> {
  const r = new Redis(redis.url);
  try {
    const keys = await r.keys(`${prefix}:*`);
    const ids: string[] = [];
    for (const key of keys) {
      for (const [, fields] of await r.xrange(key, "-", "+")) {
        ids.push(fields[fields.indexOf("id") + 1]!);
      }
    }
    if (keys.length > 0) await r.del(...keys);
    return ids;
  } finally {
    r.disconnect();
  }
}

async function sinkStats(
  port: number,
): Promise<Record<string, number | string>> {
  const res = await fetch(`http://127.0.0.1:${port}/stats`);
  const body = await res.json();
  return body.sinks.sut;
}

Deno.test({
  name:
    "kill -9 during a sink outage, restart: the spool drains and no accepted event is lost",
  ignore: redis.skip,
  async fn() {
    const prefix = `tg-kill9-${crypto.randomUUID().slice(0, 8)}`;
    const dir = await Deno.makeTempDir({ prefix: "tickgate-kill9-" });
    await using proxy = TcpProxy.start(redis);
    const sim = await CoinbaseSimulator.start({
      products: ["BTC-USD", "ETH-USD"],
      tradesPerSecond: 40,
    });
    try {
      const env = {
        ...TEST_ENV,
        VENUES: "coinbase",
        COINBASE_WS_URL: sim.url,
        COINBASE_PRODUCTS: "BTC-USD,ETH-USD",
        COINBASE_CHANNELS: "ticker,matches,heartbeat",
        DATA_DIR: join(dir, "data"),
        SPOOL_FSYNC: "always",
        SINKS: `file:${
          join(dir, "truth.ndjson")
        },redis://127.0.0.1:${proxy.port}/0?format=canonical&key=${prefix}:{kind}:{native}&name=sut`,
      };
      const first = await startGatewayProcess(env);
      await waitFor(
        "deliveries",
        async () => Number((await sinkStats(first.port)).published) > 50,
      );
      proxy.cut();
      await waitFor(
        "spooling",
        async () => Number((await sinkStats(first.port)).spooledEvents) > 300,
      );
      sim.pause();
      // Everything received is now in the spool (nothing pending in memory).
      await waitFor("the spool to hold everything", async () => {
        const st = await sinkStats(first.port);
        return st.queued === 0 && st.mode === "spooling";
      });
      await new Promise((r) => setTimeout(r, 300)); // the truth file's linger
      const spooled = Number((await sinkStats(first.port)).spooledEvents);
      await first.kill();
      const truth: NormalizedEvent[] = await readEvents(
        join(dir, "truth.ndjson"),
      );
      assert.ok(truth.length >= spooled);

      proxy.restore();
      await using second = await startGatewayProcess(env);
      await waitFor("the spool to drain", async () => {
        const st = await sinkStats(second.port);
        return st.spooledBytes === 0 && st.mode === "direct";
      }, 30_000);
      assert.match(second.logs(), /Spool holds \d+ events/);
      assert.equal(await second.stop(), 0);
      const got = new Set(await readIds(prefix));
      const lost = truth.filter((e) => !got.has(e.id)).map((e) => e.id);
      assert.deepEqual(lost, []);
    } finally {
      await sim.close();
      await Deno.remove(dir, { recursive: true });
      await readIds(prefix);
    }
  },
});

Deno.test({
  name:
    "a full spool drops its oldest events, counts them, and the process stays healthy",
  ignore: redis.skip,
  async fn() {
    const prefix = `tg-cap-${crypto.randomUUID().slice(0, 8)}`;
    await using proxy = TcpProxy.start(redis);
    proxy.cut();
    await using stack = await startSinkStack({
      sink:
        `redis://127.0.0.1:${proxy.port}/0?format=canonical&key=${prefix}:{kind}:{native}`,
      env: { SPOOL_MAX_MB: "1" },
      tradesPerSecond: 400,
    });
    try {
      await waitFor(
        "the spool cap",
        () => stack.stats().spoolDropped > 0,
        60_000,
      );
      const full = stack.stats();
      assert.ok(full.spooledBytes <= 1024 * 1024, `${full.spooledBytes} bytes`);
      assert.equal(full.dropped, full.spoolDropped);
      const health = await fetch(`http://127.0.0.1:${stack.gw.port}/health`);
      assert.equal(health.status, 200);
      const body = await health.json();
      assert.ok(
        body.warnings.some((w: string) =>
          w.startsWith("sink sut: not delivering")
        ),
        JSON.stringify(body.warnings),
      );
      const metrics =
        await (await fetch(`http://127.0.0.1:${stack.gw.port}/metrics`)).text();
      const m = /tickgate_sink_spool_dropped_total\{sink="sut"\} (\d+)/.exec(
        metrics,
      );
      assert.ok(
        m !== null && Number(m[1]) > 0,
        "spool drops exposed as a metric",
      );

      proxy.restore();
      const truth = await stack.settle();
      const st = stack.stats();
      const got = await readIds(prefix);
      // What was dropped is the oldest: the delivered ids are the truth's tail.
      const delivered = new Set(got);
      const firstKept = truth.findIndex((e) => delivered.has(e.id));
      assert.ok(firstKept > 0, "the oldest events were dropped");
      const missingAfter = truth.slice(firstKept).filter((e) =>
        !delivered.has(e.id)
      );
      assert.deepEqual(missingAfter.map((e) => e.id), []);
      assert.equal(firstKept, st.spoolDropped);
    } finally {
      await stack[Symbol.asyncDispose](); // its last status events, then clean
      await readIds(prefix);
    }
  },
});
