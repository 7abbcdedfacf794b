/**
 * A table lock held on a real PostgreSQL, so that a test can stop a
 * transaction half way (its INSERT waits on the lock) and cut its connection
 * at that moment.
 *
 * @example Usage
 * ```ts ignore
 * const lock = await lockTable(admin, `"${schema}".trades`);
 * try {
 *   const sending = driver.send(batch).catch((e) => e);
 *   await lock.waiter("tickgate");
 *   proxy.cut();
 * } finally {
 *   await lock.release();
 * }
 * ```
 *
 * @module
 */

import type postgres from "postgres";
import { delay } from "../src/core/async.ts";

/** A lock from {@link lockTable}. */
export interface TableLock {
  /**
   * Resolves once a session of `applicationName` (whose query contains
   * `queryPart`, if given) waits on a lock; after 5 s it resolves anyway.
   */
  waiter(applicationName: string, queryPart?: string): Promise<void>;
  /** Rolls the lock's transaction back and returns its connection. */
  release(): Promise<void>;
}

/** Takes an ACCESS EXCLUSIVE lock on `table` (quoted as needed) in a reserved connection of `sql`. */
export async function lockTable(
  sql: postgres.Sql,
  table: string,
): Promise<TableLock> {
  const locker = await sql.reserve();
  try {
    await locker`begin`;
    await locker.unsafe(`lock table ${table} in access exclusive mode`);
  } catch (e) {
    locker.release();
    throw e;
  }
  return {
    async waiter(applicationName, queryPart = "") {
      for (let i = 0; i < 250; i++) {
        const waiting = await sql`select 1 from pg_stat_activity
          where application_name = ${applicationName}
          and wait_event_type = 'Lock' and query like ${`%${queryPart}%`}`;
        if (waiting.length > 0) return;
        await delay(20);
      }
    },
    async release() {
      await locker`rollback`;
      locker.release();
    },
  };
}
