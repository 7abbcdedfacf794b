/**
 * The sink settings of the configuration: `SINKS` (a list of sink URLs),
 * the shortcuts that each add one sink (`REDIS_URL`, `KAFKA_BROKERS`,
 * `RABBITMQ_URL`, `WEBHOOK_URL`), and what every sink's delivery queue
 * shares (`STREAM_MAXLEN`, `WEBHOOK_TOKEN`, `SPOOL_MAX_MB`, `SPOOL_FSYNC`).
 *
 * @module
 */

import { z } from "zod";
import { empty, int, oneOf, secret } from "./config_fields.ts";
import { validateSinkSpec } from "./sinks/create.ts";
import { FSYNC_POLICIES, type FsyncPolicy } from "./sinks/spool.ts";
import {
  parseSinkUrl,
  redactUrl,
  type SinkSpec,
  SinkUrlError,
  splitSinkList,
} from "./sinks/url.ts";

const optionalText = z.preprocess(empty, z.string().trim().optional());

/** The sink variables of the schema. */
export const SINK_FIELDS = {
  SINKS: z.preprocess(
    (v) => {
      const e = empty(v);
      return typeof e === "string" ? splitSinkList(e) : e;
    },
    z.array(z.string()).default([]),
  ),
  REDIS_URL: optionalText,
  KAFKA_BROKERS: optionalText,
  RABBITMQ_URL: optionalText,
  WEBHOOK_URL: optionalText,
  WEBHOOK_TOKEN: secret,
  STREAM_MAXLEN: int(0, 1_000_000_000, 10_000),
  SPOOL_MAX_MB: int(1, 1_048_576, 1024),
  SPOOL_FSYNC: oneOf(
    FSYNC_POLICIES as [FsyncPolicy, ...FsyncPolicy[]],
    "interval",
  ),
};

/** Sink settings that are secrets. */
export const SINK_SECRET_KEYS = ["WEBHOOK_TOKEN"];

/** What every sink's queue and driver share. */
export interface SinkSettings {
  /** `STREAM_MAXLEN`: approximate cap per Redis stream (0: none). */
  streamMaxlen: number;
  /** `WEBHOOK_TOKEN`, a secret. */
  webhookToken: string | undefined;
  /** `SPOOL_MAX_MB` in bytes, per sink. */
  spoolMaxBytes: number;
  spoolFsync: FsyncPolicy;
}

type Parsed = z.infer<z.ZodObject<typeof SINK_FIELDS>>;

/**
 * The sink URLs in order: `SINKS` first, then one per shortcut variable
 * (`REDIS_URL`, `KAFKA_BROKERS` as `kafka://…`, `RABBITMQ_URL`,
 * `WEBHOOK_URL`). Bad URLs and duplicate names go to `problems`.
 */
export function sinkSpecs(s: Parsed, problems: string[]): SinkSpec[] {
  const urls: [key: string, url: string][] = s.SINKS.map((u) => ["SINKS", u]);
  if (s.REDIS_URL) urls.push(["REDIS_URL", s.REDIS_URL]);
  if (s.KAFKA_BROKERS) {
    const brokers = s.KAFKA_BROKERS.replace(/^kafka:\/\//i, "");
    urls.push(["KAFKA_BROKERS", `kafka://${brokers}`]);
  }
  if (s.RABBITMQ_URL) urls.push(["RABBITMQ_URL", s.RABBITMQ_URL]);
  if (s.WEBHOOK_URL) urls.push(["WEBHOOK_URL", s.WEBHOOK_URL]);
  const specs: SinkSpec[] = [];
  urls.forEach(([key, url], i) => {
    try {
      const spec = parseSinkUrl(url, i + 1);
      if (key !== "SINKS" && !expected(key, spec.scheme)) {
        throw new SinkUrlError(
          redactUrl(url),
          `${key} expects a ${key.split("_")[0]!.toLowerCase()} URL`,
        );
      }
      validateSinkSpec(spec);
      specs.push(spec);
    } catch (e) {
      if (!(e instanceof SinkUrlError)) throw e;
      problems.push(`${key}: ${e.message}`);
    }
  });
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) {
      problems.push(`SINKS: two sinks are named "${spec.name}"; use name=`);
    }
    names.add(spec.name);
  }
  return specs;
}

function expected(key: string, scheme: string): boolean {
  switch (key) {
    case "REDIS_URL":
      return scheme === "redis" || scheme === "rediss";
    case "KAFKA_BROKERS":
      return scheme === "kafka";
    case "RABBITMQ_URL":
      return scheme === "amqp" || scheme === "amqps";
    default:
      return scheme === "http" || scheme === "https";
  }
}

/** The shared sink settings from the parsed variables. */
export function sinkSettings(s: Parsed): SinkSettings {
  return {
    streamMaxlen: s.STREAM_MAXLEN,
    webhookToken: s.WEBHOOK_TOKEN,
    spoolMaxBytes: s.SPOOL_MAX_MB * 1024 * 1024,
    spoolFsync: s.SPOOL_FSYNC,
  };
}
