/**
 * End to end: Coinbase simulator → gateway → PostgreSQL sink, read back with
 * npm:postgres and compared column by column with the gateway's own NDJSON
 * truth file.
 */

import assert from "node:assert/strict";
import postgres from "postgres";
import type { NormalizedEvent } from "../src/core/events.ts";
import { waitFor } from "./_harness.ts";
import { service } from "./_services.ts";
import { startSinkStack } from "./_sink_harness.ts";
import { TcpProxy } from "./_tcp_proxy.ts";

const pg = await service("postgres");
const PASSWORD = "e2e-n0t-s3cret"; // trust auth ignores it; it must never leak

function uniqueSchema(what: string): string {
  return `tg_e2e_${what}_${Date.now().toString(36)}${
    crypto.randomUUID().slice(0, 6)
  }`;
}

function sinkUrl(schema: string, port: number): string {
  const u = new URL(pg.url);
  u.password = PASSWORD;
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return `${u.href}?schema=${schema}&batch_size=200&linger_ms=20`;
}

type Kind = "text" | "dec" | "int" | "ts";
/** Column, event field, how the field is stored. */
type Spec = ReadonlyArray<[column: string, field: string, kind: Kind]>;

const BASE: Spec = [
  ["id", "id", "text"],
  ["venue", "venue", "text"],
  ["symbol", "symbol", "text"],
  ["native_symbol", "nativeSymbol", "text"],
  ["exchange_ts", "exchangeTs", "ts"],
  ["received_ts", "receivedTs", "ts"],
];

/** What each table the Coinbase feed fills must hold, per column. */
const TABLES: Record<string, [kind: string, spec: Spec]> = {
  trades: ["trade", [
    ...BASE,
    ["trade_id", "tradeId", "text"],
    ["price", "price", "dec"],
    ["size", "size", "dec"],
    ["side", "side", "text"],
  ]],
  tickers: ["ticker", [
    ...BASE,
    ...(["bid", "bidSize", "ask", "askSize", "last", "volume24h"].map((
      f,
    ) => [snake(f), f, "dec"]) as Spec),
    ...(["open24h", "high24h", "low24h", "volume30d", "lastSize"].map((
      f,
    ) => [snake(f), f, "dec"]) as Spec),
    ["sequence", "sequence", "int"],
    ...(["markPrice", "indexPrice", "openInterest", "fundingRate"].map((
      f,
    ) => [snake(f), f, "dec"]) as Spec),
    ["next_funding_time", "nextFundingTime", "ts"],
  ]],
  status_events: ["status", [
    ...BASE,
    ["state", "state", "text"],
    ["detail", "detail", "text"],
    ["connection", "connection", "text"],
  ]],
};

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    .replace(/(\d+)/, "_$1");
}

/** The row the sink must have written for `event`, every value as text. */
function expectedRow(event: NormalizedEvent, spec: Spec) {
  const e = event as unknown as Record<string, unknown>;
  const row: Record<string, string | null> = {};
  for (const [column, field, kind] of spec) {
    const v = e[field];
    row[column] = v === undefined || (kind === "dec" && v === "")
      ? null
      : kind === "ts"
      ? String(Math.round((v as number) * 1000))
      : String(v);
  }
  return row;
}

/** Every row of a table, every column as text (timestamps in epoch µs). */
async function readTable(sql: postgres.Sql, schema: string, spec: Spec) {
  const table = Object.entries(TABLES).find(([, [, s]]) => s === spec)![0];
  const cols = spec.map(([c, , kind]) =>
    kind === "ts"
      ? `(extract(epoch from "${c}") * 1000000)::bigint::text as "${c}"`
      : `"${c}"::text as "${c}"`
  );
  const rows = await sql.unsafe(
    `select ${cols.join(", ")} from "${schema}"."${table}"`,
  );
  return new Map(rows.map((r) => [r.id as string, { ...r }]));
}

