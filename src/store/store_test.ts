import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { deadline, delay } from "../core/async.ts";
import type { BalanceEntry } from "../sinks/balances.ts";
import { service } from "../../tests/_services.ts";
import { lockTable } from "../../tests/_pg_lock.ts";
import { TcpProxy } from "../../tests/_tcp_proxy.ts";
import { createStore } from "./create.ts";
import {
  BALANCES_TABLE,
  pendingMigrations,
  STORE_MIGRATIONS,
  STORE_MIGRATIONS_TABLE,
} from "./migrations.ts";
import { PostgresStore } from "./postgres.ts";
import { SQLITE_FILE, SqliteStore } from "./sqlite.ts";
import { type Store, type StoredSubscription, StoreError } from "./types.ts";

const pg = await service("postgres");
const PASSWORD = "n0t-a-real-s3cret";

/** One database for a test: stores on it, raw SQL (`$S.` = the schema), cleanup. */
interface Place {
  store(): Store;
  query(sql: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

interface Backend {
  name: "sqlite" | "postgres";
  skip: boolean;
  place(): Promise<Place>;
}

const sqlite: Backend = {
  name: "sqlite",
  skip: false,
  async place() {
    const dir = await Deno.makeTempDir({ prefix: "tickgate-store-" });
    const dataDir = join(dir, "data"); // created by open()
    return {
      store: () => new SqliteStore({ dataDir }),
      query: (sql) => {
        const db = new DatabaseSync(join(dataDir, SQLITE_FILE));
        try {
          return Promise.resolve(db.prepare(sql.replaceAll("$S.", "")).all());
        } finally {
          db.close();
        }
      },
      cleanup: () => Deno.remove(dir, { recursive: true }),
    };
  },
};

/** The test server's URL with a password (trust auth ignores it; it must never show). */
function pgUrl(port = pg.port): string {
  const u = new URL(pg.url);
  u.password = PASSWORD;
  u.port = String(port);
  return u.href;
}

/**
 * A PostgreSQL store in a fresh schema, reached through a TCP proxy the
 * test can cut; disposing closes the store and the proxy, then drops the
 * schema.
 */
async function proxiedStore() {
  const place = await postgresBackend.place();
  const proxy = TcpProxy.start({ hostname: pg.hostname, port: pg.port });
  const schema = /schema (\w+)/.exec(place.store().location)![1]!;
  const store = new PostgresStore({ url: pgUrl(proxy.port), schema });
  return {
    store,
    proxy,
    schema,
    async [Symbol.asyncDispose]() {
      await store.close();
      await proxy.close();
      await place.cleanup();
    },
  };
}

const postgresBackend: Backend = {
  name: "postgres",
  skip: pg.skip,
  place() {
    const schema = `tickgate_t_${crypto.randomUUID().replaceAll("-", "")}`;
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    return Promise.resolve({
      store: () => new PostgresStore({ url: pgUrl(), schema }),
      query: async (sql) => [
        ...await admin.unsafe(sql.replaceAll("$S.", `"${schema}".`)),
      ],
      cleanup: async () => {
        await admin.unsafe(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      },
    });
  },
};

/** Runs `fn` with a fresh place and a store on it, opened; cleans up. */
async function withStore(
  backend: Backend,
  fn: (store: Store, place: Place) => Promise<void>,
): Promise<void> {
  const place = await backend.place();
  const store = place.store();
  try {
    await store.open();
    await fn(store, place);
  } finally {
    await store.close();
    await place.cleanup();
  }
}

function subscription(
  id: string,
  createdAt: string,
  extra: Partial<StoredSubscription> = {},
): StoredSubscription {
  return {
    id,
    venue: "bybit",
    channel: "orderbook",
    symbols: ["BTCUSDT", "ETHUSDT"],
    service: "svc-a",
    options: { depth: 50 },
    createdAt,
    ...extra,
  };
}

function balance(updatedTs: number, free: string, coin = "USDT"): BalanceEntry {
  return {
    venue: "bybit",
    account: "UNIFIED",
    coin,
    symbol: coin,
    free,
    locked: "0",
    total: free,
    updatedTs,
  };
}

for (const backend of [sqlite, postgresBackend]) {
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({
      name: `${backend.name} store: ${name}`,
      ignore: backend.skip,
      fn,
    });

  test("migrations apply once and are recorded", async () => {
    const place = await backend.place();
    try {
      const first = place.store();
      await first.open();
      await first.open(); // a no-op when open
      await first.close();
      const second = place.store();
      await second.open(); // nothing pending
      assert.deepEqual(await second.loadSubscriptions(), []);
      await second.close();
      const rows = await place.query(
        `select version, name, applied_at from $S.${STORE_MIGRATIONS_TABLE}`,
      );
      assert.equal(rows.length, STORE_MIGRATIONS.length);
      assert.equal(Number(rows[0]!.version), 1);
      assert.equal(rows[0]!.name, STORE_MIGRATIONS[0]!.name);
      assert.notEqual(rows[0]!.applied_at, null);
      const balances = await place.query(
        "select count(*) as n from $S.tickgate_balances",
      );
      assert.equal(Number(balances[0]!.n), 0);
    } finally {
      await place.cleanup();
    }
  });

  test("a database newer than the code is refused, naming both versions", async () => {
    const place = await backend.place();
    try {
      const store = place.store();
      await store.open();
      await store.close();
      await place.query(
        `insert into $S.${STORE_MIGRATIONS_TABLE} (version, name, applied_at)
         values (99, 'from the future', '2030-01-01T00:00:00Z')`,
      );
      const again = place.store();
      await assert.rejects(again.open(), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.kind, backend.name);
        assert.match(e.message, /version 99\b/);
        assert.match(
          e.message,
          new RegExp(`up to ${STORE_MIGRATIONS.length}\\b`),
        );
        return true;
      });
      await again.close();
    } finally {
      await place.cleanup();
    }
  });

  test("subscriptions: save, load oldest first, replace, delete", async () => {
    await withStore(backend, async (store, place) => {
      const a = subscription("a", "2024-05-01T10:00:00.000Z", {
        symbols: ["BTC-USDT", 'ÉTH/ü"x'],
        options: { depth: 200, interval: "1m" },
      });
      const b = subscription("b", "2024-05-01T09:00:00.000Z", {
        channel: "tickers",
        symbols: [],
        options: {},
        service: "svc-b",
      });
      const c = subscription("c", "2024-05-01T11:00:00.123Z", {
        channel: "kline",
        options: { interval: "5" },
      });
      await store.saveSubscription(a);
      await store.saveSubscription(c);
      await store.saveSubscription(b);
      assert.deepEqual(await store.loadSubscriptions(), [b, a, c]);
      if (backend.name === "postgres") {
        const [kinds] = await place.query(
          "select jsonb_typeof(symbols) as s, jsonb_typeof(options) as o from $S.tickgate_subscriptions where id = 'a'",
        );
        assert.deepEqual({ ...kinds }, { s: "array", o: "object" });
      }

      const a2 = { ...a, symbols: ["SOLUSDT"], options: { depth: 1 } };
      await store.saveSubscription(a2);
      assert.deepEqual(await store.loadSubscriptions(), [b, a2, c]);

      await store.deleteSubscriptions(["a", "no-such-id"]);
      await store.deleteSubscriptions([]);
      assert.deepEqual(await store.loadSubscriptions(), [b, c]);
      await store.deleteSubscriptions(["b", "c"]);
      assert.deepEqual(await store.loadSubscriptions(), []);
    });
  });

  test("balances: upsert, an older update never replaces a newer one", async () => {
    await withStore(backend, async (store) => {
      await store.saveBalances([
        balance(2000, "1.5"),
        balance(2000, "7", "BTC"),
      ]);
      await store.saveBalances([balance(1000, "9")]); // older: ignored
      assert.deepEqual(await store.loadBalances(), [
        balance(2000, "7", "BTC"),
        balance(2000, "1.5"),
      ]);
      await store.saveBalances([balance(2000, "2")]); // same time: replaces
      // one batch with the same key twice, the newer first
      await store.saveBalances([balance(5000, "5"), balance(3000, "3")]);
      const [, usdt] = await store.loadBalances();
      assert.deepEqual(usdt, balance(5000, "5"));
      await store.saveBalances([]);
    });
  });

  test("balances: decimal strings and position fields round-trip exactly", async () => {
    await withStore(backend, async (store) => {
      const position: BalanceEntry = {
        venue: "bybit",
        account: "position:linear",
        coin: "BTCUSDT",
        symbol: "BTC-USDT",
        free: "0.000000010000000000",
        locked: "123456789012345678901234567890.123456789012345678",
        total: "-0.0",
        updatedTs: 1_700_000_000_123,
        entryPrice: "37000.10",
        markPrice: "1e-8",
        unrealisedPnl: "-12.3400",
      };
      await store.saveBalances([position]);
      assert.deepEqual(await store.loadBalances(), [position]);
      // a newer update without position fields clears them
      const flat = {
        ...balance(1_700_000_000_124, "0"),
        account: "position:linear",
        coin: "BTCUSDT",
        symbol: "BTC-USDT",
      };
      await store.saveBalances([flat]);
      assert.deepEqual(await store.loadBalances(), [flat]);
    });
  });

  test("data persists across close and reopen", async () => {
    const place = await backend.place();
    try {
      const store = place.store();
      await store.open();
      const s = subscription("keep", "2024-01-02T03:04:05.678Z");
      await store.saveSubscription(s);
      await store.saveBalances([balance(42, "0.000000010000000000")]);
      await store.close();
      const reopened = place.store();
      await reopened.open();
      assert.deepEqual(await reopened.loadSubscriptions(), [s]);
      assert.deepEqual(await reopened.loadBalances(), [
        balance(42, "0.000000010000000000"),
      ]);
      await reopened.close();
    } finally {
      await place.cleanup();
    }
  });

  test("operations on a store that is not open fail with StoreError", async () => {
    const place = await backend.place();
    try {
      const store = place.store();
      await assert.rejects(store.loadSubscriptions(), StoreError);
      await assert.rejects(store.saveBalances([balance(1, "1")]), StoreError);
      await store.close();
    } finally {
      await place.cleanup();
    }
  });
}

Deno.test("postgres store: an unreachable server fails open quickly, without the password", async () => {
  const store = new PostgresStore({
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:1/test`,
  });
  assert.ok(!store.location.includes(PASSWORD));
  assert.match(store.location, /127\.0\.0\.1:1/);
  // the bound only keeps a regression from hanging the run
  const failure = await deadline(
    store.open().then(() => undefined, (e) => e),
    10_000,
  );
  assert.ok(failure instanceof StoreError, String(failure));
  assert.equal(failure.kind, "postgres");
  assert.match(failure.message, /open failed/);
  assert.ok(!failure.message.includes(PASSWORD), failure.message);
  assert.ok(!String(failure.stack).includes(PASSWORD));
  await store.close();
});

Deno.test("postgres store: a schema that is not a plain identifier is refused", () => {
  assert.throws(
    () => new PostgresStore({ url: pgUrl(), schema: "Bad-Name" }),
    StoreError,
  );
  assert.throws(
    () => new PostgresStore({ url: "postgres://[nope" }),
    StoreError,
  );
});

Deno.test("createStore: SQLite by default, PostgreSQL for a postgres URL", async () => {
  const lite = await createStore({ dataDir: "/tmp/x", databaseUrl: "  " });
  assert.equal(lite.kind, "sqlite");
  assert.equal(lite.location, join("/tmp/x", SQLITE_FILE));
  const pgStore = await createStore({
    dataDir: "/tmp/x",
    databaseUrl:
      `postgresql://u:${PASSWORD}@db:5432/ticks?schema=market&sslmode=disable`,
  });
  assert.equal(pgStore.kind, "postgres");
  assert.equal(
    pgStore.location,
    "postgresql://u:***@db:5432/ticks?sslmode=disable (schema market)",
  );
  await assert.rejects(
    () =>
      createStore({
        dataDir: "/tmp/x",
        databaseUrl: `mysql://u:${PASSWORD}@db/x`,
      }),
    (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.ok(!e.message.includes(PASSWORD), e.message);
      return true;
    },
  );
});

Deno.test("pendingMigrations: all, none, or a refusal for a newer database", () => {
  assert.deepEqual(pendingMigrations([], "sqlite"), [...STORE_MIGRATIONS]);
  assert.deepEqual(pendingMigrations([1], "postgres"), []);
  assert.throws(
    () => pendingMigrations([1, 2, 7], "sqlite"),
    /version 7\b.*up to 1\b/,
  );
  assert.throws(
    () =>
      pendingMigrations([], "sqlite", [{
        ...STORE_MIGRATIONS[0]!,
        version: 2,
      }]),
    /expected 1/,
  );
});

Deno.test("postgres store: a server that never answers fails open as StoreError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of listener) conns.push(c);
  })();
  const store = new PostgresStore({ url: pgUrl(listener.addr.port) });
  try {
    const failure = await deadline(
      store.open().then(() => undefined, (e) => e),
      15_000,
    );
    assert.ok(failure instanceof StoreError, String(failure));
    assert.match(
      failure.message,
      /open failed: connection error CONNECT_TIMEOUT/,
    );
    assert.ok(!failure.message.includes(PASSWORD), failure.message);
  } finally {
    await store.close();
    listener.close();
    for (const c of conns) c.close();
    await accepting;
  }
});

