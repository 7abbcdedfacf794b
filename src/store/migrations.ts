/**
 * The store's schema as versioned migrations, embedded as constants (the
 * binary is built with `deno compile`, so nothing is read from disk), with
 * the SQL of each for SQLite and for PostgreSQL. Both stores record applied
 * versions in {@link STORE_MIGRATIONS_TABLE} and apply the pending ones at
 * `open()`, each in its own transaction.
 *
 * PostgreSQL statements name tables as `{schema}.table`; the store puts its
 * quoted schema in place of `{schema}` ({@link postgresStatements}). The
 * balance row's columns and values, the same in both, live here too.
 *
 * @module
 */

import type { BalanceEntry } from "../sinks/balances.ts";
import { StoreError, type StoreKind } from "./types.ts";

/** One schema change. Never edit one that has shipped: add the next version. */
export interface StoreMigration {
  /** 1, 2, 3… in order. */
  version: number;
  /** Short description, recorded beside the version. */
  name: string;
  /** Statements for SQLite, run in order in one transaction. */
  sqlite: readonly string[];
  /** Statements for PostgreSQL (`{schema}` stands for the quoted schema). */
  postgres: readonly string[];
}

/** The table recording applied migrations (`version`, `name`, `applied_at`). */
export const STORE_MIGRATIONS_TABLE = "tickgate_store_migrations";

/** Subscriptions made over the API. */
export const SUBSCRIPTIONS_TABLE = "tickgate_subscriptions";

/** Latest balance per venue/account/coin. */
export const BALANCES_TABLE = "tickgate_balances";

/**
 * Every migration, in order. Decimals are TEXT (lossless strings, never
 * floats); `updated_ts` is epoch ms; `symbols` and `options` are JSON.
 */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    name: "subscriptions and balances",
    sqlite: [
      `create table ${SUBSCRIPTIONS_TABLE} (
        id text primary key,
        venue text not null,
        channel text not null,
        symbols text not null,
        service text not null,
        options text not null,
        created_at text not null
      )`,
      `create index ${SUBSCRIPTIONS_TABLE}_service_idx
        on ${SUBSCRIPTIONS_TABLE} (service)`,
      `create table ${BALANCES_TABLE} (
        venue text not null,
        account text not null,
        coin text not null,
        symbol text not null,
        free text not null,
        locked text not null,
        total text not null,
        updated_ts integer not null,
        entry_price text,
        mark_price text,
        unrealised_pnl text,
        primary key (venue, account, coin)
      )`,
    ],
    postgres: [
      `create table {schema}.${SUBSCRIPTIONS_TABLE} (
        id text primary key,
        venue text not null,
        channel text not null,
        symbols jsonb not null,
        service text not null,
        options jsonb not null,
        created_at timestamptz not null,
        seq bigint generated always as identity
      )`,
      `create index ${SUBSCRIPTIONS_TABLE}_service_idx
        on {schema}.${SUBSCRIPTIONS_TABLE} (service)`,
      `create table {schema}.${BALANCES_TABLE} (
        venue text not null,
        account text not null,
        coin text not null,
        symbol text not null,
        free text not null,
        locked text not null,
        total text not null,
        updated_ts bigint not null,
        entry_price text,
        mark_price text,
        unrealised_pnl text,
        primary key (venue, account, coin)
      )`,
    ],
  },
];

/**
 * A migration's PostgreSQL statements for a quoted schema.
 *
 * @example Usage
 * ```ts
 * postgresStatements(STORE_MIGRATIONS[0]!, '"public"');
 * ```
 */
export function postgresStatements(
  m: StoreMigration,
  quotedSchema: string,
): string[] {
  return m.postgres.map((s) => s.replaceAll("{schema}", quotedSchema));
}

/**
 * The migrations still to apply given the versions a database records.
 * Throws {@link StoreError} naming both versions when the database is newer
 * than this build (a downgrade would corrupt it), and when the list itself
 * is out of order.
 *
 * @example Usage
 * ```ts
 * pendingMigrations([], "sqlite"); // every migration
 * pendingMigrations([1], "sqlite"); // []
 * pendingMigrations([1, 2, 3], "sqlite"); // throws: database at version 3, this build knows 1
 * ```
 */
export function pendingMigrations(
  applied: readonly number[],
  kind: StoreKind,
  migrations: readonly StoreMigration[] = STORE_MIGRATIONS,
): StoreMigration[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(
        `store migration "${m.name}" has version ${m.version}, expected ${
          i + 1
        }`,
        kind,
      );
    }
  });
  const known = migrations.length;
  const newest = applied.reduce((a, b) => Math.max(a, b), 0);
  if (newest > known) {
    throw new StoreError(
      `the database schema is at version ${newest} but this tickgate knows versions up to ${known}; upgrade tickgate or use another database`,
      kind,
    );
  }
  return migrations.filter((m) => !applied.includes(m.version));
}

/** Columns of {@link BALANCES_TABLE}, in the order of {@link balanceRow}. */
export const BALANCE_COLUMNS: readonly string[] = [
  "venue",
  "account",
  "coin",
  "symbol",
  "free",
  "locked",
  "total",
  "updated_ts",
  "entry_price",
  "mark_price",
  "unrealised_pnl",
];

/**
 * A balance as row values in {@link BALANCE_COLUMNS} order: `updated_ts`
 * in whole ms, `null` for an absent position field.
 *
 * @example Usage
 * ```ts
 * balanceRow(entry); // ["bybit", "UNIFIED", "USDT", "USDT", "10", "0", "10", 1700000000000, null, null, null]
 * ```
 */
export function balanceRow(b: BalanceEntry): (string | number | null)[] {
  return [
    b.venue,
    b.account,
    b.coin,
    b.symbol,
    b.free,
    b.locked,
    b.total,
    Math.trunc(b.updatedTs),
    b.entryPrice ?? null,
    b.markPrice ?? null,
    b.unrealisedPnl ?? null,
  ];
}

/**
 * A balance from a row of {@link BALANCES_TABLE} (columns by name).
 *
 * @example Usage
 * ```ts
 * balanceFromRow(row); // { venue: "bybit", account: "UNIFIED", coin: "USDT", … }
 * ```
 */
export function balanceFromRow(r: Record<string, unknown>): BalanceEntry {
  const b: BalanceEntry = {
    venue: String(r.venue),
    account: String(r.account),
    coin: String(r.coin),
    symbol: String(r.symbol),
    free: String(r.free),
    locked: String(r.locked),
    total: String(r.total),
    updatedTs: Number(r.updated_ts),
  };
  if (r.entry_price !== null) b.entryPrice = String(r.entry_price);
  if (r.mark_price !== null) b.markPrice = String(r.mark_price);
  if (r.unrealised_pnl !== null) b.unrealisedPnl = String(r.unrealised_pnl);
  return b;
}

/**
 * The balance upsert for both stores: `table` is the (qualified) table
 * name, `values` the `VALUES` list of placeholders. A row is replaced only
 * by one at least as new (`updated_ts`), so an older update never wins.
 *
 * @example Usage
 * ```ts
 * upsertBalances(BALANCES_TABLE, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
 * ```
 */
export function upsertBalances(table: string, values: string): string {
  const update = BALANCE_COLUMNS.slice(3).map((c) => `${c} = excluded.${c}`);
  return `insert into ${table} (${BALANCE_COLUMNS.join(", ")})
    values ${values}
    on conflict (venue, account, coin) do update set ${update.join(", ")}
    where excluded.updated_ts >= ${table}.updated_ts`;
}
