/**
 * The store on PostgreSQL (npm:postgres), used when `DATABASE_URL` is set:
 * tables `tickgate_subscriptions`, `tickgate_balances` and
 * `tickgate_store_migrations` in one schema (default `public`; never the
 * sink's `tickgate_sink_*` tables). Every operation is bounded in time and
 * fails as {@link StoreError} with the URL redacted and the password
 * scrubbed; a connection that cannot be made fails within about 5 s.
 *
 * @module
 */

import type postgres from "postgres";
import { DeadlineError } from "../core/async.ts";
import { errorText } from "../core/error_text.ts";
import {
  CONNECT_TIMEOUT_SEC,
  PostgresPool,
  type PostgresSql as Sql,
} from "../postgres_pool.ts";
import type { BalanceEntry } from "../sinks/balances.ts";
import { postgresScrubber, sqlState } from "../sinks/postgres_errors.ts";
import { quoteIdent, schemaNameProblem } from "../sinks/postgres_migrations.ts";
import { redactUrl } from "../sinks/url.ts";
import {
  BALANCE_COLUMNS,
  balanceFromRow,
  balanceRow,
  BALANCES_TABLE,
  pendingMigrations,
  postgresStatements,
  STORE_MIGRATIONS_TABLE as MIGRATIONS,
  SUBSCRIPTIONS_TABLE as SUBSCRIPTIONS,
  upsertBalances,
} from "./migrations.ts";
import { latestPerKey } from "./pending_balances.ts";
import { type Store, type StoredSubscription, StoreError } from "./types.ts";

// the bound on connecting (ms, just over the connect timeout); the bound on
// other operations (ms); rows per INSERT
const CONNECT_BOUND_MS = CONNECT_TIMEOUT_SEC * 1000 + 500;
const OPERATION_TIMEOUT_MS = 15_000;
const ROWS_PER_STATEMENT = 1_000;

type Tx = postgres.TransactionSql<Record<string, unknown>>;
type Row = Record<string, unknown>;

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; a secret. */
  url: string;
  /** Schema of the tables, created when missing. @default "public" */
  schema?: string;
}

/**
 * PostgreSQL store.
 *
 * @example Usage
 * ```ts
 * const store = new PostgresStore({ url: "postgres://tickgate:pw@db:5432/tickgate" });
 * await store.open(); // connects, creates the tables
 * await store.saveSubscription(subscription);
 * await store.close();
 * ```
 */
