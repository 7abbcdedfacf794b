import assert from "node:assert/strict";
import { join } from "node:path";
import type { NormalizedEvent } from "../core/events.ts";
import { DeliveryQueue, type DeliveryQueueOptions } from "./queue.ts";
import { DeliveryError, type SinkDriver } from "./types.ts";

/** A destination the test switches between up, down and refusing. */
class ScriptedDriver implements SinkDriver {
  mode: "up" | "down" | "refuse" = "up";
  /** Every event id acknowledged, in order (duplicates included). */
  readonly delivered: string[] = [];
  readonly batchSizes: number[] = [];
  sendDelayMs = 0;
  connect(): Promise<void> {
    return this.mode === "down"
      ? Promise.reject(new Error("connection refused"))
      : Promise.resolve();
  }
  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    if (this.sendDelayMs > 0) {
      await new Promise((r) => setTimeout(r, this.sendDelayMs));
    }
    if (this.mode === "down") throw new Error("connection reset");
    if (this.mode === "refuse") {
      throw new DeliveryError("HTTP 401 Unauthorized", {
        permanent: true,
        status: 401,
      });
    }
    this.batchSizes.push(batch.length);
    for (const e of batch) this.delivered.push(e.id);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function trades(from: number, n: number): NormalizedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t:${from + i}`,
    kind: "trade" as const,
    venue: "bybit" as const,
    symbol: "ETH-USDT",
    nativeSymbol: "ETHUSDT",
    exchangeTs: Date.now(),
    receivedTs: Date.now(),
    tradeId: String(from + i),
    price: "2000.1",
    size: "1",
    side: "sell" as const,
  }));
}

function ids(from: number, n: number): string[] {
  return trades(from, n).map((e) => e.id);
}

/** First occurrence of each id, in delivery order (at-least-once allows repeats). */
function firstSeen(delivered: string[]): string[] {
  return [...new Set(delivered)];
}

async function until(what: string, check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withQueue(
  driver: ScriptedDriver,
  options: Partial<DeliveryQueueOptions>,
  fn: (q: DeliveryQueue, dir: string) => Promise<void>,
  dir?: string,
): Promise<void> {
  const own = dir === undefined;
  dir ??= await Deno.makeTempDir({ prefix: "tickgate-queue-" });
  const q = new DeliveryQueue({
    name: "t",
    scheme: "redis",
    driver,
    batchSize: 10,
    lingerMs: 0,
    maxQueued: 1000,
    spool: { dir: join(dir, "spool"), maxBytes: 1 << 20, fsync: "never" },
    deadLetterPath: join(dir, "dead.ndjson"),
    backoff: { baseMs: 5, capMs: 20 },
    breaker: { threshold: 3, cooldownMs: 50 },
    ...options,
  });
  await q.start();
  try {
    await fn(q, dir);
  } finally {
    await q.close();
    if (own) await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DeliveryQueue delivers in order in batches no larger than batch_size", async () => {
  const d = new ScriptedDriver();
  await withQueue(d, {}, async (q) => {
    q.write(trades(0, 35));
    q.write(trades(35, 5));
    await until("delivery", () => d.delivered.length === 40);
    assert.deepEqual(d.delivered, ids(0, 40));
    assert.ok(d.batchSizes.every((n) => n <= 10));
    const st = q.stats();
    assert.equal(st.published, 40);
    assert.equal(st.mode, "direct");
    assert.equal(st.latencyMs.count, 40);
  });
});

Deno.test("DeliveryQueue spools during an outage and drains the spool, in order, before new events", async () => {
  const d = new ScriptedDriver();
  await withQueue(d, {}, async (q) => {
    q.write(trades(0, 10));
    await until("first batch", () => d.delivered.length === 10);
    d.mode = "down";
    for (let i = 10; i < 200; i += 10) {
      q.write(trades(i, 10));
      await new Promise((r) => setTimeout(r, 2));
    }
    await until("spooling", () => q.stats().spooledEvents === 190);
    const down = q.stats();
    assert.equal(down.mode, "spooling");
    assert.equal(down.connected, false);
    assert.ok(down.retries > 0);
    d.mode = "up";
    q.write(trades(200, 10));
    await until("recovery", () => firstSeen(d.delivered).length === 210);
    await until("drained", () => q.stats().mode === "direct");
    assert.deepEqual(firstSeen(d.delivered), ids(0, 210));
    assert.equal(q.stats().spooledBytes, 0);
    q.write(trades(210, 3));
    await until("direct again", () => firstSeen(d.delivered).length === 213);
  });
});

Deno.test("DeliveryQueue spills to the spool when memory is full and keeps the order", async () => {
  const d = new ScriptedDriver();
  d.sendDelayMs = 20;
  await withQueue(d, { maxQueued: 20 }, async (q) => {
    for (let i = 0; i < 300; i += 15) q.write(trades(i, 15));
    assert.equal(q.stats().mode, "spooling");
    await until("all delivered", () => firstSeen(d.delivered).length === 300);
    assert.deepEqual(firstSeen(d.delivered), ids(0, 300));
    await until("drained", () => q.stats().mode === "direct");
    assert.equal(q.stats().dropped, 0);
  });
});

Deno.test("DeliveryQueue sends refused events to the dead-letter file, once each", async () => {
  const d = new ScriptedDriver();
  d.mode = "refuse";
  await withQueue(d, {}, async (q, dir) => {
    q.write(trades(0, 25));
    await until("dead letters", () => q.stats().deadLettered === 25);
    const lines = (await Deno.readTextFile(join(dir, "dead.ndjson"))).trim()
      .split("\n").map((l) => JSON.parse(l).id);
    assert.deepEqual(lines, ids(0, 25));
    const st = q.stats();
    assert.equal(st.failed, 25);
    assert.equal(st.retries, 0);
    assert.match(st.lastError ?? "", /401/);
    d.mode = "up";
    q.write(trades(25, 2));
    await until("later events", () => d.delivered.length === 2);
  });
});

Deno.test("DeliveryQueue closed while the destination is down keeps everything for the next start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-queue-" });
  try {
    const d = new ScriptedDriver();
    d.mode = "down";
    await withQueue(d, {}, async (q) => {
      q.write(trades(0, 50));
      await until("spooled", () => q.stats().spooledEvents === 50);
      q.write(trades(50, 7)); // still pending in memory when closing
    }, dir);
    const after = new ScriptedDriver();
    await withQueue(after, {}, async (q) => {
      assert.equal(q.stats().mode, "spooling");
      q.write(trades(57, 3));
      await until(
        "restart drains",
        () => firstSeen(after.delivered).length === 60,
      );
      assert.deepEqual(firstSeen(after.delivered), ids(0, 60));
    }, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
