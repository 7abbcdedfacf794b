/**
 * Pure parts of the Kafka sink: the sink URL's options (broker list, topic
 * template, compression, client id), topic names per event, and the
 * messages one batch becomes (`canonical` JSON or the dashboard `tick`).
 * No I/O here.
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

/** Placeholders a topic template may use; `native` is the venue's symbol. */
export const TOPIC_PLACEHOLDERS = [
  "kind",
  "venue",
  "symbol",
  "native",
] as const;

/** One of {@link TOPIC_PLACEHOLDERS}. */
export type TopicPlaceholder = typeof TOPIC_PLACEHOLDERS[number];

/** Compression codecs this build can write (kafkajs has gzip built in). */
export const KAFKA_COMPRESSIONS = ["none", "gzip"] as const;

/** One of {@link KAFKA_COMPRESSIONS}. */
export type KafkaCompression = typeof KAFKA_COMPRESSIONS[number];

/** Output formats of the Kafka sink; `canonical` is the default. */
export type KafkaFormat = "canonical" | "tick";

/** The default topic template. */
export const DEFAULT_TOPIC = "tickgate.{kind}";

/** The Kafka sink's settings, parsed from its URL. */
export interface KafkaSinkOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Topic per event, see {@link parseTopicTemplate}. */
  topic: TopicTemplate;
  compression: KafkaCompression;
  /** Kafka `client.id`. */
  clientId: string;
  format: KafkaFormat;
}

/**
 * A parsed topic template: the topic is `literals[0] + slot(0) +
 * literals[1] + … + literals[n]`, so rendering is concatenation.
 */
export interface TopicTemplate {
  /** The template as written. */
  readonly source: string;
  /** Literal text around the slots; always `slots.length + 1` items. */
  readonly literals: readonly string[];
  /** The placeholder in each slot. */
  readonly slots: readonly TopicPlaceholder[];
}

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

const TOPIC_CHARS = /^[A-Za-z0-9._-]*$/;
const BAD_TOPIC_CHARS = /[^A-Za-z0-9._-]/g;

/**
 * Parses and checks a Kafka sink's options; throws {@link SinkUrlError}
 * naming the bad option.
 *
 * @example Usage
 * ```ts
 * const o = kafkaSinkOptions(parseSinkUrl("kafka://a:9092,b:9092?compression=gzip", 1));
 * // o.brokers = ["a:9092", "b:9092"], o.compression = "gzip"
 * ```
 */
export function kafkaSinkOptions(spec: SinkSpec): KafkaSinkOptions {
  const shown = redactUrl(spec.url);
  const brokers = parseKafkaBrokers(spec.target, shown);
  const source = spec.options.topic ?? DEFAULT_TOPIC;
  let topic: TopicTemplate;
  try {
    topic = parseTopicTemplate(source);
  } catch (e) {
    throw new SinkUrlError(shown, `option "topic": ${(e as Error).message}`);
  }
  const compression = spec.options.compression ?? "none";
  if (/^(snappy|lz4|zstd)$/.test(compression)) {
    throw new SinkUrlError(
      shown,
      `option "compression": ${compression} needs a codec this build lacks; use none or gzip`,
    );
  }
  if (!(KAFKA_COMPRESSIONS as readonly string[]).includes(compression)) {
    throw new SinkUrlError(
      shown,
      `option "compression": unknown codec "${compression}"; expected none or gzip`,
    );
  }
  const clientId = spec.options.client_id ?? "tickgate";
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(clientId)) {
    throw new SinkUrlError(
      shown,
      `option "client_id": "${clientId}" must be 1-255 of A-Z a-z 0-9 . _ -`,
    );
  }
  const format = spec.format === "tick" ? "tick" : "canonical";
  return {
    brokers,
    topic,
    compression: compression as KafkaCompression,
    clientId,
    format,
  };
}

/**
 * The bootstrap brokers of `kafka://host:port[,host:port]` (port 9092 when
 * left out; a query string is ignored). Throws {@link SinkUrlError}.
 *
 * @example Usage
 * ```ts
 * parseKafkaBrokers("kafka://a:9092,b", "kafka://a:9092,b"); // ["a:9092", "b:9092"]
 * ```
 */
export function parseKafkaBrokers(url: string, shown: string): string[] {
  const m = /^kafka:\/\/([^?#]*)/i.exec(url);
  if (m === null) {
    throw new SinkUrlError(shown, "expected kafka://host:port[,host:port]");
  }
  const list = m[1]!.replace(/\/+$/, "");
  if (list.includes("@")) {
    throw new SinkUrlError(
      shown,
      "credentials in kafka URLs are not supported (no SASL in this build)",
    );
  }
  const brokers: string[] = [];
  for (const item of list.split(",")) {
    const b = item.trim();
    if (b === "") continue;
    const hp = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(b);
    const port = Number(hp?.[2] ?? "9092");
    if (hp === null || port < 1 || port > 65535) {
      throw new SinkUrlError(shown, `bad broker "${b}"; expected host:port`);
    }
    brokers.push(`${hp[1]}:${port}`);
  }
  if (brokers.length === 0) {
    throw new SinkUrlError(shown, "at least one broker host:port is required");
  }
  return brokers;
}

/**
 * Parses a topic template such as `md.{venue}.{kind}`; throws an `Error` on
 * an unknown placeholder, an unclosed `{`, characters Kafka does not allow
 * in topic names (only `A-Z a-z 0-9 . _ -`) or an empty template.
 *
 * @example Usage
 * ```ts
 * const t = parseTopicTemplate("tickgate.{kind}");
 * renderTopic(t, event); // "tickgate.trade"
 * ```
 */
export function parseTopicTemplate(template: string): TopicTemplate {
  if (template === "") throw new Error("the topic template is empty");
  const literals: string[] = [];
  const slots: TopicPlaceholder[] = [];
  let rest = template;
  for (;;) {
    const open = rest.indexOf("{");
    const literal = open < 0 ? rest : rest.slice(0, open);
    if (!TOPIC_CHARS.test(literal)) {
      throw new Error(
        `"${template}" has characters Kafka does not allow in topic names (A-Z a-z 0-9 . _ - only)`,
      );
    }
    literals.push(literal);
    if (open < 0) break;
    const close = rest.indexOf("}", open);
    if (close < 0) throw new Error(`"${template}" has an unclosed "{"`);
    const name = rest.slice(open + 1, close);
    if (!(TOPIC_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(
        `unknown placeholder {${name}} in "${template}"; expected {${
          TOPIC_PLACEHOLDERS.join("}, {")
        }}`,
      );
    }
    slots.push(name as TopicPlaceholder);
    rest = rest.slice(close + 1);
  }
  if (template.length > 249) throw new Error("the topic template is too long");
  return { source: template, literals, slots };
}

/**
 * The topic of one event. Characters Kafka does not allow (the `*` of
 * connection-wide status events) become `_`.
 */
export function renderTopic(t: TopicTemplate, e: NormalizedEvent): string {
  const { literals, slots } = t;
  let out = literals[0]!;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    const v = slot === "kind"
      ? e.kind
      : slot === "venue"
      ? e.venue
      : slot === "symbol"
      ? e.symbol
      : e.nativeSymbol;
    out += (TOPIC_CHARS.test(v) ? v : v.replace(BAD_TOPIC_CHARS, "_")) +
      literals[i + 1]!;
  }
  return out.length > 249 ? out.slice(0, 249) : out;
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
