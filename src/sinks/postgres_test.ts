import assert from "node:assert/strict";
import postgres from "postgres";
import { delay } from "../core/async.ts";
import type { NormalizedEvent } from "../core/events.ts";
import { service } from "../../tests/_services.ts";
import { lockTable } from "../../tests/_pg_lock.ts";
import { TcpProxy } from "../../tests/_tcp_proxy.ts";
import { createPostgresDriver } from "./postgres.ts";
import { validatePostgresOptions } from "./postgres_options.ts";
import { postgresDeliveryError } from "./postgres_errors.ts";
import { migrate, MIGRATIONS_TABLE } from "./postgres_migrations.ts";
import { SINK_TABLES, TABLE_COLUMNS } from "./postgres_rows.ts";
import { DeliveryError, type SinkContext, type SinkDriver } from "./types.ts";
import { parseSinkUrl, SinkUrlError } from "./url.ts";

const pg = await service("postgres");
const ctx: SinkContext = { streamMaxlen: 1000, webhookToken: undefined };
const PASSWORD = "n0t-a-real-s3cret";

function uniqueSchema(): string {
  return `tg_test_${Date.now().toString(36)}_${
    Math.random().toString(36).slice(2, 8)
  }`;
}

/** The sink URL for `schema`, through `port` (a proxy) when given. */
function sinkUrl(schema: string, port = pg.port): string {
  const u = new URL(pg.url);
  u.password = PASSWORD; // trust auth ignores it; it must never leak
  u.hostname = pg.hostname;
  u.port = String(port);
  return `${u.href}?schema=${schema}`;
}

function driver(schema: string, port?: number): SinkDriver {
  return createPostgresDriver(parseSinkUrl(sinkUrl(schema, port), 1), ctx);
}

/** An admin client plus a fresh schema, dropped at the end. */
async function withSchema(
  fn: (sql: postgres.Sql, schema: string) => Promise<void>,
): Promise<void> {
  const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
  const schema = uniqueSchema();
  try {
    await fn(sql, schema);
  } finally {
    await sql.unsafe(`drop schema if exists "${schema}" cascade`);
    await sql.end();
  }
}

const ts = 1700000000123.456; // 2023-11-14T22:13:20.123456Z
const base = {
  venue: "bybit",
  symbol: "BTC-USDT",
  nativeSymbol: "BTCUSDT",
  exchangeTs: ts,
  receivedTs: 1700000000200.5,
} as const;

/** One event of every kind (books both ways), with edge values. */
function mixedBatch(prefix: string): NormalizedEvent[] {
  return [
    {
      ...base,
      id: `${prefix}t1`,
      kind: "trade",
      tradeId: "9007199254740993",
      price: "37000.10",
      size: "0.00000001",
      side: "buy",
    },
    {
      ...base,
      id: `${prefix}k1`,
      kind: "ticker",
      bid: "36999.9",
      bidSize: "1.5",
      ask: "",
      askSize: "",
      last: "37000",
      volume24h: "123456789.123456789123456789",
      fundingRate: "-0.000125",
      sequence: 9007199254740,
      nextFundingTime: 1700006400000,
    },
    {
      ...base,
      id: `${prefix}c1`,
      kind: "candle",
      interval: "5m",
      openTime: 1699999800000,
      open: "36900",
      high: "37010",
      low: "36890.5",
      close: "37000.1",
      volume: "12.345",
      closed: true,
    },
    {
      ...base,
      id: `${prefix}b1`,
      kind: "book",
      type: "snapshot",
      bids: [["36999.9", "1.5"], ["36999.8", "2"]],
      asks: [["37000.1", "0.50"]],
      sequence: 1000,
    },
    {
      ...base,
      id: `${prefix}b2`,
      kind: "book",
      type: "delta",
      bids: [["36999.9", "0"]],
      asks: [],
      sequence: 1005,
      firstSequence: 1001,
    },
    {
      ...base,
      id: `${prefix}o1`,
      kind: "order",
      orderId: "ord-1",
      clientOrderId: "my-1",
      status: "PartiallyFilled",
      side: "sell",
      orderType: "Limit",
      price: "37100",
      size: "0.2",
      filledSize: "0.1",
      avgPrice: "",
      execId: "ex-9",
      execPrice: "37100",
      execSize: "0.1",
      fee: "-0.37",
      feeCurrency: "USDT",
      liquidity: "maker",
      category: "linear",
    },
    {
      ...base,
      symbol: "*",
      nativeSymbol: "*",
      id: `${prefix}w1`,
      kind: "balance",
      account: "UNIFIED",
      coin: "USDT",
      free: "1000.5",
      locked: "0",
      total: "1000.5",
    },
    {
      ...base,
      symbol: "*",
      nativeSymbol: "*",
      id: `${prefix}s1`,
      kind: "status",
      state: "gap",
      detail: "missed 3 trades; 'quoted' \"text\"",
      connection: "bybit-0",
    },
  ];
}

