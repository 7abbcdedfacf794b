/**
 * amqplib plumbing of the RabbitMQ sink (shared with `tickgate tail`):
 * opening and closing a connection and a confirm channel within bounded
 * time, declaring the topology on a channel, waiting for a channel to
 * drain, and the watchdog that fails a publish making no progress.
 *
 * @module
 */

import amqp from "amqplib";
import type { ChannelModel, ConfirmChannel } from "amqplib";
import { deadline } from "../core/async.ts";
import type { Topology } from "./rabbitmq_topology.ts";

/** Bound on connecting, declaring, and a batch's publish without progress. */
export const RABBITMQ_TIMEOUT_MS = 5_000;

/**
 * Settles like `work`, or rejects once the channel has made no progress (no
 * confirm, no drain) for {@link RABBITMQ_TIMEOUT_MS}: a large batch may take
 * longer than that in total, a dead connection may not.
 *
 * @example Usage
 * ```ts
 * await whileProgressing(ch, publishAll(ch, batch)); // rejects after 5 s without a confirm
 * ```
 */
export async function whileProgressing(
  ch: ConfirmChannel,
  work: Promise<void>,
): Promise<void> {
  let last = Date.now();
  const progress = () => {
    last = Date.now();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    const check = () => {
      const idle = Date.now() - last;
      if (idle < RABBITMQ_TIMEOUT_MS) {
        timer = setTimeout(check, RABBITMQ_TIMEOUT_MS - idle);
      } else reject(new Error(`no confirm within ${RABBITMQ_TIMEOUT_MS} ms`));
    };
    timer = setTimeout(check, RABBITMQ_TIMEOUT_MS);
  });
  ch.on("ack", progress);
  ch.on("drain", progress);
  try {
    await Promise.race([work, stalled]);
  } finally {
    clearTimeout(timer);
    ch.off("ack", progress);
    ch.off("drain", progress);
  }
}

/**
 * Resolves on the channel's 'drain', rejects when it closes first.
 *
 * @example Usage
 * ```ts
 * if (!ch.publish(exchange, key, body)) await drained(ch);
 * ```
 */
export function drained(ch: ConfirmChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      ch.off("close", onClose);
      resolve();
    };
    const onClose = () => {
      ch.off("drain", onDrain);
      reject(new Error("channel closed"));
    };
    ch.once("drain", onDrain);
    ch.once("close", onClose);
  });
}

/**
 * Asserts the durable topic exchange, the class queues (with their
 * arguments) and their bindings, within {@link RABBITMQ_TIMEOUT_MS}.
 *
 * @example Usage
 * ```ts
 * await declareTopology(ch, topology(rabbitMqOptions(spec)));
 * ```
 */
export async function declareTopology(
  ch: ConfirmChannel,
  t: Topology,
): Promise<void> {
  await deadline(
    (async () => {
      await ch.assertExchange(t.exchange, "topic", { durable: true });
      for (const q of t.queues) {
        await ch.assertQueue(q.queue, {
          durable: true,
          arguments: q.arguments,
        });
        await ch.bindQueue(q.queue, t.exchange, q.binding);
      }
    })(),
    RABBITMQ_TIMEOUT_MS,
    "RabbitMQ declare",
  );
}

/**
 * Opens a confirm channel on `conn` within {@link RABBITMQ_TIMEOUT_MS}.
 *
 * @example Usage
 * ```ts
 * const ch = await openConfirmChannel(await openConnection(url, "tickgate amqp-1"));
 * ```
 */
export function openConfirmChannel(
  conn: ChannelModel,
): Promise<ConfirmChannel> {
  return deadline(conn.createConfirmChannel(), RABBITMQ_TIMEOUT_MS);
}

/** Opens a connection within {@link RABBITMQ_TIMEOUT_MS}; a late one is closed. */
export async function openConnection(
  url: string,
  connectionName: string,
): Promise<ChannelModel> {
  const opening = amqp.connect(url, {
    timeout: RABBITMQ_TIMEOUT_MS,
    clientProperties: { connection_name: connectionName },
  });
  try {
    return await deadline(opening, RABBITMQ_TIMEOUT_MS, "RabbitMQ connect");
  } catch (e) {
    opening.then(closeConnection, () => {});
    throw e;
  }
}

/** Closes politely within 2 s, else destroys the socket; never rejects. */
export async function closeConnection(conn: ChannelModel): Promise<void> {
  conn.on("error", () => {});
  try {
    await deadline(conn.close(), 2_000, "RabbitMQ close");
  } catch {
    const inner = conn.connection as unknown as {
      stream?: { destroy?: () => void };
    };
    inner.stream?.destroy?.();
  }
}
