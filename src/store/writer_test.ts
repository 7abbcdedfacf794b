import assert from "node:assert/strict";
import { delay } from "../core/async.ts";
import type { BalanceEvent, NormalizedEvent } from "../core/events.ts";
import type { BalanceEntry } from "../sinks/balances.ts";
import { SqliteStore } from "./sqlite.ts";
import {
  type Store,
  type StoredSubscription,
  StoreError,
  type StoreKind,
} from "./types.ts";
import {
  type Restored,
  StoreWriter,
  type StoreWriterOptions,
} from "./writer.ts";

/** The real SQLite store, failing every call while `failing` is set. */
class FlakyStore implements Store {
  failing = false;
  failures = 0;
  /** Entries per successful saveBalances call. */
  readonly balanceBatches: number[] = [];

  constructor(readonly inner: SqliteStore) {}

  get kind(): StoreKind {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }
  open() {
    return this.#gate(() => this.inner.open());
  }
  close() {
    return this.inner.close();
  }
  loadSubscriptions() {
    return this.#gate(() => this.inner.loadSubscriptions());
  }
  saveSubscription(s: StoredSubscription) {
    return this.#gate(() => this.inner.saveSubscription(s));
  }
  deleteSubscriptions(ids: readonly string[]) {
    return this.#gate(() => this.inner.deleteSubscriptions(ids));
  }
  saveBalances(balances: readonly BalanceEntry[]) {
    return this.#gate(async () => {
      await this.inner.saveBalances(balances);
      this.balanceBatches.push(balances.length);
    });
  }
  loadBalances() {
    return this.#gate(() => this.inner.loadBalances());
  }

  #gate<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.failing) return fn();
    this.failures++;
    return Promise.reject(new StoreError("injected outage", "sqlite"));
  }
}

const RETRY: StoreWriterOptions = {
  retry: { baseMs: 5, capMs: 20 },
  flushMs: 10,
};