const us = (ms: number) => String(Math.round(ms * 1000));
const baseCols = (id: string, symbol = "BTC-USDT", native = "BTCUSDT") => ({
  id,
  venue: "bybit",
  symbol,
  native_symbol: native,
  exchange_ts: "1700000000123456",
  received_ts: "1700000000200500",
});

/** What each table must hold for {@link mixedBatch}, every column as text. */
function expectedRows(p: string): Record<string, Record<string, unknown>> {
  const nulls = (...cols: string[]) =>
    Object.fromEntries(cols.map((c) => [c, null]));
  return {
    trades: {
      ...baseCols(`${p}t1`),
      trade_id: "9007199254740993",
      price: "37000.10",
      size: "0.00000001",
      side: "buy",
    },
    tickers: {
      ...baseCols(`${p}k1`),
      bid: "36999.9",
      bid_size: "1.5",
      ask: null,
      ask_size: null,
      last: "37000",
      volume_24h: "123456789.123456789123456789",
      ...nulls("open_24h", "high_24h", "low_24h", "volume_30d", "last_size"),
      sequence: "9007199254740",
      ...nulls("mark_price", "index_price", "open_interest"),
      funding_rate: "-0.000125",
      next_funding_time: us(1700006400000),
    },
    candles: {
      ...baseCols(`${p}c1`),
      interval: "5m",
      open_time: us(1699999800000),
      open: "36900",
      high: "37010",
      low: "36890.5",
      close: "37000.1",
      volume: "12.345",
      closed: "true",
    },
    book_snapshots: {
      ...baseCols(`${p}b1`),
      bids: [["36999.9", "1.5"], ["36999.8", "2"]],
      asks: [["37000.1", "0.50"]],
      sequence: "1000",
      first_sequence: null,
    },
    book_deltas: {
      ...baseCols(`${p}b2`),
      bids: [["36999.9", "0"]],
      asks: [],
      sequence: "1005",
      first_sequence: "1001",
    },
    orders: {
      ...baseCols(`${p}o1`),
      order_id: "ord-1",
      client_order_id: "my-1",
      status: "PartiallyFilled",
      side: "sell",
      order_type: "Limit",
      price: "37100",
      size: "0.2",
      filled_size: "0.1",
      avg_price: null,
      exec_id: "ex-9",
      exec_price: "37100",
      exec_size: "0.1",
      fee: "-0.37",
      fee_currency: "USDT",
      liquidity: "maker",
      category: "linear",
    },
    balances: {
      ...baseCols(`${p}w1`, "*", "*"),
      account: "UNIFIED",
      coin: "USDT",
      free: "1000.5",
      locked: "0",
      total: "1000.5",
      ...nulls("entry_price", "mark_price", "unrealised_pnl", "category"),
    },
    status_events: {
      ...baseCols(`${p}s1`, "*", "*"),
      state: "gap",
      detail: "missed 3 trades; 'quoted' \"text\"",
      connection: "bybit-0",
    },
  };
}

const TS_COLUMNS = new Set([
  "exchange_ts",
  "received_ts",
  "open_time",
  "next_funding_time",
]);

/**
 * Every row of a table, every column as text: timestamps as epoch
 * microseconds, jsonb parsed, the rest as PostgreSQL prints it.
 */
async function readTable(
  sql: postgres.Sql,
  schema: string,
  table: string,
): Promise<Record<string, unknown>[]> {
  const cols = TABLE_COLUMNS[table as keyof typeof TABLE_COLUMNS].map((c) =>
    TS_COLUMNS.has(c)
      ? `(extract(epoch from "${c}") * 1000000)::bigint::text as "${c}"`
      : c === "bids" || c === "asks"
      ? `"${c}"`
      : `"${c}"::text as "${c}"`
  );
  const rows = await sql.unsafe(
    `select ${cols.join(", ")} from "${schema}"."${table}" order by id`,
  );
  return rows.map((r) => ({ ...r }));
}

