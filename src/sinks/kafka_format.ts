/**
 * Pure parts of the Kafka sink's messages: the records one batch becomes,
 * grouped per topic (`canonical` JSON or the dashboard `tick`). The sink
 * URL's options and topic names live in `kafka_options.ts`. No I/O here.
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";
import {
  type KafkaFormat,
  renderTopic,
  type TopicTemplate,
} from "./kafka_options.ts";

/** One Kafka record: key, value and headers, all strings. */
export interface KafkaMessage {
  key: string;
  value: string;
  headers: { id: string; kind: string; venue: string };
}

/** One batch as kafkajs `sendBatch` takes it, grouped per topic. */
export interface KafkaBatch {
  topicMessages: { topic: string; messages: KafkaMessage[] }[];
  /** Events the format does not carry (skipped, not sent). */
  skipped: number;
}

/**
 * Epoch ms (microseconds as the fraction) as ISO 8601 with six fraction
 * digits and a `+00:00` offset, like Python's `datetime.isoformat()`.
 *
 * @example Usage
 * ```ts
 * isoMicros(1795341600123.456); // "2026-11-22T10:00:00.123456+00:00"
 * ```
 */
export function isoMicros(ms: number): string {
  const micros = Math.round(ms * 1000);
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  return new Date(secs * 1000).toISOString().slice(0, 19) + "." +
    String(frac).padStart(6, "0") + "+00:00";
}

/**
 * The `tick` value of a trade (price, size) or ticker (last, lastSize):
 * `{"symbol","price","volume","timestamp"}` in that order, `symbol` the
 * base asset. `undefined` for other kinds, tickers without a last price or
 * size, and prices that are not numbers.
 *
 * @example Usage
 * ```ts
 * tickValue(trade);
 * // '{"symbol":"BTC","price":77302.99,"volume":45,"timestamp":"2026-11-22T10:00:00.123456+00:00"}'
 * ```
 */
export function tickValue(e: NormalizedEvent): string | undefined {
  let price: number;
  let volume: number;
  if (e.kind === "trade") {
    price = Number(e.price);
    volume = Number(e.size);
  } else if (e.kind === "ticker") {
    if (e.last === "" || e.lastSize === undefined || e.lastSize === "") {
      return undefined;
    }
    price = Number(e.last);
    volume = Number(e.lastSize);
  } else {
    return undefined;
  }
  if (!Number.isFinite(price) || !Number.isFinite(volume)) return undefined;
  const dash = e.symbol.indexOf("-");
  const base = dash < 0 ? e.symbol : e.symbol.slice(0, dash);
  return `{"symbol":${
    JSON.stringify(base)
  },"price":${price},"volume":${volume},"timestamp":"${
    isoMicros(e.exchangeTs)
  }"}`;
}

/**
 * Turns events into records grouped per topic, in order: key = the unified
 * symbol, headers `id`, `kind`, `venue`, value per `format`.
 *
 * @example Usage
 * ```ts
 * const { topicMessages, skipped } = buildKafkaBatch(events, "canonical", t);
 * await producer.sendBatch({ topicMessages, acks: -1 });
 * ```
 */
export function buildKafkaBatch(
  events: readonly NormalizedEvent[],
  format: KafkaFormat,
  topic: TopicTemplate,
): KafkaBatch {
  const byTopic = new Map<string, KafkaMessage[]>();
  const fixed = topic.slots.length === 0 ? topic.source : undefined;
  let skipped = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const value = format === "tick" ? tickValue(e) : JSON.stringify(e);
    if (value === undefined) {
      skipped++;
      continue;
    }
    const name = fixed ?? renderTopic(topic, e);
    let list = byTopic.get(name);
    if (list === undefined) {
      list = [];
      byTopic.set(name, list);
    }
    list.push({
      key: e.symbol,
      value,
      headers: { id: e.id, kind: e.kind, venue: e.venue },
    });
  }
  const topicMessages: KafkaBatch["topicMessages"] = [];
  for (const [name, messages] of byTopic) {
    topicMessages.push({ topic: name, messages });
  }
  return { topicMessages, skipped };
}
