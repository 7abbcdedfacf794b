/**
 * Redis Streams sink driver: one pipelined `XADD … MAXLEN ~ N` per event,
 * one pipeline per batch encoded into one reused buffer and written at once
 * over tickgate's own RESP2 connection ({@link RedisConnection}), every
 * reply checked. Connections are made on demand: after a failure the
 * connection is dropped and the next `connect()` or `send()` opens a fresh
 * one; no reconnect loop runs inside.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { deadline } from "../core/async.ts";
import type { NormalizedEvent } from "../core/events.ts";
import { log } from "../logging.ts";
import { REDIS_TIMEOUT_MS, redisClientOptions } from "./redis_client.ts";
import { RedisConnection } from "./redis_connection.ts";
import {
  type RedisConnectionOptions,
  redisConnectionOptions,
} from "./redis_connection_options.ts";
import {
  appendCanonicalFields,
  appendFlatFields,
  KeyTemplateError,
  type KeyTemplates,
  keyTemplates,
  type RedisFormat,
  renderKey,
} from "./redis_format.ts";
import { RedisReplyError, type Reply } from "./resp_reader.ts";
import { RespWriter } from "./resp_writer.ts";
import { DeliveryError, type SinkContext, type SinkDriver } from "./types.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

/** Reply prefixes that mean the data itself is refused: retrying cannot help. */
const PERMANENT_REPLIES = ["WRONGTYPE"];

/** The `maxlen` option, else `STREAM_MAXLEN`; 0 means no cap. */
function maxlenOf(spec: SinkSpec, ctx: SinkContext | undefined): number {
  const raw = spec.options["maxlen"];
  if (raw === undefined) return ctx?.streamMaxlen ?? 10_000;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new SinkUrlError(
      redactUrl(spec.url),
      `maxlen must be a non-negative integer (0 = no cap), got "${raw}"`,
    );
  }
  return Number(raw);
}

