/**
 * Builds a sink from its parsed URL: `stdout` and `file` write lines
 * directly; every network scheme is a {@link DeliveryQueue} (batching,
 * retries, breaker, disk spool, dead letters) around its driver.
 *
 * @module
 */

import { canonicalJson } from "./canonical.ts";
import { join } from "node:path";
import type { HistogramValue } from "../core/metrics.ts";
import { FileSink, fileSinkOptions } from "./file.ts";
import { validateKafkaOptions } from "./kafka_options.ts";
import {
  type DriverFactory,
  type DriverLoader,
  LazyDriver,
} from "./lazy_driver.ts";
import { validatePostgresOptions } from "./postgres_options.ts";
import { DeliveryQueue } from "./queue.ts";
import { queueOptions } from "./queue_options.ts";
import { validateRabbitMqOptions } from "./rabbitmq_topology.ts";
import {
  createRedisStreamsDriver,
  validateRedisStreamsOptions,
} from "./redis_streams.ts";
import type { FsyncPolicy } from "./spool.ts";
import { StdoutSink } from "./stdout.ts";
import type { Sink, SinkContext } from "./types.ts";
import {
  redactUrl,
  type SinkScheme,
  type SinkSpec,
  SinkUrlError,
} from "./url.ts";
import { createWebhookDriver, validateWebhookOptions } from "./webhook.ts";

/** What sinks share beyond their URL. */
export interface SinkEnvironment extends SinkContext {
  /** `DATA_DIR`: spools go to `spool/<sink>/`, dead letters to `deadletter/<sink>.ndjson`. */
  dataDir: string;
  /** `SPOOL_MAX_MB`, in bytes, per sink. */
  spoolMaxBytes: number;
  spoolFsync: FsyncPolicy;
  /** The latency histogram a sink records into, by sink name. */
  latency?: (sink: string) => HistogramValue;
}

/** The drivers behind large npm clients: loaded when a sink uses them. */
const loadKafka: DriverLoader = async () =>
  (await import("./kafka.ts")).createKafkaDriver;
const loadRabbitMq: DriverLoader = async () =>
  (await import("./rabbitmq.ts")).createRabbitMqDriver;
const loadPostgres: DriverLoader = async () =>
  (await import("./postgres.ts")).createPostgresDriver;

/** A driver loaded on first use. */
const lazy = (load: DriverLoader): DriverFactory => (spec, ctx) =>
  new LazyDriver(load, spec, ctx);

/** Per scheme: how its driver is made, and how its options are checked. */
const DRIVERS: Partial<
  Record<SinkScheme, [DriverFactory, (spec: SinkSpec) => void]>
> = {
  redis: [createRedisStreamsDriver, validateRedisStreamsOptions],
  rediss: [createRedisStreamsDriver, validateRedisStreamsOptions],
  kafka: [lazy(loadKafka), validateKafkaOptions],
  amqp: [lazy(loadRabbitMq), validateRabbitMqOptions],
  amqps: [lazy(loadRabbitMq), validateRabbitMqOptions],
  postgres: [lazy(loadPostgres), validatePostgresOptions],
  postgresql: [lazy(loadPostgres), validatePostgresOptions],
  http: [createWebhookDriver, validateWebhookOptions],
  https: [createWebhookDriver, validateWebhookOptions],
};

/**
 * Creates the sink a spec describes (not yet started).
 *
 * @example Usage
 * ```ts
 * const sink = createSink(parseSinkUrl("stdout", 1), env);
 * await sink.start();
 * ```
 */
export function createSink(spec: SinkSpec, env: SinkEnvironment): Sink {
  if (spec.scheme === "stdout") return new StdoutSink(spec, canonicalJson);
  if (spec.scheme === "file") return new FileSink(spec, canonicalJson);
  const [factory] = DRIVERS[spec.scheme]!;
  const q = queueOptions(spec);
  return new DeliveryQueue({
    name: spec.name,
    scheme: spec.scheme,
    driver: factory(spec, env),
    ...q,
    spool: {
      dir: join(env.dataDir, "spool", spec.name),
      maxBytes: env.spoolMaxBytes,
      fsync: env.spoolFsync,
    },
    deadLetterPath: join(env.dataDir, "deadletter", `${spec.name}.ndjson`),
    ...(env.latency ? { latency: env.latency(spec.name) } : {}),
  });
}

/**
 * Checks a spec's sink-specific options (throws `SinkUrlError`), so a bad
 * option is a configuration error at startup, not a failure later.
 *
 * @example Usage
 * ```ts
 * validateSinkSpec(parseSinkUrl("file:/tmp/e.ndjson?max_file_mb=0", 1)); // throws
 * ```
 */
export function validateSinkSpec(spec: SinkSpec): void {
  if (spec.scheme === "stdout") return;
  if (spec.scheme === "file") return void fileSinkOptions(spec);
  const driver = DRIVERS[spec.scheme];
  if (driver === undefined) {
    throw new SinkUrlError(
      redactUrl(spec.url),
      `scheme "${spec.scheme}" is not supported by this build`,
    );
  }
  queueOptions(spec);
  driver[1](spec);
}
