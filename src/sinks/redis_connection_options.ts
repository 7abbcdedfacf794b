/**
 * What a `RedisConnection` connects with, read from a `redis://` or
 * `rediss://` URL the same way the ioredis client behind `tickgate tail`
 * reads it.
 *
 * @module
 */

import { REDIS_TIMEOUT_MS, redisClientOptions } from "./redis_client.ts";

/** Where and how to connect; {@link redisConnectionOptions} builds it from a URL. */
export interface RedisConnectionOptions {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Database index; SELECTed when not 0. */
  db: number;
  /** ACL user name (AUTH user pass), when set. */
  username?: string;
  /** Password (AUTH [user] pass), when set. */
  password?: string;
  /**
   * TLS (`rediss://`). `Deno.connectTls` sends `host` as the server name and
   * verifies the certificate against it, so there is nothing else to set.
   */
  tls?: true;
  /** Sent as CLIENT SETNAME when set. */
  connectionName?: string;
  /** How long connecting and the handshake may take, ms. */
  connectTimeoutMs?: number;
}

/**
 * Connection options for a `redis://` or `rediss://` URL, derived by
 * {@link redisClientOptions} (so both clients read URLs alike); throws its
 * `TypeError` on a bad URL.
 *
 * @example Usage
 * ```ts
 * const conn = await RedisConnection.open(
 *   redisConnectionOptions("redis://127.0.0.1:6379/0", "tickgate-main"),
 * );
 * ```
 */
export function redisConnectionOptions(
  url: string,
  connectionName?: string,
): RedisConnectionOptions {
  const o = redisClientOptions(url);
  const out: RedisConnectionOptions = {
    host: o.host ?? "127.0.0.1",
    port: o.port ?? 6379,
    db: o.db ?? 0,
    connectTimeoutMs: o.connectTimeout ?? REDIS_TIMEOUT_MS,
  };
  if (o.username !== undefined) out.username = o.username;
  if (o.password !== undefined) out.password = o.password;
  if (o.tls !== undefined) out.tls = true;
  if (connectionName !== undefined) out.connectionName = connectionName;
  return out;
}