function templatesOf(spec: SinkSpec): KeyTemplates {
  try {
    return keyTemplates(spec.options["key"]);
  } catch (e) {
    if (e instanceof KeyTemplateError) {
      throw new SinkUrlError(redactUrl(spec.url), `option key: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Checks the sink URL's Redis Streams options (`key` template, `maxlen`) and
 * the URL itself (host, database number); throws `SinkUrlError`.
 *
 * @example Usage
 * ```ts
 * validateRedisStreamsOptions(parseSinkUrl("redis://h:6379/0?maxlen=-1", 1)); // throws
 * ```
 */
export function validateRedisStreamsOptions(spec: SinkSpec): void {
  templatesOf(spec);
  maxlenOf(spec, undefined);
  try {
    redisClientOptions(spec.target);
  } catch (e) {
    throw new SinkUrlError(
      redactUrl(spec.url),
      errorText(e),
    );
  }
}

/**
 * Creates the Redis Streams driver for a sink URL.
 *
 * @example Usage
 * ```ts
 * const spec = parseSinkUrl("redis://127.0.0.1:6379/0?key=md:{kind}:{native}", 1);
 * const driver = createRedisStreamsDriver(spec, { streamMaxlen: 10000, webhookToken: undefined });
 * await driver.connect();
 * await driver.send(events);
 * await driver.close();
 * ```
 */
export function createRedisStreamsDriver(
  spec: SinkSpec,
  ctx: SinkContext,
): SinkDriver {
  validateRedisStreamsOptions(spec);
  return new RedisStreamsDriver(spec, ctx);
}

/**
 * The Redis Streams {@link SinkDriver}: XADD per event, pipelined per batch.
 *
 * @example Usage
 * ```ts
 * const driver = new RedisStreamsDriver(spec, ctx);
 * await driver.send(batch); // rejects with DeliveryError on failure
 * ```
 */
export class RedisStreamsDriver implements SinkDriver {
  readonly #options: RedisConnectionOptions;
  readonly #shown: string;
  readonly #templates: KeyTemplates;
  readonly #format: RedisFormat;
  /** `MAXLEN ~ N` arguments, or none when uncapped. */
  readonly #trim: readonly string[];
  readonly #maxlen: number;
  readonly #log;
  readonly #keys = new Set<string>();
  #lastKey: string | undefined;
  #client: RedisConnection | undefined;
  #connecting: Promise<RedisConnection> | undefined;
  #closed = false;
  /** The batch's encoded commands; reused (a dropped connection may still be writing an old one). */
  #writer = new RespWriter();
  /** One event's XADD arguments, reused. */
  readonly #args: string[] = [];

  readonly #timeoutMs: number;

  /**
   * @param spec a parsed `redis://` or `rediss://` sink URL
   * @param timeoutMs how long one batch's pipeline may take before the
   * connection is dropped and the batch fails (retryable)
   */
  constructor(spec: SinkSpec, ctx: SinkContext, timeoutMs = REDIS_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
    this.#shown = redactUrl(spec.target);
    this.#templates = templatesOf(spec);
    this.#maxlen = maxlenOf(spec, ctx);
    this.#trim = this.#maxlen > 0 ? ["MAXLEN", "~", String(this.#maxlen)] : [];
    this.#format = spec.format === "canonical" ? "canonical" : "flat";
    this.#log = log("sink", spec.name);
    // One deadline per batch, none per command.
    this.#options = redisConnectionOptions(
      spec.target,
      `tickgate-${spec.name.replace(/[^\w.-]/g, "_")}`,
    );
  }

  /** Connects unless connected; rejects with a retryable DeliveryError. */
  async connect(): Promise<void> {
    await this.#ready();
  }

  /** XADDs every event of the batch in one pipeline and checks each reply. */
  async send(batch: readonly NormalizedEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const client = await this.#ready();
    const keys: string[] = new Array(batch.length);
    const templates = this.#templates;
    const trim = this.#trim;
    const canonical = this.#format === "canonical";
    const writer = this.#writer;
    const args = this.#args;
    writer.reset();
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      const key = renderKey(templates[event.kind], event);
      args.length = 0;
      args.push("XADD", key);
      for (let j = 0; j < trim.length; j++) args.push(trim[j]!);
      args.push("*");
      if (canonical) appendCanonicalFields(event, args);
      else appendFlatFields(event, args);
      writer.command(args);
      keys[i] = key;
    }
    args.length = 0;
    let replies: Reply[];
    try {
      replies = await deadline(
        client.send(writer.bytes(), batch.length),
        this.#timeoutMs,
        `XADD of ${batch.length} events`,
      );
    } catch (e) {
      this.#drop(client);
      // The dropped socket may still hold the old buffer: encode into a new one.
      this.#writer = new RespWriter();
      throw new DeliveryError(`XADD to ${this.#shown} failed: ${errorText(e)}`);
    }
    const error = replyError(this.#shown, replies, keys);
    if (error !== undefined) {
      if (!error.permanent) this.#drop(client);
      throw error;
    }
    for (let i = 0; i < keys.length; i++) this.#keys.add(keys[i]!);
    this.#lastKey = keys[keys.length - 1];
  }

  /** Closes the connection (QUIT when connected, else at once). */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#connecting = undefined;
    if (client === undefined) return;
    await client.close();
  }

  /** Distinct stream keys written, the last one, and the trim cap. */
  details(): Record<string, unknown> {
    return {
      streams: this.#keys.size,
      lastKey: this.#lastKey,
      maxlen: this.#maxlen,
      format: this.#format,
    };
  }

  /** The connected client, connecting (once, shared) when needed. */
  #ready(): Promise<RedisConnection> {
    const client = this.#client;
    if (client !== undefined && client.usable) {
      return Promise.resolve(client);
    }
    if (client !== undefined) this.#drop(client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(): Promise<RedisConnection> {
    let client: RedisConnection;
    try {
      client = await RedisConnection.open(this.#options);
    } catch (e) {
      const why = errorText(e);
      this.#log.debug("Redis connection error: {error}", { error: why });
      throw new DeliveryError(`cannot connect to ${this.#shown}: ${why}`);
    }
    if (this.#closed) {
      void client.close();
      throw new DeliveryError(`sink closed while connecting to ${this.#shown}`);
    }
    this.#client = client;
    this.#log.info("Connected to {target}", { target: this.#shown });
    return client;
  }

  /** Forgets a client after a connection-level failure; the next call reconnects. */
  #drop(client: RedisConnection): void {
    if (this.#client === client) this.#client = undefined;
    client.abort();
  }
}

/** The DeliveryError for a pipeline's replies, or undefined when all succeeded. */
function replyError(
  shown: string,
  replies: readonly Reply[],
  keys: readonly string[],
): DeliveryError | undefined {
  if (replies.length !== keys.length) {
    return new DeliveryError(`XADD to ${shown}: missing replies`);
  }
  let failed = 0;
  let dataOnly = true;
  let first = "";
  for (let i = 0; i < replies.length; i++) {
    const err = replies[i];
    if (!(err instanceof RedisReplyError)) continue;
    failed++;
    if (!isDataError(err)) dataOnly = false;
    if (first === "") first = `key "${keys[i]}": ${errorText(err)}`;
  }
  if (failed === 0) return undefined;
  return new DeliveryError(
    `XADD to ${shown} failed for ${failed} of ${keys.length} events; first: ${first}`,
    { permanent: dataOnly },
  );
}

/** A Redis error reply saying the data itself is refused. */
function isDataError(err: RedisReplyError): boolean {
  for (const p of PERMANENT_REPLIES) if (err.message.startsWith(p)) return true;
  return false;
}