async function count(sql: postgres.Sql, schema: string, table: string) {
  const [r] = await sql.unsafe(
    `select count(*)::int as n from "${schema}"."${table}"`,
  );
  return r!.n as number;
}

Deno.test("validatePostgresOptions accepts good URLs and names bad options", () => {
  const ok = (u: string) => validatePostgresOptions(parseSinkUrl(u, 1));
  ok("postgres://u:p@db.internal:5432/ticks");
  ok("postgresql://u@db/ticks?schema=market_data&batch_size=500");
  ok("postgres://u@db/ticks?schema=_x9");
  for (const schema of ["1abc", "Market", "pg_temp", "a-b", "x".repeat(64)]) {
    assert.throws(
      () => ok(`postgres://u:secretpw@db/ticks?schema=${schema}`),
      (e: unknown) =>
        e instanceof SinkUrlError && /option "schema"/.test(e.message) &&
        !e.message.includes("secretpw"),
    );
  }
  assert.throws(() => ok("postgres:///ticks"), /host is required/);
  assert.throws(() => ok("postgres://db/a/b"), /one database name/);
});

Deno.test("postgresDeliveryError: data errors are permanent, the rest retryable", () => {
  const pgErr = (code: string, message = "boom") =>
    Object.assign(new Error(message), { name: "PostgresError", code });
  const head = 'postgres sink "pg": insert into public.trades failed';
  const classify = (e: unknown) => postgresDeliveryError(e, head, (s) => s);
  for (const code of ["22P02", "22003", "22008", "23502", "23503", "23514"]) {
    const d = classify(pgErr(code));
    assert.equal(d.permanent, true, code);
    assert.equal(d.message, `${head}: SQLSTATE ${code}: boom`);
  }
  for (
    const code of [
      "23505",
      "57P01",
      "57014",
      "40001",
      "40P01",
      "08006",
      "53100",
    ]
  ) {
    assert.equal(classify(pgErr(code)).permanent, false, code);
  }
  const closed = Object.assign(
    new Error("write CONNECTION_CLOSED db.internal:5432"),
    { code: "CONNECTION_CLOSED" },
  );
  const d = classify(closed);
  assert.equal(d.permanent, false);
  assert.equal(d.message, `${head}: connection error CONNECTION_CLOSED`);
  const scrubbed = postgresDeliveryError(
    pgErr("28P01", "auth failed for hunter2"),
    head,
    (s) => s.replaceAll("hunter2", "***"),
  );
  assert.equal(scrubbed.permanent, false);
  assert.equal(
    scrubbed.message,
    `${head}: SQLSTATE 28P01: auth failed for ***`,
  );
});

Deno.test({
  name:
    "migrations create every table and index once; reconnecting does nothing",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      const d1 = driver(schema);
      await d1.connect();
      const columns = await sql<{ t: string; c: string; type: string }[]>`
        select table_name as t, column_name as c, data_type as type
        from information_schema.columns where table_schema = ${schema}
        order by table_name, ordinal_position`;
      const tables = [...SINK_TABLES, MIGRATIONS_TABLE].sort();
      assert.deepEqual([...new Set(columns.map((r) => r.t))].sort(), tables);
      for (const table of SINK_TABLES) {
        assert.deepEqual(
          columns.filter((r) => r.t === table).map((r) => r.c),
          TABLE_COLUMNS[table],
        );
      }
      const typeOf = (t: string, c: string) =>
        columns.find((r) => r.t === t && r.c === c)?.type;
      assert.equal(typeOf("trades", "price"), "numeric");
      assert.equal(typeOf("trades", "exchange_ts"), "timestamp with time zone");
      assert.equal(typeOf("tickers", "sequence"), "bigint");
      assert.equal(typeOf("candles", "closed"), "boolean");
      assert.equal(typeOf("book_deltas", "bids"), "jsonb");
      assert.equal(typeOf("balances", "unrealised_pnl"), "numeric");
      const indexes = await sql<{ indexdef: string }[]>`
        select indexdef from pg_indexes
        where schemaname = ${schema} and indexname like '%symbol_exchange_ts%'`;
      assert.equal(indexes.length, SINK_TABLES.length);
      for (const i of indexes) {
        assert.match(i.indexdef, /\(symbol, exchange_ts\)/);
      }
      const before = await sql.unsafe(
        `select version, name, applied_at::text from "${schema}".${MIGRATIONS_TABLE}`,
      );
      assert.deepEqual(before.map((r) => [r.version, r.name]), [[
        1,
        "event tables",
      ]]);
      assert.deepEqual(d1.details?.(), {
        schema,
        migrationsApplied: 1,
        rows: {},
      });
      const d2 = driver(schema);
      await d2.connect();
      await d1.connect();
      const after = await sql.unsafe(
        `select version, name, applied_at::text from "${schema}".${MIGRATIONS_TABLE}`,
      );
      assert.deepEqual([...after], [...before]);
      assert.deepEqual(await migrate(sql, schema), {
        applied: [],
        versions: [1],
      });
      await d1.close();
      await d2.close();
    }),
});

