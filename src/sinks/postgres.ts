/**
 * PostgreSQL sink driver (npm:postgres): one table per event kind in the
 * sink's schema (see `postgres_rows.ts`), created by versioned migrations
 * at connect (`postgres_migrations.ts`). A batch is one transaction with one
 * multi-row `INSERT … ON CONFLICT (id) DO NOTHING` per table, so it lands
 * all or nothing and redelivery is harmless.
 *
 * @module
 */

import type postgres from "postgres";
import { DeadlineError } from "../core/async.ts";
import type { NormalizedEvent } from "../core/events.ts";
import { log } from "../logging.ts";
import { PostgresPool } from "../postgres_pool.ts";
import {
  MISSING_OBJECTS,
  postgresDeliveryError,
  postgresScrubber,
  sqlState,
} from "./postgres_errors.ts";
import { migrate, MIGRATIONS } from "./postgres_migrations.ts";
import { postgresSinkSchema } from "./postgres_options.ts";
import {
  groupRows,
  ROW_TYPES,
  type RowGroups,
  type SinkTable,
  TABLE_COLUMNS,
} from "./postgres_rows.ts";
import { DeliveryError, type SinkContext, type SinkDriver } from "./types.ts";
import type { SinkSpec } from "./url.ts";

// The client-side bound on connect() and send() (ms, for a silent network),
// bind parameter limit.
const OPERATION_TIMEOUT_MS = 15_000;
const MAX_PARAMETERS = 65_535;

type Counts = { inserted: number; duplicates: number };

/**
 * Creates the PostgreSQL driver for a sink URL.
 *
 * @example Usage
 * ```ts
 * const driver = createPostgresDriver(
 *   parseSinkUrl("postgres://postgres@127.0.0.1:5432/test?schema=market", 1),
 *   ctx,
 * );
 * await driver.connect(); // creates the schema and tables
 * await driver.send(events);
 * await driver.close();
 * ```
 */
export function createPostgresDriver(
  spec: SinkSpec,
  _ctx: SinkContext,
): SinkDriver {
  return new PostgresDriver(spec, postgresSinkSchema(spec));
}

/** The driver: a small pool, migrations at connect, one transaction per batch. */
class PostgresDriver implements SinkDriver {
  readonly #spec: SinkSpec;
  readonly #schema: string;
  readonly #log;
  /** Takes the URL and the password out of an error text. */
  readonly #scrub: (text: string) => string;
  readonly #db: PostgresPool;
  #migrated = false;
  #versions: number[] = [];
  readonly #rows: Partial<Record<SinkTable, Counts>> = {};

  constructor(spec: SinkSpec, schema: string) {
    this.#spec = spec;
    this.#schema = schema;
    this.#scrub = postgresScrubber(
      spec.target,
      decodeURIComponent(new URL(spec.target).password),
    );
    this.#log = log("sink", spec.name);
    this.#db = new PostgresPool(spec.target, {
      applicationName: "tickgate",
      types: ROW_TYPES,
    });
  }

  async connect(): Promise<void> {
    const sql = this.#db.operation();
    try {
      if (this.#migrated) {
        await this.#bounded(sql`select 1`, "connect");
        return;
      }
      const report = await this.#bounded(
        migrate(sql, this.#schema),
        "connect",
      );
      this.#versions = report.versions;
      this.#migrated = true;
      if (report.applied.length > 0) {
        this.#log.info("Applied migrations {applied} in schema {schema}", {
          applied: report.applied,
          schema: this.#schema,
        });
      }
      const latest = MIGRATIONS.length;
      if (report.versions.some((v) => v > latest)) {
        this.#log.warn(
          "Schema {schema} has migrations newer than this build ({latest})",
          { schema: this.#schema, latest },
        );
      }
    } catch (e) {
      throw this.#failure(e, "connect");
    }
  }

  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    let groups: RowGroups;
    try {
      groups = groupRows(batch);
    } catch (e) {
      throw new DeliveryError(
        `postgres sink "${this.#spec.name}": ${this.#scrub(String(e))}`,
        { permanent: true },
      );
    }
    if (!this.#migrated) await this.connect();
    const sql = this.#db.operation();
    const at = { table: undefined as SinkTable | undefined };
    let inserted: number[];
    try {
      inserted = await this.#bounded(
        sql.begin((tx) => this.#insert(tx, groups, at)),
        "write",
      );
    } catch (e) {
      const table = at.table;
      throw this.#failure(
        e,
        table === undefined ? "write" : `insert into ${this.#schema}.${table}`,
      );
    }
    for (let i = 0; i < groups.length; i++) {
      const { table, rows } = groups[i]!;
      const n = inserted[i] ?? 0;
      const c = this.#rows[table] ??= { inserted: 0, duplicates: 0 };
      c.inserted += n;
      c.duplicates += rows.length - n;
    }
  }

  async close(): Promise<void> {
    await this.#db.close(5);
  }

  details(): Record<string, unknown> {
    return {
      schema: this.#schema,
      migrationsApplied: this.#versions.length,
      rows: structuredClone(this.#rows),
    };
  }

  /** One INSERT per table (chunked under the parameter limit). */
  async #insert(
    tx: postgres.TransactionSql<Record<string, unknown>>,
    groups: RowGroups,
    at: { table: SinkTable | undefined },
  ): Promise<number[]> {
    const inserted: number[] = [];
    const schema = tx(this.#schema);
    for (const { table, rows } of groups) {
      at.table = table;
      const columns = TABLE_COLUMNS[table];
      const step = Math.floor(MAX_PARAMETERS / columns.length);
      let n = 0;
      for (let i = 0; i < rows.length; i += step) {
        const chunk = rows.length <= step ? rows : rows.slice(i, i + step);
        const result = await tx`insert into ${schema}.${tx(table)} ${
          tx(chunk, columns as string[])
        } on conflict (id) do nothing`;
        n += result.count;
      }
      inserted.push(n);
    }
    at.table = undefined;
    return inserted;
  }

  /** Bounds an operation; a timeout (the pool drops itself) is a {@link DeliveryError}. */
  async #bounded<T>(op: Promise<T>, what: string): Promise<T> {
    try {
      return await this.#db.bounded(op, OPERATION_TIMEOUT_MS, what);
    } catch (e) {
      if (!(e instanceof DeadlineError)) throw e;
      throw new DeliveryError(
        `${this.#head(what)}: timed out after ${e.ms} ms`,
      );
    }
  }

  #failure(e: unknown, what: string): DeliveryError {
    if (e instanceof DeliveryError) return e;
    const code = sqlState(e);
    if (code !== undefined && MISSING_OBJECTS.has(code)) this.#migrated = false;
    this.#db.dropIfBroken(e); // a connection may be left half open
    return postgresDeliveryError(e, this.#head(what), (s) => this.#scrub(s));
  }

  #head(what: string): string {
    return `postgres sink "${this.#spec.name}": ${what} failed`;
  }
}