Deno.test({
  name:
    "postgres store: a lost connection fails operations, which work again once it is back",
  ignore: pg.skip,
  fn: async () => {
    await using t = await proxiedStore();
    const { store, proxy } = t;
    await store.open();
    await store.saveBalances([balance(1, "1")]);
    proxy.cut();
    const ops = [
      () => store.loadBalances(),
      () => store.saveBalances([balance(2, "2")]),
    ];
    for (const op of ops) {
      const failure = await deadline(
        op().then(() => undefined, (e) => e),
        20_000,
      );
      assert.ok(failure instanceof StoreError, String(failure));
      assert.ok(!failure.message.includes(PASSWORD), failure.message);
    }
    assert.ok(proxy.accepted < 20, `${proxy.accepted} connections`);
    proxy.restore();
    await store.saveBalances([balance(3, "3")]);
    assert.deepEqual(await store.loadBalances(), [balance(3, "3")]);
  },
});

Deno.test({
  name:
    "postgres store: a connection lost mid-transaction fails the write, not the process",
  ignore: pg.skip,
  fn: async () => {
    await using t = await proxiedStore();
    const { store, proxy, schema } = t;
    const admin = postgres(pg.url, { max: 2, onnotice: () => {} });
    try {
      await store.open();
      // the write's transaction waits on this lock until the cut
      const lock = await lockTable(admin, `"${schema}".${BALANCES_TABLE}`);
      try {
        const saving = store.saveBalances([balance(1, "1")]).then(
          () => undefined,
          (e) => e,
        );
        await lock.waiter("tickgate-store");
        proxy.cut();
        const failure = await saving;
        assert.ok(failure instanceof StoreError, String(failure));
        assert.match(failure.message, /connection error CONNECTION_CLOSED/);
        assert.ok(!failure.message.includes(PASSWORD), failure.message);
        await delay(50); // an immediate scheduled by a write has run
      } finally {
        await lock.release();
      }
      proxy.restore();
      await store.saveBalances([balance(2, "2")]);
      assert.deepEqual(await store.loadBalances(), [balance(2, "2")]);
    } finally {
      await admin.end();
    }
  },
});