Deno.test({
  name: "concurrent migrations: every runner succeeds, each version runs once",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      const drivers = [driver(schema), driver(schema), driver(schema)];
      const other = postgres(pg.url, { max: 1, onnotice: () => {} });
      try {
        const [reportA, reportB] = await Promise.all([
          migrate(sql, schema),
          migrate(other, schema),
          ...drivers.map((d) => d.connect()),
        ]);
        const applied = [reportA, reportB].flatMap((r) =>
          (r as { applied: number[] }).applied
        );
        assert.ok(applied.length <= 1);
        const rows = await sql.unsafe(
          `select version from "${schema}".${MIGRATIONS_TABLE}`,
        );
        assert.deepEqual(rows.map((r) => r.version), [1]);
        for (const d of drivers) {
          assert.equal(d.details?.().migrationsApplied, 1);
        }
      } finally {
        await other.end();
        await Promise.all(drivers.map((d) => d.close()));
      }
    }),
});

Deno.test({
  name:
    "send: a mixed batch lands with every column exact; redelivery adds nothing",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      const d = driver(schema);
      await d.connect();
      const batch = mixedBatch("a-");
      await d.send(batch);
      const expected = expectedRows("a-");
      for (const table of SINK_TABLES) {
        assert.deepEqual(
          await readTable(sql, schema, table),
          [expected[table]],
          table,
        );
      }
      await d.send(batch);
      await d.send([...batch.slice(0, 1), ...mixedBatch("b-").slice(0, 1)]);
      assert.equal(await count(sql, schema, "trades"), 2);
      for (const table of SINK_TABLES.slice(1)) {
        assert.equal(await count(sql, schema, table), 1, table);
      }
      const rows = d.details?.().rows as Record<string, unknown>;
      assert.deepEqual(rows.trades, { inserted: 2, duplicates: 2 });
      assert.deepEqual(rows.status_events, { inserted: 1, duplicates: 1 });
      await d.close();
    }),
});

Deno.test({
  name:
    "send: batches beyond the parameter limit are chunked in one transaction",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      const d = driver(schema);
      await d.connect();
      const trade = mixedBatch("")[0]!;
      const batch = Array.from({ length: 7000 }, (_, i) => ({
        ...trade,
        id: `big-${i}`,
      }));
      await d.send(batch);
      assert.equal(await count(sql, schema, "trades"), 7000);
      // a bad last row rolls back every chunk
      const bad = [...batch.map((e) => ({ ...e, id: `x${e.id}` }))];
      bad[6999] = { ...bad[6999]!, price: "not-a-number" } as NormalizedEvent;
      await assert.rejects(d.send(bad), DeliveryError);
      assert.equal(await count(sql, schema, "trades"), 7000);
      await d.close();
    }),
});

