/**
 * A small client for the gateway's HTTP API in end-to-end tests, and a
 * throwaway PostgreSQL database per test (so `DATABASE_URL` tests never
 * touch each other's tables).
 *
 * @module
 */

import postgres from "postgres";

/** A response: status, JSON body (or `null`) and headers. */
export interface ApiResponse {
  status: number;
  body: Record<string, unknown> & { data?: unknown[] };
  headers: Headers;
}

/**
 * Calls `method path` on the gateway at `port`, with the `X-API-Key` header
 * when `key` is given; a JSON body when `body` is an object, as-is when a
 * string.
 *
 * @example Usage
 * ```ts ignore
 * const res = await api(gw.port, "POST", "/api/v1/subscriptions", { … }, "key");
 * ```
 */
export async function api(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers["x-api-key"] = key;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    ...(body === undefined
      ? {}
      : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    throw new Error(
      `${method} ${path}: ${res.status} with a non-JSON body: ${
        text.slice(0, 200)
      }`,
    );
  }
  return {
    status: res.status,
    body: parsed as ApiResponse["body"],
    headers: res.headers,
  };
}

/** A fresh database on the test PostgreSQL server, dropped on dispose. */
export interface ScratchDatabase {
  /** Its URL, for `DATABASE_URL`. */
  url: string;
  /** Runs a query on it. */
  sql: postgres.Sql;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates `tickgate_e2e_<random>` on the server `serverUrl` points at.
 *
 * @example Usage
 * ```ts ignore
 * await using db = await scratchDatabase((await service("postgres")).url);
 * ```
 */
export async function scratchDatabase(
  serverUrl: string,
): Promise<ScratchDatabase> {
  const name = `tickgate_e2e_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.href, { max: 1, onnotice: () => {} });
  return {
    url: url.href,
    sql,
    async [Symbol.asyncDispose]() {
      await sql.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
