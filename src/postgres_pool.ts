/**
 * The connection handling the PostgreSQL sink and store share: a small
 * npm:postgres pool created on first use, sockets bounded per operation
 * (npm:postgres reconnects at once, without end, when a server or a proxy in
 * front of it accepts and closes connections), dropped at once when a
 * connection may be left half open, operations bounded in time, and
 * transactions guarded against npm:postgres writing to a closed socket.
 *
 * @module
 */

import { Socket } from "node:net";
import postgres from "postgres";
import { deadline, DeadlineError } from "./core/async.ts";
import { sqlState } from "./sinks/postgres_errors.ts";

/** The npm:postgres client a {@link PostgresPool} hands out. */
export type PostgresSql = postgres.Sql<Record<string, unknown>>;
type TransactionSql = postgres.TransactionSql<Record<string, unknown>>;
type TransactionFn = (tx: TransactionSql) => unknown;

/** Seconds npm:postgres waits for a connection (`connect_timeout`). */
export const CONNECT_TIMEOUT_SEC = 5;
/** The server's `statement_timeout` for every connection, in ms. */
const STATEMENT_TIMEOUT_MS = 10_000;

type SocketOptions = { host: string[]; port: number[] };

/** Options of {@link PostgresPool}. */
export interface PostgresPoolOptions {
  /** `application_name` the server shows for the connections. */
  applicationName: string;
  /** npm:postgres custom types (its `types` option). */
  types?: Record<string, postgres.PostgresType>;
  /** Sockets one operation may open; past this many it fails. @default 3 */
  socketsPerOperation?: number;
}

/**
 * A lazily created npm:postgres pool (at most 2 connections, no prepared
 * statements, no type fetch, notices ignored, `statement_timeout` 10 s).
 * Each operation starts with {@link PostgresPool.operation}, which resets
 * the socket budget; a socket past the budget fails the operation with code
 * `CONNECTION_REFUSED` and leaves that connection unusable, so a failed
 * operation's error goes to {@link PostgresPool.dropIfBroken} (which drops
 * the pool for it). Errors stay the caller's to map to its own type.
 *
 * `begin()` of the client is guarded. When the socket of a transaction's
 * connection closes (a network cut), npm:postgres 3.4.9 still sends the
 * transaction's `rollback` on that connection (index.js `scope()`); its
 * `execute()` only refuses a *terminated* connection, so `write()` schedules
 * `setImmediate(nextWrite)` and `socket.write` on the nulled socket throws
 * an uncaught TypeError (connection.js 157, 250, 255, 448). So when the
 * transaction's callback fails in a way that may mean a lost connection, the
 * guard first drops the pool and waits until `end()` has terminated every
 * connection; the rollback is then refused without a write, and `begin()`
 * rejects with the callback's error. (`savepoint()` and `reserve()` are not
 * guarded: tickgate uses neither.)
 *
 * @example Usage
 * ```ts
 * const pool = new PostgresPool("postgres://u:pw@127.0.0.1:5432/db", {
 *   applicationName: "tickgate",
 * });
 * const sql = pool.operation();
 * try {
 *   await pool.bounded(sql`select 1`, 15_000, "connect");
 * } catch (e) {
 *   pool.dropIfBroken(e); // DeadlineError: already dropped
 *   throw e;
 * }
 * await pool.close(5);
 * ```
 */
export class PostgresPool {
  readonly #url: string;
  readonly #options: PostgresPoolOptions;
  readonly #socketsPerOperation: number;
  #sql: PostgresSql | undefined;
  #sockets = 0;
  /** `end()` of each client ended so far, so that it runs once. */
  readonly #ended = new WeakMap<PostgresSql, Promise<void>>();

  /** `url` is a secret: it is only handed to npm:postgres. */
  constructor(url: string, options: PostgresPoolOptions) {
    this.#url = url;
    this.#options = options;
    this.#socketsPerOperation = options.socketsPerOperation ?? 3;
  }

  /** Starts an operation: resets the socket budget, returns the pool (created when needed). */
  operation(): PostgresSql {
    this.#sockets = 0;
    this.#sql ??= this.#create();
    return this.#sql;
  }

