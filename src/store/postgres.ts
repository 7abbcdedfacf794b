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

import { Socket } from "node:net";
import postgres from "postgres";
import { deadline, DeadlineError } from "../core/async.ts";
import { errorText } from "../core/error_text.ts";
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
import { type Store, type StoredSubscription, StoreError } from "./types.ts";

// connect timeout (s) and the bound on connecting (ms); the bound on other
// operations (ms); the server's statement_timeout (ms); rows per INSERT
const CONNECT_TIMEOUT_SEC = 5;
const CONNECT_BOUND_MS = 5_500;
const OPERATION_TIMEOUT_MS = 15_000;
const STATEMENT_TIMEOUT_MS = 10_000;
const ROWS_PER_STATEMENT = 1_000;
/** Sockets one operation may open (npm:postgres reconnects without end). */
const SOCKETS_PER_OPERATION = 3;

type Sql = postgres.Sql<Record<string, unknown>>;
type Tx = postgres.TransactionSql<Record<string, unknown>>;
type Row = Record<string, unknown>;
type SocketOptions = { host: string[]; port: number[] };

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
  readonly #url: string;
  readonly #schema: string;
  /** The quoted schema for SQL text. */
  readonly #s: string;
  readonly #scrub: (text: string) => string;
  #sql: Sql | undefined;
  #open = false;
  #sockets = 0;

  /** Throws {@link StoreError} for a URL or schema it cannot use. */
  constructor(options: PostgresStoreOptions) {
    this.#url = options.url;
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
  }

  async open(): Promise<void> {
    if (this.#open) return;
    this.#sockets = 0;
    try {
      const sql = this.#pool();
      await this.#bounded(sql`select 1`, CONNECT_BOUND_MS, "connect");
      await this.#bounded(this.#migrate(sql), OPERATION_TIMEOUT_MS, "open");
      if (this.#sql !== sql) throw new Error("closed while opening");
      this.#open = true;
    } catch (e) {
      this.#drop();
      throw this.#failure(e, "open");
    }
  }

  async close(): Promise<void> {
    this.#open = false;
    const sql = this.#sql;
    this.#sql = undefined;
    await sql?.end({ timeout: 2 }).catch(() => {});
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
    this.#sockets = 0;
    try {
      return await this.#bounded(fn(this.#pool()), OPERATION_TIMEOUT_MS, what);
    } catch (e) {
      const code = sqlState(e);
      // a connection may be left half open: start afresh
      if (code === undefined || /^(08|57P)/.test(code)) this.#drop();
      throw this.#failure(e, what);
    }
  }

  #pool(): Sql {
    this.#sql ??= postgres(this.#url, {
      max: 2,
      connect_timeout: CONNECT_TIMEOUT_SEC,
      prepare: false,
      fetch_types: false,
      onnotice: () => {},
      connection: {
        application_name: "tickgate-store",
        statement_timeout: STATEMENT_TIMEOUT_MS,
        idle_in_transaction_session_timeout: 2 * STATEMENT_TIMEOUT_MS,
      },
      // documented, missing from the typings
      ...{ socket: (o: SocketOptions) => this.#socket(o) } as object,
    }) as unknown as Sql;
    return this.#sql;
  }

  /** Opens a socket for npm:postgres, at most a few per operation. */
  #socket(o: SocketOptions): Socket {
    const n = this.#sockets++;
    if (n >= SOCKETS_PER_OPERATION) {
      throw Object.assign(new Error("the server closes new connections"), {
        code: "CONNECTION_REFUSED",
      });
    }
    const i = n % o.host.length;
    return new Socket().connect(o.port[i] ?? 5432, o.host[i] ?? "localhost");
  }

  /** Ends the pool at once; the next operation opens a new one. */
  #drop(): void {
    const sql = this.#sql;
    this.#sql = undefined;
    sql?.end({ timeout: 0 }).catch(() => {});
  }

  async #bounded<T>(op: Promise<T>, ms: number, what: string): Promise<T> {
    try {
      return await deadline(op, ms, what);
    } catch (e) {
      if (e instanceof DeadlineError) this.#drop();
      throw e;
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

/** Keeps the latest entry (by `updatedTs`) per venue/account/coin. */
function latestPerKey(balances: readonly BalanceEntry[]): BalanceEntry[] {
  const latest = new Map<string, BalanceEntry>();
  for (const b of balances) {
    const key = `${b.venue}\n${b.account}\n${b.coin}`;
    const had = latest.get(key);
    if (had === undefined || had.updatedTs <= b.updatedTs) latest.set(key, b);
  }
  return [...latest.values()];
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
