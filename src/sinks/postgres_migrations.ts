/**
 * The PostgreSQL sink's schema as versioned migrations (data), and the
 * runner that applies the pending ones at connect: each in its own
 * transaction under an advisory lock per schema, recorded in
 * `tickgate_sink_migrations`, so tickgate instances starting together never
 * race and a migration runs once.
 *
 * @module
 */

import type { Sql, TransactionSql } from "postgres";

/** One schema change. `up` returns its statements for a (quoted) schema. */
export interface Migration {
  /** Strictly increasing from 1. */
  version: number;
  /** Short description, stored beside the version. */
  name: string;
  /** DDL statements, run in order inside one transaction. */
  up(schema: string): string[];
}

/** Name of the table recording applied migrations (inside the schema). */
export const MIGRATIONS_TABLE = "tickgate_sink_migrations";

const BASE = `id text primary key,
  venue text not null,
  symbol text not null,
  native_symbol text not null,
  exchange_ts timestamptz not null,
  received_ts timestamptz not null`;

const BOOK = `${BASE},
  bids jsonb not null,
  asks jsonb not null,
  sequence bigint,
  first_sequence bigint`;

/** Columns of version 1, per table (after the common columns). */
const V1_TABLES: ReadonlyArray<[table: string, columns: string]> = [
  [
    "trades",
    `${BASE},
  trade_id text, price numeric, size numeric, side text`,
  ],
  [
    "tickers",
    `${BASE},
  bid numeric, bid_size numeric, ask numeric, ask_size numeric,
  last numeric, volume_24h numeric, open_24h numeric, high_24h numeric,
  low_24h numeric, volume_30d numeric, last_size numeric, sequence bigint,
  mark_price numeric, index_price numeric, open_interest numeric,
  funding_rate numeric, next_funding_time timestamptz`,
  ],
  [
    "candles",
    `${BASE},
  "interval" text, open_time timestamptz, open numeric, high numeric,
  low numeric, close numeric, volume numeric, closed boolean`,
  ],
  ["book_snapshots", BOOK],
  ["book_deltas", BOOK],
  [
    "orders",
    `${BASE},
  order_id text, client_order_id text, status text, side text,
  order_type text, price numeric, size numeric, filled_size numeric,
  avg_price numeric, exec_id text, exec_price numeric, exec_size numeric,
  fee numeric, fee_currency text, liquidity text, category text`,
  ],
  [
    "balances",
    `${BASE},
  account text, coin text, free numeric, locked numeric, total numeric,
  entry_price numeric, mark_price numeric, unrealised_pnl numeric,
  category text`,
  ],
  [
    "status_events",
    `${BASE},
  state text, detail text, connection text`,
  ],
];

/**
 * Every migration, in order. Never edit one that has shipped: add the next
 * version instead.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "event tables",
    up: (s) =>
      V1_TABLES.flatMap(([table, columns]) => [
        `create table ${s}.${table} (\n  ${columns}\n)`,
        `create index ${table}_symbol_exchange_ts_idx on ${s}.${table} (symbol, exchange_ts)`,
      ]),
  },
];

/** What {@link migrate} found and did. */
export interface MigrationReport {
  /** Versions this call applied, in order (empty when up to date). */
  applied: number[];
  /** Every version recorded in the schema afterwards, ascending. */
  versions: number[];
}

/**
 * Quotes an identifier for SQL text (`"a""b"`).
 *
 * @example Usage
 * ```ts
 * quoteIdent("market"); // "\"market\""
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Why `name` cannot be the sink's schema, or `undefined` when it can: a
 * lowercase identifier (so it needs no quoting in the user's own SQL), not
 * `pg_*` (reserved), at most 63 bytes.
 *
 * @example Usage
 * ```ts
 * schemaNameProblem("market"); // undefined
 * schemaNameProblem("Market"); // "must be a lowercase identifier …"
 * ```
 */
export function schemaNameProblem(name: string): string | undefined {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name) || name.startsWith("pg_")) {
    return `must be a lowercase identifier (a-z, 0-9, _; not starting with a digit or pg_; at most 63 characters), got "${name}"`;
  }
  return undefined;
}

/**
 * Creates the schema and the migrations table when missing, then applies
 * the pending migrations in order, each in a transaction holding
 * `pg_advisory_xact_lock` for the schema (pending versions are read again
 * under the lock, so concurrent runners apply each migration once).
 *
 * @example Usage
 * ```ts
 * const { applied } = await migrate(sql, "public");
 * ```
 */
export async function migrate(
  sql: Sql,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  checkOrder(migrations);
  const s = quoteIdent(schema);
  const lockKey = `tickgate-sink:${schema}`;
  let versions = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${lockKey}))`;
    // checked first: CREATE … IF NOT EXISTS needs the privilege even when
    // the object exists, and the sink's user may only own its schema
    const [found] = await tx`select
      exists (select 1 from pg_namespace where nspname = ${schema}) as schema,
      to_regclass(${`${s}.${MIGRATIONS_TABLE}`}) is not null as table`;
    if (found?.table === true) return await appliedVersions(tx, s);
    if (found?.schema !== true) await tx.unsafe(`create schema ${s}`);
    await tx.unsafe(
      `create table ${s}.${MIGRATIONS_TABLE} (
        version int primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`,
    );
    return await appliedVersions(tx, s);
  });
  const applied: number[] = [];
  for (const m of migrations) {
    if (versions.includes(m.version)) continue;
    const [now, ran] = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${lockKey}))`;
      const now = await appliedVersions(tx, s);
      if (now.includes(m.version)) return [now, false] as const; // done by another instance
      for (const statement of m.up(s)) await tx.unsafe(statement);
      await tx.unsafe(
        `insert into ${s}.${MIGRATIONS_TABLE} (version, name) values ($1, $2)`,
        [m.version, m.name],
      );
      return [[...now, m.version].sort((a, b) => a - b), true] as const;
    });
    versions = now;
    if (ran) applied.push(m.version);
  }
  return { applied, versions };
}

async function appliedVersions(
  tx: TransactionSql,
  s: string,
): Promise<number[]> {
  const rows = await tx.unsafe<Array<{ version: number }>>(
    `select version from ${s}.${MIGRATIONS_TABLE} order by version`,
  );
  return rows.map((r) => Number(r.version));
}

/** Throws unless versions are 1, 2, 3… in order. */
function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `migration "${m.name}" has version ${m.version}, expected ${i + 1}`,
      );
    }
  });
}
