/**
 * `tickgate tail`: picks the reader for a broker URL and prints what it
 * reads as NDJSON, one record per line.
 *
 * @module
 */

import { redactUrl } from "../sinks/url.ts";
import { amqpTail } from "./amqp.ts";
import { kafkaTail } from "./kafka.ts";
import { redisTail } from "./redis.ts";
import { type TailBackend, TailError, type TailOptions } from "./types.ts";

/** URL schemes `tickgate tail` reads. */
export const TAIL_SCHEMES = ["redis", "rediss", "kafka", "amqp", "amqps"];

/**
 * The reader for `url`'s scheme; {@link TailError} for any other scheme.
 *
 * @example Usage
 * ```ts
 * const tail = openTail("redis://127.0.0.1:6379/0");
 * console.log(await tail.list());
 * await tail.close();
 * ```
 */
export function openTail(url: string): TailBackend {
  const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "redis":
    case "rediss":
      return redisTail(url);
    case "kafka":
      return kafkaTail(url);
    case "amqp":
    case "amqps":
      return amqpTail(url);
    default:
      throw new TailError(
        `cannot tail "${redactUrl(url)}": expected a ${
          TAIL_SCHEMES.join(", ")
        } URL`,
      );
  }
}

/**
 * Lists streams (`stream` undefined) or prints records of one, each as one
 * JSON line through `print`, until done or `options.signal` aborts.
 *
 * @example Usage
 * ```ts
 * await runTail("kafka://127.0.0.1:9092", "tickgate.trade",
 *   { count: 10, follow: false, signal: AbortSignal.timeout(60_000) },
 *   console.log);
 * ```
 */
export async function runTail(
  url: string,
  stream: string | undefined,
  options: TailOptions,
  print: (line: string) => void,
): Promise<void> {
  const tail = openTail(url);
  try {
    if (stream === undefined) {
      for (const name of await tail.list()) print(name);
      return;
    }
    await tail.read(stream, options, (r) => print(JSON.stringify(r)));
  } finally {
    await tail.close();
  }
}