/** A temporary data directory with a flaky store on it; removed afterwards. */
async function withDir(
  fn: (dir: string, flaky: FlakyStore) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-writer-" });
  try {
    await fn(dir, new FlakyStore(new SqliteStore({ dataDir: dir })));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What a fresh store on `dir` holds. */
async function contents(dir: string): Promise<Restored> {
  const store = new SqliteStore({ dataDir: dir });
  await store.open();
  try {
    return {
      subscriptions: await store.loadSubscriptions(),
      balances: await store.loadBalances(),
    };
  } finally {
    await store.close();
  }
}

/** Waits for `cond` (polling); fails after a generous bound so a bug cannot hang the run. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await delay(5);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function sub(id: string, n: number): StoredSubscription {
  return {
    id,
    venue: "bybit",
    channel: "orderbook",
    symbols: ["BTCUSDT"],
    service: "svc",
    options: { depth: 50 },
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
  };
}

function balanceEvent(ts: number, free: string, coin = "USDT"): BalanceEvent {
  return {
    id: `b:${coin}:${ts}`,
    kind: "balance",
    venue: "bybit",
    symbol: coin,
    nativeSymbol: coin,
    exchangeTs: ts,
    receivedTs: ts + 1,
    account: "UNIFIED",
    coin,
    free,
    locked: "0",
    total: free,
  };
}

Deno.test("start() restores what the store holds; writes land in order", async () => {
  await withDir(async (dir) => {
    const seed = new SqliteStore({ dataDir: dir });
    await seed.open();
    await seed.saveSubscription(sub("old", 0));
    await seed.saveBalances([{
      venue: "bybit",
      account: "UNIFIED",
      coin: "BTC",
      symbol: "BTC",
      free: "0.000000010000000000",
      locked: "0",
      total: "0.000000010000000000",
      updatedTs: 5,
    }]);
    await seed.close();

    const writer = new StoreWriter(new SqliteStore({ dataDir: dir }), RETRY);
    assert.equal(writer.health().state, "connecting");
    const restored = await writer.start();
    assert.deepEqual(restored?.subscriptions, [sub("old", 0)]);
    assert.equal(restored?.balances[0]?.free, "0.000000010000000000");
    assert.equal(writer.health().state, "ok");

    writer.saveSubscription(sub("a", 1));
    writer.deleteSubscriptions(["old"]);
    writer.saveSubscription(sub("b", 2));
    writer.deleteSubscriptions(["b"]);
    writer.saveSubscription({ ...sub("a", 1), symbols: ["ETHUSDT"] });
    await until(() => writer.health().pendingWrites === 0, "the writes");
    await writer.close();
    assert.equal(writer.health().state, "closed");
    assert.deepEqual((await contents(dir)).subscriptions, [
      { ...sub("a", 1), symbols: ["ETHUSDT"] },
    ]);
  });
});

Deno.test("writes during an outage are retried and land in order once it ends", async () => {
  await withDir(async (dir, flaky) => {
    const writer = new StoreWriter(flaky, RETRY);
    await writer.start();
    writer.saveSubscription(sub("keep", 1));
    await until(() => writer.health().pendingWrites === 0, "the first write");
    const before = writer.health();
    assert.equal(before.state, "ok");
    assert.equal(before.lastError, null);
    assert.equal(typeof before.lastWriteTs, "number");

    flaky.failing = true;
    writer.saveSubscription(sub("x", 2));
    writer.deleteSubscriptions(["x"]); // must not run before the save
    writer.saveSubscription(sub("y", 3));
    writer.deleteSubscriptions(["keep"]);
    writer.write([balanceEvent(10, "1")]);
    await until(() => flaky.failures >= 3, "retries during the outage");
    const during = writer.health();
    assert.equal(during.state, "degraded");
    assert.equal(during.pendingWrites, 5);
    assert.match(String(during.lastError), /injected outage/);

    flaky.failing = false;
    await until(() => writer.health().pendingWrites === 0, "the retries");
    const after = writer.health();
    assert.equal(after.state, "ok");
    assert.match(String(after.lastError), /injected outage/); // kept for /health
    assert.ok(after.lastWriteTs !== null && before.lastWriteTs !== null);
    await writer.close();
    const held = await contents(dir);
    assert.deepEqual(held.subscriptions, [sub("y", 3)]);
    assert.deepEqual(held.balances.map((b) => [b.coin, b.free]), [[
      "USDT",
      "1",
    ]]);
  });
});

Deno.test("start() gives up waiting, then onRestore is called once after recovery", async () => {
  await withDir(async (dir, flaky) => {
    const seed = new SqliteStore({ dataDir: dir });
    await seed.open();
    await seed.saveSubscription(sub("seeded", 0));
    await seed.close();

    const restores: Restored[] = [];
    const writer = new StoreWriter(flaky, {
      ...RETRY,
      onRestore: (r) => restores.push(r),
    });
    flaky.failing = true;
    assert.equal(await writer.start(20), undefined);
    assert.equal(writer.health().state, "degraded");
    writer.saveSubscription(sub("queued", 1)); // while the store is still opening
    writer.write([balanceEvent(7, "3")]);
    await until(() => flaky.failures >= 3, "open retries");
    assert.deepEqual(restores, []);

    flaky.failing = false;
    await until(() => restores.length > 0, "onRestore");
    assert.deepEqual(restores[0], {
      subscriptions: [sub("seeded", 0)],
      balances: [],
    });
    await until(() => writer.health().pendingWrites === 0, "the queued writes");
    await writer.close();
    assert.equal(restores.length, 1);
    const held = await contents(dir);
    assert.deepEqual(held.subscriptions, [sub("seeded", 0), sub("queued", 1)]);
    assert.equal(held.balances.length, 1);
  });
});

Deno.test("balances are coalesced: 100 updates of one coin write one row, the latest", async () => {
  await withDir(async (dir, flaky) => {
    const writer = new StoreWriter(flaky, RETRY);
    await writer.start();
    const batch: NormalizedEvent[] = [];
    for (let i = 1; i <= 100; i++) {
      batch.push(balanceEvent(1000 + i, `${i}.000000010000000000`));
      if (i % 10 === 0) {
        writer.write(batch);
        batch.length = 0; // the pipeline reuses its arrays
      }
    }
    batch.push(balanceEvent(500, "older"), {
      ...balanceEvent(2000, "ignored"),
      kind: "trade",
    } as unknown as NormalizedEvent);
    writer.write(batch);
    batch.length = 0;
    assert.equal(writer.health().pendingWrites, 1);
    await until(() => writer.health().pendingWrites === 0, "the flush");
    await writer.close();
    assert.deepEqual(flaky.balanceBatches, [1]);
    const [row, ...rest] = (await contents(dir)).balances;
    assert.deepEqual(rest, []);
    assert.equal(row?.free, "100.000000010000000000");
    assert.equal(row?.updatedTs, 1100);
  });
});

Deno.test("balances that failed to write are kept, newer ones win", async () => {
  await withDir(async (dir, flaky) => {
    const writer = new StoreWriter(flaky, RETRY);
    await writer.start();
    flaky.failing = true;
    writer.write([balanceEvent(10, "1"), balanceEvent(10, "5", "BTC")]);
    await until(() => flaky.failures >= 2, "failed flushes");
    writer.write([balanceEvent(20, "2")]);
    flaky.failing = false;
    await until(() => writer.health().pendingWrites === 0, "the retry");
    await writer.close();
    const held = (await contents(dir)).balances;
    assert.deepEqual(held.map((b) => [b.coin, b.free]), [["BTC", "5"], [
      "USDT",
      "2",
    ]]);
  });
});

Deno.test("close() flushes pending writes", async () => {
  await withDir(async (dir, flaky) => {
    const writer = new StoreWriter(flaky, { ...RETRY, flushMs: 60_000 });
    await writer.start();
    flaky.failing = true;
    writer.saveSubscription(sub("s", 1));
    writer.write([balanceEvent(1, "9")]);
    await until(() => flaky.failures >= 1, "a failed write");
    flaky.failing = false;
    await writer.close(5_000);
    assert.equal(writer.health().pendingWrites, 0);
    const held = await contents(dir);
    assert.deepEqual(held.subscriptions, [sub("s", 1)]);
    assert.equal(held.balances[0]?.free, "9");
  });
});

Deno.test("close() gives up at its deadline when the store stays down; it is idempotent", async () => {
  await withDir(async (dir, flaky) => {
    const writer = new StoreWriter(flaky, RETRY);
    await writer.start();
    flaky.failing = true;
    writer.saveSubscription(sub("lost", 1));
    const closing = writer.close(50);
    assert.equal(writer.close(), closing);
    await closing;
    const health = writer.health();
    assert.equal(health.state, "closed");
    assert.equal(health.pendingWrites, 1);
    writer.saveSubscription(sub("after", 2)); // ignored once closed
    writer.write([balanceEvent(1, "1")]);
    assert.equal(writer.health().pendingWrites, 1);
    flaky.failing = false;
    assert.deepEqual((await contents(dir)).subscriptions, []);
  });
});

Deno.test("close() before the store ever opened loses the queued writes without hanging", async () => {
  await withDir(async (_dir, flaky) => {
    flaky.failing = true;
    const writer = new StoreWriter(flaky, RETRY);
    assert.equal(await writer.start(10), undefined);
    writer.saveSubscription(sub("s", 1));
    await writer.close(30);
    assert.equal(writer.health().state, "closed");
    assert.equal(writer.health().pendingWrites, 1);
  });
});
