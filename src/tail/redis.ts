/**
 * `tickgate tail redis://…`: reads Redis Streams back with XREVRANGE (the
 * last entries) and XREAD BLOCK (follow), never with consumer groups, so
 * nothing other consumers would read is acknowledged or removed.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { Redis } from "ioredis";
import { connectRedis, redisClientOptions } from "../sinks/redis_client.ts";
import { redactUrl } from "../sinks/url.ts";
import {
  type TailBackend,
  TailError,
  type TailOptions,
  type TailRecord,
} from "./types.ts";

/** How long one XREAD blocks, ms: the longest an abort waits to be seen. */
export const FOLLOW_BLOCK_MS = 1000;

/** Entries read per XREAD while following. */
const FOLLOW_BATCH = 1000;

/** One stream entry as ioredis returns it (RESP2): id and flat fields. */
type Entry = [id: string, fields: string[]];

/**
 * Reads Redis Streams for `tickgate tail`. The URL is
 * `redis://[user:pass@]host:port/db` or `rediss://…`; a query string (sink
 * options) is ignored.
 *
 * @example Usage
 * ```ts
 * const tail = new RedisTail("redis://127.0.0.1:6379/0");
 * const ac = new AbortController();
 * await tail.read("trades:BTCUSDT", { count: 5, follow: false, signal: ac.signal },
 *   (r) => console.log(r.position, r.value));
 * await tail.close();
 * ```
 */
export class RedisTail implements TailBackend {
  readonly #client: Redis;
  readonly #shown: string;
  #connected: Promise<void> | undefined;

  /** @param url a `redis://` or `rediss://` URL; throws TailError when malformed */
  constructor(url: string) {
    const base = url.replace(/[?#].*$/, "");
    this.#shown = redactUrl(base);
    try {
      this.#client = new Redis(redisClientOptions(base));
    } catch (e) {
      throw new TailError(`cannot use ${this.#shown}: ${errorText(e)}`);
    }
    this.#client.on("error", () => {
      // surfaced through the failing command instead
    });
  }

  /** Every key of type stream (SCAN … TYPE stream), sorted. */
  async list(): Promise<string[]> {
    await this.#connect();
    const keys = new Set<string>();
    let cursor = "0";
    do {
      const [next, batch] = await this.#run(() =>
        this.#client.scan(cursor, "COUNT", 1000, "TYPE", "stream")
      );
      for (const k of batch) keys.add(k);
      cursor = next;
    } while (cursor !== "0");
    return [...keys].sort();
  }

  /**
   * Emits the last `count` entries of `stream`, oldest first, then with
   * `follow` new entries until `signal` aborts. Throws {@link TailError}
   * when the key is missing or not a stream, or Redis fails.
   */
  async read(
    stream: string,
    options: TailOptions,
    emit: (record: TailRecord) => void,
  ): Promise<void> {
    await this.#connect();
    const type = await this.#run(() => this.#client.type(stream));
    if (type === "none") {
      throw new TailError(
        `stream "${stream}" does not exist on ${this.#shown}`,
      );
    }
    if (type !== "stream") {
      throw new TailError(
        `key "${stream}" on ${this.#shown} is a ${type}, not a stream`,
      );
    }
    const count = Math.max(0, Math.floor(options.count));
    const last = await this.#run(() =>
      this.#client.xrevrange(stream, "+", "-", "COUNT", Math.max(count, 1))
    ) as Entry[];
    let lastId = last[0]?.[0] ?? "0-0";
    for (let i = Math.min(count, last.length) - 1; i >= 0; i--) {
      emit(record(stream, last[i]!));
    }
    const { signal } = options;
    while (options.follow && !signal.aborted) {
      const reply = await this.#run(() =>
        this.#client.call("XREAD", [
          "COUNT",
          FOLLOW_BATCH,
          "BLOCK",
          FOLLOW_BLOCK_MS,
          "STREAMS",
          stream,
          lastId,
        ])
      ) as [string, Entry[]][] | null;
      if (signal.aborted) break;
      for (const entry of reply?.[0]?.[1] ?? []) {
        emit(record(stream, entry));
        lastId = entry[0];
      }
    }
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (this.#client.status === "ready") {
      try {
        await this.#client.quit();
        return;
      } catch {
        // fall through
      }
    }
    this.#client.disconnect();
  }

  #connect(): Promise<void> {
    this.#connected ??= connectRedis(this.#client).catch((e) => {
      this.#connected = undefined;
      this.#client.disconnect();
      throw new TailError(`cannot connect to ${this.#shown}: ${errorText(e)}`);
    });
    return this.#connected;
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (e) {
      throw new TailError(`Redis ${this.#shown}: ${errorText(e)}`);
    }
  }
}

/**
 * A {@link TailBackend} for a Redis URL.
 *
 * @example Usage
 * ```ts
 * const backend = redisTail("redis://127.0.0.1:6379/0");
 * console.log(await backend.list());
 * await backend.close();
 * ```
 */
export function redisTail(url: string): TailBackend {
  return new RedisTail(url);
}

function record(stream: string, [id, fields]: Entry): TailRecord {
  const value: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    value[fields[i]!] = fields[i + 1]!;
  }
  return { stream, position: id, value };
}