Deno.test({
  name:
    "send: data the database refuses is a permanent error naming table and SQLSTATE",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      const d = driver(schema);
      await d.connect();
      const [trade, ticker] = mixedBatch("p-");
      const badPrice = { ...trade!, price: "12,5" } as NormalizedEvent;
      const err = await d.send([ticker!, badPrice]).catch((e) => e);
      assert.ok(err instanceof DeliveryError);
      assert.equal(err.permanent, true);
      assert.match(err.message, new RegExp(`insert into ${schema}\\.trades`));
      assert.match(err.message, /SQLSTATE 22P02/);
      assert.ok(!err.message.includes(PASSWORD));
      // all or nothing: the ticker of the same batch was not kept
      assert.equal(await count(sql, schema, "tickers"), 0);
      const noTime = { ...trade!, exchangeTs: Number.NaN } as NormalizedEvent;
      const err2 = await d.send([noTime]).catch((e) => e);
      assert.ok(err2 instanceof DeliveryError && err2.permanent);
      assert.match(err2.message, /SQLSTATE 23502 \(column exchange_ts\)/);
      // the driver still works afterwards
      await d.send([trade!, ticker!]);
      assert.equal(await count(sql, schema, "trades"), 1);
      await d.close();
    }),
});

Deno.test({
  name: "send: a dropped schema is retryable, then recreated by the next send",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      const d = driver(schema);
      await d.connect();
      const batch = mixedBatch("r-");
      await sql.unsafe(`drop schema "${schema}" cascade`);
      const err = await d.send(batch).catch((e) => e);
      assert.ok(err instanceof DeliveryError);
      assert.equal(err.permanent, false);
      assert.match(err.message, /SQLSTATE (3F000|42P01)/);
      await d.send(batch);
      assert.equal(await count(sql, schema, "trades"), 1);
      await d.close();
    }),
});

Deno.test({
  name:
    "outage through a TCP proxy: retryable failures, then the same driver sends again",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      await using proxy = TcpProxy.start({
        hostname: pg.hostname,
        port: pg.port,
      });
      const d = driver(schema, proxy.port);
      await d.connect();
      await d.send(mixedBatch("1-"));
      proxy.cut();
      const failures: unknown[] = [];
      failures.push(await d.send(mixedBatch("2-")).catch((e) => e));
      failures.push(await d.connect().catch((e) => e));
      failures.push(await d.send(mixedBatch("3-")).catch((e) => e));
      for (const f of failures) {
        assert.ok(f instanceof DeliveryError, String(f));
        assert.equal(f.permanent, false);
        assert.ok(!f.message.includes(PASSWORD), f.message);
      }
      // no reconnect storm against a server that closes new connections
      assert.ok(proxy.accepted < 20, `${proxy.accepted} connections`);
      proxy.restore();
      await d.send(mixedBatch("2-"));
      await d.connect();
      await d.send(mixedBatch("3-"));
      const ids = (await sql.unsafe(`select id from "${schema}".trades`))
        .map((r) => r.id).sort();
      assert.deepEqual(ids, ["1-t1", "2-t1", "3-t1"]);
      await d.close();
    }),
});

Deno.test({
  name:
    "send: a connection lost mid-transaction is a retryable failure, not an uncaught error",
  ignore: pg.skip,
  fn: () =>
    withSchema(async (sql, schema) => {
      await using proxy = TcpProxy.start({
        hostname: pg.hostname,
        port: pg.port,
      });
      const d = driver(schema, proxy.port);
      await d.connect();
      // the batch's transaction waits on this lock until the cut
      const lock = await lockTable(sql, `"${schema}".trades`);
      try {
        const sending = d.send(mixedBatch("1-")).catch((e) => e);
        await lock.waiter("tickgate", schema);
        proxy.cut();
        const failure = await sending;
        assert.ok(failure instanceof DeliveryError, String(failure));
        assert.equal(failure.permanent, false);
        assert.match(failure.message, /connection error CONNECTION_CLOSED/);
        assert.ok(!failure.message.includes(PASSWORD), failure.message);
        await delay(50); // an immediate scheduled by a write has run
      } finally {
        await lock.release();
      }
      proxy.restore();
      await d.send(mixedBatch("1-"));
      assert.equal(await count(sql, schema, "trades"), 1);
      assert.equal(await count(sql, schema, "tickers"), 1);
      await d.close();
    }),
});

Deno.test("connect to a server that never answers fails retryable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of listener) conns.push(c);
  })();
  const d = driver("silent", listener.addr.port);
  try {
    const err = await d.connect().catch((e) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, false);
    assert.match(
      err.message,
      /connect failed: connection error CONNECT_TIMEOUT/,
    );
  } finally {
    await d.close();
    listener.close();
    for (const c of conns) c.close();
    await accepting;
  }
});