/** Checks every truth event is in its table, exactly, and nothing else is. */
async function assertDelivered(
  sql: postgres.Sql,
  schema: string,
  truth: NormalizedEvent[],
): Promise<void> {
  const kinds = new Set(Object.values(TABLES).map(([k]) => k));
  assert.deepEqual(truth.filter((e) => !kinds.has(e.kind)), []);
  for (const [table, [kind, spec]] of Object.entries(TABLES)) {
    const mine = truth.filter((e) => e.kind === kind);
    const rows = await readTable(sql, schema, spec);
    const missing = mine.filter((e) => !rows.has(e.id)).map((e) => e.id);
    assert.deepEqual(missing, [], `every ${kind} is in ${table}`);
    for (const event of mine) {
      assert.deepEqual(rows.get(event.id), expectedRow(event, spec), event.id);
    }
    assert.equal(rows.size, mine.length, `nothing but the truth in ${table}`);
  }
}

Deno.test({
  name: "postgres sink e2e: every event exactly once, every column exact",
  ignore: pg.skip,
  fn: async () => {
    const schema = uniqueSchema("fields");
    const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
    try {
      await using stack = await startSinkStack({
        sink: sinkUrl(schema, pg.port),
      });
      await waitFor("trades to reach PostgreSQL", () => {
        const rows = stack.stats().details.rows as
          | Record<string, { inserted: number }>
          | undefined;
        return (rows?.trades?.inserted ?? 0) >= 200;
      }, 30_000);
      const truth = await stack.settle();
      assert.ok(truth.some((e) => e.kind === "trade"));
      assert.ok(truth.some((e) => e.kind === "ticker"));
      assert.ok(truth.some((e) => e.kind === "status"));
      await assertDelivered(sql, schema, truth);
      const st = stack.stats();
      assert.equal(st.deadLettered, 0);
      const rows = st.details.rows as Record<string, { inserted: number }>;
      assert.equal(
        rows.trades?.inserted,
        truth.filter((e) => e.kind === "trade").length,
      );
      assert.equal(st.details.schema, schema);
      assert.equal(st.details.migrationsApplied, 1);
    } finally {
      await sql.unsafe(`drop schema if exists "${schema}" cascade`);
      await sql.end();
    }
  },
});

Deno.test({
  name:
    "postgres sink e2e: a 10 s outage under load loses nothing, spool drains",
  ignore: pg.skip,
  fn: async () => {
    const schema = uniqueSchema("outage");
    const sql = postgres(pg.url, { max: 2, onnotice: () => {} });
    const proxy = TcpProxy.start({ hostname: pg.hostname, port: pg.port });
    try {
      await using stack = await startSinkStack({
        sink: sinkUrl(schema, proxy.port),
        tradesPerSecond: 25, // per product: 50 trades/s in all
      });
      await waitFor("first deliveries", () => stack.stats().published > 0);
      proxy.cut();
      await new Promise((r) => setTimeout(r, 10_000));
      const during = stack.stats();
      proxy.restore();
      assert.ok(during.lastError !== undefined, "the outage was noticed");
      assert.ok(!during.lastError.includes(PASSWORD), during.lastError);
      assert.ok(
        during.queued + during.spooledEvents > 0,
        "events waited during the outage",
      );
      const truth = await stack.settle(120_000);
      const trades = truth.filter((e) => e.kind === "trade");
      assert.ok(trades.length >= 20 * 10, `${trades.length} trades`);
      await assertDelivered(sql, schema, truth);
      const after = stack.stats();
      assert.equal(after.spooledBytes, 0);
      assert.equal(after.spooledEvents, 0);
      assert.equal(after.deadLettered, 0);
      assert.equal(after.spoolDropped, 0);
    } finally {
      await proxy.close();
      await sql.unsafe(`drop schema if exists "${schema}" cascade`);
      await sql.end();
    }
  },
});