export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  readonly location: string;
  readonly #db: PostgresPool;
  readonly #schema: string;
  /** The quoted schema for SQL text. */
  readonly #s: string;
  readonly #scrub: (text: string) => string;
  #open = false;

  /** Throws {@link StoreError} for a URL or schema it cannot use. */
  constructor(options: PostgresStoreOptions) {
    this.#schema = options.schema ?? "public";
    this.#s = quoteIdent(this.#schema);
    this.location = `${redactUrl(options.url)} (schema ${this.#schema})`;
    let password = "";
    try {
      password = decodeURIComponent(new URL(options.url).password);
    } catch {
      throw new StoreError(
        `postgres store ${
          redactUrl(options.url)
        }: expected postgres://user:password@host:port/database`,
        "postgres",
      );
    }
    this.#scrub = postgresScrubber(options.url, password);
    const problem = schemaNameProblem(this.#schema);
    if (problem !== undefined) {
      throw new StoreError(`postgres store schema ${problem}`, "postgres");
    }
    this.#db = new PostgresPool(options.url, {
      applicationName: "tickgate-store",
    });
  }

  async open(): Promise<void> {
    if (this.#open) return;
    try {
      const sql = this.#db.operation();
      await this.#db.bounded(sql`select 1`, CONNECT_BOUND_MS, "connect");
      await this.#db.bounded(this.#migrate(sql), OPERATION_TIMEOUT_MS, "open");
      if (!this.#db.isCurrent(sql)) throw new Error("closed while opening");
      this.#open = true;
    } catch (e) {
      this.#db.drop();
      throw this.#failure(e, "open");
    }
  }

  async close(): Promise<void> {
    this.#open = false;
    await this.#db.close(2);
  }

  loadSubscriptions(): Promise<StoredSubscription[]> {
    return this.#op("loading subscriptions", async (sql) => {
      const rows = await sql.unsafe<Row[]>(
        `select id, venue, channel, symbols::text, service, options::text,
           created_at from ${this.#s}.${SUBSCRIPTIONS} order by created_at, seq`,
      );
      return rows.map((r) => ({
        id: String(r.id),
        venue: String(r.venue),
        channel: String(r.channel),
        symbols: JSON.parse(String(r.symbols)) as string[],
        service: String(r.service),
        options: JSON.parse(String(r.options)) as StoredSubscription["options"],
        createdAt: (r.created_at as Date).toISOString(),
      }));
    });
  }

  saveSubscription(s: StoredSubscription): Promise<void> {
    return this.#op(`saving subscription ${s.id}`, async (sql) => {
      // text::jsonb: npm:postgres would encode a jsonb parameter again
      await sql.unsafe(
        `insert into ${this.#s}.${SUBSCRIPTIONS}
           (id, venue, channel, symbols, service, options, created_at)
         values ($1, $2, $3, $4::text::jsonb, $5, $6::text::jsonb, $7::timestamptz)
         on conflict (id) do update set venue = excluded.venue,
           channel = excluded.channel, symbols = excluded.symbols,
           service = excluded.service, options = excluded.options,
           created_at = excluded.created_at`,
        [
          s.id,
          s.venue,
          s.channel,
          JSON.stringify(s.symbols),
          s.service,
          JSON.stringify(s.options),
          new Date(s.createdAt).toISOString(),
        ],
      );
    });
  }

  deleteSubscriptions(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.#op("deleting subscriptions", (sql) =>
      sql.begin(async (tx) => {
        for (const chunk of chunks(ids)) {
          await tx.unsafe(
            `delete from ${this.#s}.${SUBSCRIPTIONS}
             where id in (${placeholders(chunk.length, 1)})`,
            chunk as string[],
          );
        }
      }));
  }

  saveBalances(balances: readonly BalanceEntry[]): Promise<void> {
    if (balances.length === 0) return Promise.resolve();
    return this.#op("saving balances", (sql) =>
      sql.begin(async (tx) => {
        // one row per key: an upsert may not touch a row twice
        for (const chunk of chunks(latestPerKey(balances))) {
          const n = BALANCE_COLUMNS.length;
          const values = chunk.map((_, i) => `(${placeholders(n, i * n + 1)})`);
          await tx.unsafe(
            upsertBalances(`${this.#s}.${BALANCES_TABLE}`, values.join(", ")),
            chunk.flatMap(balanceRow),
          );
        }
      }));
  }

  loadBalances(): Promise<BalanceEntry[]> {
    return this.#op("loading balances", async (sql) => {
      const rows = await sql.unsafe<Row[]>(
        `select * from ${this.#s}.${BALANCES_TABLE}
         order by venue, account, coin`,
      );
      return rows.map(balanceFromRow);
    });
  }

  /**
   * Creates the schema and the migrations table when missing, then applies
   * each pending migration in a transaction holding an advisory lock per
   * schema (so instances starting together apply each one once).
   */
  async #migrate(sql: Sql): Promise<void> {
    const lock = async (tx: Tx) => {
      await tx`select pg_advisory_xact_lock(hashtext(${`tickgate-store:${this.#schema}`}))`;
      const rows = await tx.unsafe<Row[]>(
        `select version from ${this.#s}.${MIGRATIONS}`,
      );
      return rows.map((r) => Number(r.version));
    };
    const applied = await sql.begin(async (tx) => {
      // checked first: CREATE … IF NOT EXISTS needs the privilege even when
      // the object exists
      const [found] = await tx`select
        exists (select 1 from pg_namespace where nspname = ${this.#schema}) as schema,
        to_regclass(${`${this.#s}.${MIGRATIONS}`}) is not null as table`;
      if (found?.schema !== true) {
        await tx.unsafe(`create schema if not exists ${this.#s}`);
      }
      if (found?.table !== true) {
        await tx.unsafe(`create table if not exists ${this.#s}.${MIGRATIONS} (
          version int primary key,
          name text not null,
          applied_at timestamptz not null default now()
        )`);
      }
      return await lock(tx);
    });
    for (const m of pendingMigrations(applied, "postgres")) {
      await sql.begin(async (tx) => {
        if ((await lock(tx)).includes(m.version)) return; // another instance
        for (const statement of postgresStatements(m, this.#s)) {
          await tx.unsafe(statement);
        }
        await tx.unsafe(
          `insert into ${this.#s}.${MIGRATIONS} (version, name) values ($1, $2)`,
          [m.version, m.name],
        );
      });
    }
  }

  /** Runs one bounded operation on the open store. */
  async #op<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (!this.#open) {
      throw new StoreError(`${this.#head(what)}: not open`, "postgres");
    }
    try {
      const sql = this.#db.operation();
      return await this.#db.bounded(fn(sql), OPERATION_TIMEOUT_MS, what);
    } catch (e) {
      this.#db.dropIfBroken(e); // a connection may be left half open
      throw this.#failure(e, what);
    }
  }

  /** A scrubbed {@link StoreError}: SQLSTATE and server text, or the connection error's code. */
  #failure(e: unknown, what: string): StoreError {
    const head = this.#head(what);
    if (e instanceof StoreError) {
      return new StoreError(`${head}: ${e.message}`, "postgres");
    }
    const code = sqlState(e);
    const errCode = (e as { code?: unknown } | null)?.code;
    const detail = e instanceof DeadlineError
      ? `timed out after ${e.ms} ms`
      : code !== undefined
      ? `SQLSTATE ${code}: ${this.#scrub(errorText(e)).slice(0, 300)}`
      : typeof errCode === "string" && /^[A-Z0-9_]+$/.test(errCode)
      ? `connection error ${errCode}` // its text carries host and port
      : this.#scrub(errorText(e)).slice(0, 300);
    return new StoreError(`${head}: ${detail}`, "postgres");
  }

  #head(what: string): string {
    return `postgres store ${this.location}: ${what} failed`;
  }
}

/** `$from, $from+1, …` (`n` placeholders). */
function placeholders(n: number, from: number): string {
  return Array.from({ length: n }, (_, i) => `$${from + i}`).join(", ");
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
    out.push(items.slice(i, i + ROWS_PER_STATEMENT));
  }
  return out;
}
