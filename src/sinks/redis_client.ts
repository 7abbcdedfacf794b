/**
 * The Redis client settings tickgate uses wherever it talks to Redis (the
 * Redis Streams sink, `tickgate tail`): built from a `redis://` or
 * `rediss://` URL, with bounded timeouts and no reconnect loop inside
 * ioredis, and a connect step that proves Redis answers.
 *
 * @module
 */

import type { Redis, RedisOptions } from "ioredis";

/** Command and connect timeout of the sink's Redis client, ms. */
export const REDIS_TIMEOUT_MS = 5000;

/** ioredis options as its constructor accepts them (strict optional types). */
export type RedisClientOptions = Omit<RedisOptions, "replyMapping">;

/**
 * ioredis options for a `redis://[user:pass@]host:port/db` or `rediss://`
 * URL (its query string is ignored): lazy, no offline queue, no internal
 * reconnects, bounded command and connect timeouts, RESP2. Throws `TypeError`
 * naming the problem (without credentials) on a bad URL.
 *
 * @example Usage
 * ```ts
 * const client = new Redis(redisClientOptions("redis://127.0.0.1:6379/0"));
 * client.on("error", () => {});
 * await client.connect();
 * ```
 */
export function redisClientOptions(
  url: string,
  timeoutMs = REDIS_TIMEOUT_MS,
): RedisClientOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError("not a valid URL");
  }
  const tls = u.protocol === "rediss:";
  if (!tls && u.protocol !== "redis:") {
    throw new TypeError(`expected redis:// or rediss://, not ${u.protocol}//`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (host === "") throw new TypeError("a host is required");
  const path = u.pathname.replace(/^\/+|\/+$/g, "");
  if (path !== "" && !/^\d+$/.test(path)) {
    throw new TypeError(`database "${path}" is not a number`);
  }
  const options: RedisClientOptions = {
    host,
    port: u.port === "" ? 6379 : Number(u.port),
    db: path === "" ? 0 : Number(path),
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    disableClientInfo: true,
  };
  if (u.username !== "") options.username = decodeURIComponent(u.username);
  if (u.password !== "") options.password = decodeURIComponent(u.password);
  if (tls) {
    options.tls = /^[\d.]+$|:/.test(host) ? {} : { servername: host };
  }
  return options;
}

/**
 * Connects a client made from {@link redisClientOptions}: connect, then an
 * explicit SELECT (ioredis only reports a failed handshake SELECT as an
 * 'error' event and would write to db 0), then PING so a listener that is
 * not Redis is found now; an error reply to PING (e.g. NOPERM) still proves
 * Redis answers.
 *
 * @example Usage
 * ```ts
 * const client = new Redis(redisClientOptions(url));
 * client.on("error", () => {});
 * await connectRedis(client);
 * ```
 */
export async function connectRedis(client: Redis): Promise<void> {
  await client.connect();
  const db = client.options.db ?? 0;
  if (db !== 0) await client.select(db);
  try {
    await client.ping();
  } catch (e) {
    if (!(e instanceof Error) || e.name !== "ReplyError") throw e;
  }
}
