/**
 * Picks the store from configuration: PostgreSQL when `DATABASE_URL` is set,
 * else SQLite under `DATA_DIR`.
 *
 * @module
 */

import { redactUrl } from "../sinks/url.ts";
import { SqliteStore } from "./sqlite.ts";
import { type Store, StoreError } from "./types.ts";

/** What {@link createStore} needs from configuration. */
export interface CreateStoreOptions {
  /**
   * `DATABASE_URL`: `postgres://` or `postgresql://`; a `schema=` query
   * option places the tables (default `public`). A secret.
   */
  databaseUrl?: string | undefined;
  /** `DATA_DIR`, for the SQLite file. */
  dataDir: string;
}

/**
 * The configured store, not yet opened. Throws {@link StoreError} for a
 * `DATABASE_URL` it cannot use (credentials redacted in the text).
 *
 * @example Usage
 * ```ts
 * const store = await createStore({ databaseUrl: Deno.env.get("DATABASE_URL"), dataDir: "./data" });
 * store.kind; // "sqlite" unless DATABASE_URL is set
 * ```
 */
export async function createStore(
  options: CreateStoreOptions,
): Promise<Store> {
  const url = options.databaseUrl?.trim() ?? "";
  if (url === "") return new SqliteStore({ dataDir: options.dataDir });
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new StoreError(
      `DATABASE_URL must start with postgres:// or postgresql://, got "${
        redactUrl(url)
      }"`,
      "postgres",
    );
  }
  const q = url.indexOf("?");
  const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
  const schema = params.get("schema");
  // npm:postgres is loaded only when the store is in PostgreSQL.
  const { PostgresStore } = await import("./postgres.ts");
  if (schema === null) return new PostgresStore({ url });
  // tickgate's own option: npm:postgres would send it to the server
  params.delete("schema");
  const rest = params.toString();
  const base = url.slice(0, q) + (rest === "" ? "" : `?${rest}`);
  return new PostgresStore({ url: base, schema });
}
