/**
 * The real services integration tests run against (Redis, PostgreSQL,
 * RabbitMQ on this machine), found by a TCP probe. Without a service its
 * tests are skipped with the reason printed, unless
 * `TICKGATE_REQUIRE_SERVICES=1` (set by `.ci/run`): then a missing service
 * fails the test run.
 *
 * Addresses: `TEST_REDIS_URL`, `TEST_POSTGRES_URL`, `TEST_AMQP_URL`.
 *
 * @module
 */

import { deadline } from "../src/core/async.ts";
import { errorText } from "../src/core/error_text.ts";

/** A service the integration tests need. */
export type ServiceName = "redis" | "postgres" | "rabbitmq";

/** Whether a service can be used, and where. */
export interface ServiceProbe {
  name: ServiceName;
  /** The URL tests connect to. */
  url: string;
  /** Host and port the URL points at. */
  hostname: string;
  port: number;
  /** True when the service is missing and tests must be skipped. */
  skip: boolean;
}

const DEFAULTS: Record<ServiceName, [env: string, url: string]> = {
  redis: ["TEST_REDIS_URL", "redis://127.0.0.1:6379/0"],
  postgres: ["TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"],
  rabbitmq: ["TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"],
};

const DEFAULT_PORTS: Record<ServiceName, number> = {
  redis: 6379,
  postgres: 5432,
  rabbitmq: 5672,
};

/** Whether CI demands every service (skipping would hide a failure). */
export const REQUIRE_SERVICES = /^(1|true|yes)$/i.test(
  Deno.env.get("TICKGATE_REQUIRE_SERVICES") ?? "",
);

/**
 * Reports a missing dependency: throws when services are required, else
 * prints why the tests that need it are skipped.
 */
export function missing(what: string, why: string): void {
  if (REQUIRE_SERVICES) {
    throw new Error(
      `TICKGATE_REQUIRE_SERVICES is set but ${what} is unavailable: ${why}`,
    );
  }
  console.warn(`SKIPPED: tests that need ${what}: ${why}`);
}

const probes = new Map<ServiceName, Promise<ServiceProbe>>();

/**
 * Probes a service once per test process.
 *
 * @example Usage
 * ```ts
 * const redis = await service("redis");
 * Deno.test({ name: "…", ignore: redis.skip, fn: async () => {} });
 * ```
 */
export function service(name: ServiceName): Promise<ServiceProbe> {
  let p = probes.get(name);
  if (p === undefined) {
    p = probe(name);
    probes.set(name, p);
  }
  return p;
}

async function probe(name: ServiceName): Promise<ServiceProbe> {
  const [env, dflt] = DEFAULTS[name];
  const url = Deno.env.get(env) || dflt;
  const u = new URL(url);
  const hostname = u.hostname.replace(/^\[|\]$/g, "");
  const port = u.port === "" ? DEFAULT_PORTS[name] : Number(u.port);
  let skip = false;
  try {
    const conn = await deadline(
      Deno.connect({ hostname, port }),
      2000,
      "connecting",
    );
    conn.close();
  } catch (e) {
    skip = true;
    missing(
      `${name} (${hostname}:${port}, set ${env})`,
      errorText(e),
    );
  }
  return { name, url, hostname, port, skip };
}
