/**
 * `tickgate tail amqp://…[?exchange=NAME]`: reads the RabbitMQ sink's class
 * queues back without taking anything from their consumers. Without
 * `--follow` it peeks at the first (oldest) `count` messages of a queue with
 * basic.get and closes the channel without acknowledging them, so they are
 * requeued in their places; with `--follow` it binds an exclusive,
 * auto-deleted queue of its own to the exchange and prints what arrives.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import type { Channel, ChannelModel, Message } from "amqplib";
import { closeConnection, openConnection } from "../sinks/rabbitmq_channel.ts";
import {
  classOfQueue,
  DEFAULT_EXCHANGE,
  QUEUE_CLASSES,
  queueName,
} from "../sinks/rabbitmq_topology.ts";
import { redactUrl } from "../sinks/url.ts";
import {
  type TailBackend,
  TailError,
  type TailOptions,
  type TailRecord,
} from "./types.ts";

/** One class queue's state, from a passive declare. */
export interface AmqpQueueDepth {
  queue: string;
  /** Messages ready in the queue. */
  depth: number;
  consumers: number;
}

/**
 * Creates the RabbitMQ tail backend for a URL; `?exchange=NAME` picks the
 * exchange (default `tickgate`), other query options are ignored.
 *
 * @example Usage
 * ```ts
 * const tail = amqpTail("amqp://guest:guest@127.0.0.1:5672/?exchange=tickgate");
 * console.log(await tail.list()); // ["tickgate.tickers", "tickgate.trades", …]
 * await tail.close();
 * ```
 */
export function amqpTail(url: string): TailBackend {
  return new AmqpTail(url);
}

/**
 * Reads the class queues `<exchange>.trades`, `.tickers`, … of one exchange.
 * A STREAM is a class queue (`tickgate.trades`, or just `trades`); with
 * `--follow` any other STREAM is a binding pattern such as
 * `trade.binance.*`.
 *
 * @example Usage
 * ```ts
 * const tail = new AmqpTail("amqp://guest:guest@127.0.0.1:5672/");
 * const ac = new AbortController();
 * await tail.read("tickgate.trades", { count: 5, follow: false, signal: ac.signal },
 *   (r) => console.log(r.key, r.value));
 * await tail.close();
 * ```
 */
export class AmqpTail implements TailBackend {
  readonly #url: string;
  readonly #shown: string;
  readonly #exchange: string;
  #conn: Promise<ChannelModel> | undefined;

  /** @param url `amqp(s)://user:pass@host:port/vhost[?exchange=NAME]` */
  constructor(url: string) {
    const q = url.indexOf("?");
    const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
    this.#exchange = params.get("exchange") || DEFAULT_EXCHANGE;
    this.#url = q === -1 ? url : url.slice(0, q);
    this.#shown = redactUrl(this.#url);
  }

  /** The class queues of the exchange that exist, sorted. */
  async list(): Promise<string[]> {
    return (await this.depths()).map((d) => d.queue).sort();
  }

