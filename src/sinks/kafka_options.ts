/**
 * The Kafka sink's URL options: the bootstrap broker list, the topic
 * template and the topic it gives each event, compression, client id and
 * format. Pure: no I/O here.
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
 * Checks the sink URL's Kafka options (brokers, `topic`, `compression`,
 * `client_id`); throws `SinkUrlError` naming the bad one.
 *
 * @example Usage
 * ```ts
 * validateKafkaOptions(parseSinkUrl("kafka://h:9092?compression=zstd", 1)); // throws
 * ```
 */
export function validateKafkaOptions(spec: SinkSpec): void {
  kafkaSinkOptions(spec);
}