  /** Whether `sql` is still the pool (not dropped or closed since). */
  isCurrent(sql: PostgresSql): boolean {
    return this.#sql === sql;
  }

  /** Ends the pool at once; the next operation opens a new one. */
  drop(): void {
    if (this.#sql !== undefined) void this.#end(this.#sql, 0);
  }

  /**
   * Drops the pool after a failure that may leave a connection half open:
   * anything but a server error, or SQLSTATE class 08 or 57P.
   */
  dropIfBroken(e: unknown): void {
    if (mayBeBroken(e)) this.drop();
  }

  /**
   * Settles like `op`, or after `ms` drops the pool (it may hang
   * mid-transaction) and rejects with the {@link DeadlineError}.
   */
  async bounded<T>(op: Promise<T>, ms: number, what: string): Promise<T> {
    try {
      return await deadline(op, ms, what);
    } catch (e) {
      if (e instanceof DeadlineError) this.drop();
      throw e;
    }
  }

  /** Ends the pool, waiting up to `timeoutSec` for running queries. */
  async close(timeoutSec: number): Promise<void> {
    if (this.#sql !== undefined) await this.#end(this.#sql, timeoutSec);
  }

  /**
   * Ends `sql` (no longer the pool); settles once npm:postgres has
   * terminated each of its connections. A second call, also for another
   * timeout, gets the first one's promise.
   */
  #end(sql: PostgresSql, timeoutSec: number): Promise<void> {
    if (this.#sql === sql) this.#sql = undefined;
    let ended = this.#ended.get(sql);
    if (ended === undefined) {
      ended = sql.end({ timeout: timeoutSec }).catch(() => {});
      this.#ended.set(sql, ended);
    }
    return ended;
  }

  /** Replaces `sql.begin` by the guarded one (see the class). */
  #guardTransactions(sql: PostgresSql): PostgresSql {
    const begin = sql.begin;
    const guarded = async (
      ...args: [TransactionFn] | [string, TransactionFn]
    ) => {
      const fn = args.length === 1 ? args[0] : args[1];
      let lost: { error: unknown } | undefined;
      const guard = async (tx: TransactionSql) => {
        try {
          const x = fn(tx);
          return await (Array.isArray(x) ? Promise.all(x) : x);
        } catch (e) {
          if (mayBeBroken(e)) {
            lost = { error: e };
            await this.#end(sql, 0); // before npm:postgres sends `rollback`
          }
          throw e;
        }
      };
      try {
        return await (args.length === 1 ? begin(guard) : begin(args[0], guard));
      } catch (e) {
        // not the refused rollback's CONNECTION_DESTROYED
        throw lost === undefined ? e : lost.error;
      }
    };
    sql.begin = guarded as PostgresSql["begin"];
    return sql;
  }

  #create(): PostgresSql {
    const { applicationName, types } = this.#options;
    const sql = postgres(this.#url, {
      max: 2,
      connect_timeout: CONNECT_TIMEOUT_SEC,
      prepare: false,
      fetch_types: false,
      onnotice: () => {},
      connection: {
        application_name: applicationName,
        statement_timeout: STATEMENT_TIMEOUT_MS,
        idle_in_transaction_session_timeout: 2 * STATEMENT_TIMEOUT_MS,
      },
      ...(types === undefined ? {} : { types }),
      // documented, missing from the typings
      ...{ socket: (o: SocketOptions) => this.#socket(o) } as object,
    }) as unknown as PostgresSql;
    return this.#guardTransactions(sql);
  }

  /** Opens a socket for npm:postgres (it writes before `connect` fires). */
  #socket(o: SocketOptions): Socket {
    const n = this.#sockets++;
    if (n >= this.#socketsPerOperation) {
      throw Object.assign(new Error("the server closes new connections"), {
        code: "CONNECTION_REFUSED",
      });
    }
    const i = n % o.host.length;
    return new Socket().connect(o.port[i] ?? 5432, o.host[i] ?? "localhost");
  }
}

/**
 * Whether a failure may leave a connection half open or closed: anything but
 * a server error, or SQLSTATE class 08 or 57P.
 */
function mayBeBroken(e: unknown): boolean {
  const code = sqlState(e);
  return code === undefined || /^(08|57P)/.test(code);
}