  /** Depth and consumers of every class queue that exists. */
  async depths(): Promise<AmqpQueueDepth[]> {
    const out: AmqpQueueDepth[] = [];
    for (const c of QUEUE_CLASSES) {
      const queue = queueName(this.#exchange, c.name);
      const reply = await this.#passive(queue);
      if (reply !== undefined) out.push({ queue, ...reply });
    }
    return out;
  }

  /**
   * Without `follow`: emits the first `count` messages of the queue and puts
   * them back. With `follow`: emits messages routed to the class (or matching
   * the pattern) from now on, until `signal` aborts. Throws
   * {@link TailError} when the queue or exchange is missing or RabbitMQ
   * cannot be reached.
   */
  async read(
    stream: string,
    options: TailOptions,
    emit: (record: TailRecord) => void,
  ): Promise<void> {
    if (options.follow) return await this.#follow(stream, options, emit);
    const cls = classOfQueue(this.#exchange, stream);
    const queue = cls === undefined
      ? stream
      : queueName(this.#exchange, cls.name);
    if (await this.#passive(queue) === undefined) {
      const have = await this.list();
      throw new TailError(
        `queue "${queue}" does not exist on ${this.#shown}; queues of exchange "${this.#exchange}": ${
          have.length === 0 ? "none" : have.join(", ")
        }`,
      );
    }
    const ch = await this.#channel();
    try {
      for (let i = 0; i < options.count && !options.signal.aborted; i++) {
        const m = await ch.get(queue, { noAck: false });
        if (m === false) break;
        emit(record(queue, m));
      }
    } catch (e) {
      throw new TailError(`cannot read "${queue}": ${errorText(e)}`);
    } finally {
      // Closing without acks requeues every peeked message in its place.
      await ch.close().catch(() => {});
    }
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn !== undefined) await conn.then(closeConnection, () => {});
  }

  async #follow(
    stream: string,
    { signal }: TailOptions,
    emit: (record: TailRecord) => void,
  ): Promise<void> {
    if (signal.aborted) return;
    const pattern = classOfQueue(this.#exchange, stream)?.binding ?? stream;
    const check = await this.#channel();
    try {
      await check.checkExchange(this.#exchange);
      await check.close();
    } catch {
      throw new TailError(
        `exchange "${this.#exchange}" does not exist on ${this.#shown}`,
      );
    }
    const ch = await this.#channel();
    let lost: ((e: Error) => void) | undefined;
    const closed = new Promise<void>((resolve, reject) => {
      lost = reject;
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    closed.catch(() => {}); // awaited below; may fail before that
    ch.on(
      "close",
      () => lost?.(new TailError(`lost the connection to ${this.#shown}`)),
    );
    try {
      const q = await ch.assertQueue("", {
        exclusive: true,
        autoDelete: true,
        durable: false,
      });
      await ch.bindQueue(q.queue, this.#exchange, pattern);
      await ch.consume(q.queue, (m) => {
        if (m !== null && !signal.aborted) emit(record(stream, m));
      }, { noAck: true });
      await closed;
    } catch (e) {
      throw e instanceof TailError
        ? e
        : new TailError(`cannot follow "${stream}": ${errorText(e)}`);
    } finally {
      lost = undefined;
      await ch.close().catch(() => {});
    }
  }

  /** messageCount and consumerCount, or undefined when the queue is missing. */
  async #passive(
    queue: string,
  ): Promise<{ depth: number; consumers: number } | undefined> {
    // A missing queue closes the channel: use a throwaway one each time.
    const ch = await this.#channel();
    try {
      const r = await ch.checkQueue(queue);
      return { depth: r.messageCount, consumers: r.consumerCount };
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw new TailError(`cannot check "${queue}": ${errorText(e)}`);
    } finally {
      await ch.close().catch(() => {});
    }
  }

  async #channel(): Promise<Channel> {
    if (this.#conn === undefined) {
      const opening = openConnection(this.#url, "tickgate tail").then((c) => {
        c.on("error", () => {});
        c.on("close", () => {
          if (this.#conn === opening) this.#conn = undefined;
        });
        return c;
      });
      this.#conn = opening;
    }
    const opening = this.#conn;
    let conn: ChannelModel;
    try {
      conn = await opening;
    } catch (e) {
      if (this.#conn === opening) this.#conn = undefined;
      throw new TailError(`cannot connect to ${this.#shown}: ${errorText(e)}`);
    }
    try {
      const ch = await conn.createChannel();
      ch.on("error", () => {}); // surfaced by the failing operation
      return ch;
    } catch (e) {
      throw new TailError(
        `cannot open a channel on ${this.#shown}: ${errorText(e)}`,
      );
    }
  }
}

function record(stream: string, m: Message): TailRecord {
  const body = m.content.toString();
  let value: unknown = body;
  try {
    value = JSON.parse(body);
  } catch {
    // not JSON: the text as is
  }
  return {
    stream,
    position: String(m.fields.deliveryTag),
    key: m.fields.routingKey,
    value,
  };
}
