/**
 * The default store: SQLite through `node:sqlite` (built into Deno), one
 * file `tickgate.db` under `DATA_DIR`, WAL journal and a busy timeout so a
 * second process reading it does not fail at once. The API is synchronous;
 * each method runs it and answers with a promise, failures as
 * {@link StoreError} naming the file and the operation.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { errorText } from "../core/error_text.ts";
import type { BalanceEntry } from "../sinks/balances.ts";
import type { SubscriptionOptions } from "../subscriptions/types.ts";
import {
  BALANCE_COLUMNS,
  balanceFromRow,
  balanceRow,
  BALANCES_TABLE,
  pendingMigrations,
  STORE_MIGRATIONS_TABLE,
  SUBSCRIPTIONS_TABLE,
  upsertBalances,
} from "./migrations.ts";
import { type Store, type StoredSubscription, StoreError } from "./types.ts";

/** The database file's name inside the data directory. */
export const SQLITE_FILE = "tickgate.db";

/** How long a statement waits for another process's lock, in ms. */
const BUSY_TIMEOUT_MS = 5_000;

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** `DATA_DIR`; created when missing. */
  dataDir: string;
}

const UPSERT_SUBSCRIPTION = `insert into ${SUBSCRIPTIONS_TABLE}
  (id, venue, channel, symbols, service, options, created_at)
  values (?, ?, ?, ?, ?, ?, ?)
  on conflict (id) do update set venue = excluded.venue,
    channel = excluded.channel, symbols = excluded.symbols,
    service = excluded.service, options = excluded.options,
    created_at = excluded.created_at`;

const UPSERT_BALANCE = upsertBalances(
  BALANCES_TABLE,
  `(${BALANCE_COLUMNS.map(() => "?").join(", ")})`,
);

/**
 * SQLite store under a data directory.
 *
 * @example Usage
 * ```ts
 * const store = new SqliteStore({ dataDir: "./data" });
 * await store.open(); // creates ./data/tickgate.db and runs migrations
 * await store.saveSubscription(subscription);
 * await store.loadSubscriptions(); // [subscription]
 * await store.close();
 * ```
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly location: string;
  readonly #dataDir: string;
  #db: DatabaseSync | undefined;

  constructor(options: SqliteStoreOptions) {
    this.#dataDir = options.dataDir;
    this.location = join(options.dataDir, SQLITE_FILE);
  }

  async open(): Promise<void> {
    if (this.#db !== undefined) return;
    try {
      await Deno.mkdir(this.#dataDir, { recursive: true });
    } catch (e) {
      throw this.#error("creating the data directory", e);
    }
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(this.location);
      db.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.exec("pragma journal_mode = wal");
      this.#migrate(db);
      this.#db = db;
    } catch (e) {
      db?.close();
      throw this.#error("open", e);
    }
  }

  close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    try {
      db?.close();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(this.#error("close", e));
    }
  }

  loadSubscriptions(): Promise<StoredSubscription[]> {
    return this.#run("loading subscriptions", (db) =>
      db.prepare(
        `select id, venue, channel, symbols, service, options, created_at
         from ${SUBSCRIPTIONS_TABLE} order by created_at, rowid`,
      ).all().map((r) => ({
        id: String(r.id),
        venue: String(r.venue),
        channel: String(r.channel),
        symbols: JSON.parse(String(r.symbols)) as string[],
        service: String(r.service),
        options: JSON.parse(String(r.options)) as SubscriptionOptions,
        createdAt: String(r.created_at),
      })));
  }

  saveSubscription(s: StoredSubscription): Promise<void> {
    return this.#run(`saving subscription ${s.id}`, (db) => {
      db.prepare(UPSERT_SUBSCRIPTION).run(
        s.id,
        s.venue,
        s.channel,
        JSON.stringify(s.symbols),
        s.service,
        JSON.stringify(s.options),
        new Date(s.createdAt).toISOString(),
      );
    });
  }

  deleteSubscriptions(ids: readonly string[]): Promise<void> {
    return this.#run("deleting subscriptions", (db) => {
      if (ids.length === 0) return;
      const st = db.prepare(`delete from ${SUBSCRIPTIONS_TABLE} where id = ?`);
      transaction(db, () => ids.forEach((id) => st.run(id)));
    });
  }

  saveBalances(balances: readonly BalanceEntry[]): Promise<void> {
    return this.#run("saving balances", (db) => {
      if (balances.length === 0) return;
      const st = db.prepare(UPSERT_BALANCE);
      transaction(db, () => {
        for (const b of balances) st.run(...balanceRow(b));
      });
    });
  }

  loadBalances(): Promise<BalanceEntry[]> {
    return this.#run("loading balances", (db) =>
      db.prepare(
        `select * from ${BALANCES_TABLE} order by venue, account, coin`,
      ).all().map(balanceFromRow));
  }

  /** Creates the migrations table, then applies each pending migration. */
  #migrate(db: DatabaseSync): void {
    db.exec(`create table if not exists ${STORE_MIGRATIONS_TABLE} (
      version integer primary key,
      name text not null,
      applied_at text not null
    )`);
    const applied = () =>
      db.prepare(`select version from ${STORE_MIGRATIONS_TABLE}`).all()
        .map((r) => Number(r.version));
    for (const m of pendingMigrations(applied(), "sqlite")) {
      try {
        // immediate: takes the write lock first, so a second process
        // starting at the same time waits, then sees the version recorded
        transaction(db, () => {
          if (applied().includes(m.version)) return;
          for (const statement of m.sqlite) db.exec(statement);
          db.prepare(
            `insert into ${STORE_MIGRATIONS_TABLE} (version, name, applied_at)
             values (?, ?, ?)`,
          ).run(m.version, m.name, new Date().toISOString());
        }, "immediate");
      } catch (e) {
        throw new Error(
          `migration ${m.version} (${m.name}): ${errorText(e)}`,
          { cause: e },
        );
      }
    }
  }

  /** Runs `fn` on the open database; failures become {@link StoreError}. */
  #run<T>(what: string, fn: (db: DatabaseSync) => T): Promise<T> {
    try {
      const db = this.#db;
      if (db === undefined) {
        throw new StoreError(
          `sqlite store ${this.location}: ${what} failed: not open`,
          "sqlite",
        );
      }
      return Promise.resolve(fn(db));
    } catch (e) {
      return Promise.reject(
        e instanceof StoreError ? e : this.#error(what, e),
      );
    }
  }

  #error(what: string, e: unknown): StoreError {
    return new StoreError(
      `sqlite store ${this.location}: ${what} failed: ${errorText(e)}`,
      "sqlite",
      { cause: e },
    );
  }
}

/** Runs `fn` in a transaction: committed when it returns, else rolled back. */
function transaction(
  db: DatabaseSync,
  fn: () => void,
  mode: "deferred" | "immediate" = "deferred",
): void {
  db.exec(`begin ${mode}`);
  try {
    fn();
    db.exec("commit");
  } catch (e) {
    if (db.isTransaction) db.exec("rollback");
    throw e;
  }
}
