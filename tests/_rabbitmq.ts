/**
 * Reading back what the RabbitMQ sink published, with amqplib, for the
 * driver tests and the end-to-end tests alike.
 *
 * @module
 */

import amqp from "amqplib";
import type { Channel, ChannelModel, GetMessage } from "amqplib";
import type { NormalizedEvent } from "../src/core/events.ts";
import { QUEUE_CLASSES } from "../src/sinks/rabbitmq_topology.ts";

/**
 * A broker connection of the test's own; disposing it deletes the
 * exchange's class queues and the exchange.
 */
export async function broker(
  url: string,
  exchange: string,
): Promise<{ conn: ChannelModel; ch: Channel } & AsyncDisposable> {
  const conn = await amqp.connect(url);
  conn.on("error", () => {});
  const ch = await conn.createChannel();
  return {
    conn,
    ch,
    async [Symbol.asyncDispose]() {
      const c = await conn.createChannel();
      for (const q of QUEUE_CLASSES) {
        await c.deleteQueue(`${exchange}.${q.name}`);
      }
      await c.deleteExchange(exchange);
      await conn.close();
    },
  };
}

/** Takes every message of `queue` (acknowledged). */
export async function drain(
  ch: Channel,
  queue: string,
): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m);
  }
}

/** Every field the driver sets, as read back with amqplib. */
export function wire(m: GetMessage) {
  return {
    exchange: m.fields.exchange,
    routingKey: m.fields.routingKey,
    body: m.content.toString(),
    contentType: m.properties.contentType,
    deliveryMode: m.properties.deliveryMode,
    messageId: m.properties.messageId,
    type: m.properties.type,
    timestamp: m.properties.timestamp,
  };
}

/** What {@link wire} must read for `e` published to `exchange`. */
export function expectedWire(exchange: string, e: NormalizedEvent) {
  return {
    exchange,
    routingKey: `${e.kind}.${e.venue}.${e.symbol}`,
    body: JSON.stringify(e),
    contentType: "application/json",
    deliveryMode: 2,
    messageId: e.id,
    type: e.kind,
    timestamp: Math.floor(e.receivedTs / 1000),
  };
}
