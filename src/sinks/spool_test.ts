import assert from "node:assert/strict";
import { join } from "node:path";
import type { NormalizedEvent } from "../core/events.ts";
import { Spool, type SpoolOptions } from "./spool.ts";

function trades(from: number, n: number): NormalizedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t:${from + i}`,
    kind: "trade" as const,
    venue: "binance" as const,
    symbol: "BTC-USDT",
    nativeSymbol: "BTCUSDT",
    exchangeTs: 1000 + from + i,
    receivedTs: 2000 + from + i,
    tradeId: String(from + i),
    price: "100.5",
    size: "0.25",
    side: "buy" as const,
  }));
}

async function drain(spool: Spool, max = 7): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const b = await spool.read(max);
    if (b === undefined) return ids;
    for (const e of b.events) ids.push(e.id);
    await spool.commit(b);
  }
}

/** Names of the segment files in `dir`, sorted. */
async function segmentFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.endsWith(".ndjson")) names.push(e.name);
  }
  return names.sort();
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-spool-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const small = (
  dir: string,
  extra: Partial<SpoolOptions> = {},
): SpoolOptions => ({
  dir,
  maxBytes: 1 << 20,
  fsync: "never",
  segmentBytes: 2000,
  ...extra,
});

Deno.test("Spool returns events in order across segments and deletes what was delivered", async () => {
  await withDir(async (dir) => {
    const spool = await Spool.open(small(dir));
    for (let i = 0; i < 80; i += 5) await spool.append(trades(i, 5));
    assert.equal(spool.events, 80);
    const segments = await segmentFiles(dir);
    assert.ok(segments.length > 3, `${segments.length} segments`);
    const ids = await drain(spool);
    assert.deepEqual(ids, trades(0, 80).map((e) => e.id));
    assert.equal(spool.events, 0);
    assert.equal(spool.bytes, 0);
    assert.deepEqual(await segmentFiles(dir), []);
    const again = trades(80, 3);
    await spool.append(again);
    const b = await spool.read(10);
    assert.deepEqual(b?.events, again);
    await spool.close();
  });
});

Deno.test("Spool resumes after a restart at the delivered cursor and repairs a torn line", async () => {
  await withDir(async (dir) => {
    const first = await Spool.open(small(dir));
    await first.append(trades(0, 30));
    const b = await first.read(12);
    await first.commit(b!);
    const unacked = await first.read(5); // read, never committed: redelivered
    assert.equal(unacked?.events.length, 5);
    await first.close();
    // A crash mid-append leaves half a line at the end of the last segment.
    const last = (await segmentFiles(dir)).at(-1)!;
    await Deno.writeTextFile(join(dir, last), '{"id":"torn', { append: true });

    const second = await Spool.open(small(dir));
    assert.equal(second.events, 18);
    const ids = await drain(second);
    assert.deepEqual(ids, trades(12, 18).map((e) => e.id));
    await second.close();
  });
});

Deno.test("Spool past its cap deletes the oldest segment and counts its unread events", async () => {
  await withDir(async (dir) => {
    const spool = await Spool.open(small(dir, { maxBytes: 6000 }));
    for (let i = 0; i < 10; i++) await spool.append(trades(i * 10, 10));
    assert.ok(spool.bytes <= 6000, `${spool.bytes} bytes`);
    assert.ok(spool.dropped > 0);
    const ids = await drain(spool);
    assert.equal(ids.length + spool.dropped, 100);
    // What survives is the newest, in order.
    assert.deepEqual(
      ids,
      trades(100 - ids.length, ids.length).map((e) => e.id),
    );
    await spool.close();
  });
});

Deno.test("Spool skips a line it cannot parse and counts it", async () => {
  await withDir(async (dir) => {
    const spool = await Spool.open(small(dir));
    await spool.append(trades(0, 2));
    await spool.close();
    const seg = (await segmentFiles(dir))[0]!;
    await Deno.writeTextFile(join(dir, seg), "not json\n", {
      append: true,
    });
    const reopened = await Spool.open(small(dir));
    await reopened.append(trades(2, 1));
    assert.deepEqual(await drain(reopened), ["t:0", "t:1", "t:2"]);
    assert.equal(reopened.corrupt, 1);
    await reopened.close();
  });
});
