/**
 * deploy/compose.yaml, parsed: tickgate's sinks and store point at the
 * stack's own services, which are healthy before tickgate starts. Docker
 * Compose itself cannot run here.
 */

import assert from "node:assert/strict";
import {
  assertEnvNames,
  assertStopTimeout,
  assertValidConfig,
  DATA,
  exists,
  type Obj,
  PORT,
  yamlFile,
} from "./_deploy.ts";

const COMPOSE = yamlFile("deploy/compose.yaml");
const SERVICES: Obj = COMPOSE.services;
const TICKGATE: Obj = SERVICES.tickgate;

/** tickgate's environment after compose's `${NAME:-default}` interpolation. */
function interpolated(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(TICKGATE.environment as Record<string, string>).map((
      [k, v],
    ) => [k, String(v).replace(/\$\{\w+:-([^}]*)\}/g, "$1")]),
  );
}

Deno.test("deploy: compose runs tickgate, Redis, Redpanda, RabbitMQ and PostgreSQL", () => {
  assert.deepEqual(Object.keys(SERVICES).sort(), [
    "postgres",
    "rabbitmq",
    "redis",
    "redpanda",
    "tickgate",
  ]);
  assert.match(SERVICES.redis.image, /^redis:7\b/);
  assert.match(SERVICES.postgres.image, /^postgres:16\b/);
  assert.match(SERVICES.rabbitmq.image, /^rabbitmq:[\w.-]*management/);
  assert.match(SERVICES.redpanda.image, /\/redpanda:v\d+\.\d+\.\d+$/);
  assert.ok(
    SERVICES.rabbitmq.ports.includes("127.0.0.1:15672:15672"),
    "management UI",
  );
  // Built from the repository's Dockerfile, started once the rest is healthy.
  assert.equal(TICKGATE.build.context, "..");
  assert.equal(TICKGATE.build.dockerfile, "Dockerfile");
  assert.ok(exists(TICKGATE.build.dockerfile));
  for (const [name, service] of Object.entries(SERVICES)) {
    if (name === "tickgate") continue;
    assert.ok((service as Obj).healthcheck?.test, `${name}: no healthcheck`);
    assert.deepEqual(TICKGATE.depends_on[name], {
      condition: "service_healthy",
    });
  }
});

Deno.test("deploy: compose wires SINKS and DATABASE_URL to the stack's services", async () => {
  const raw: Record<string, string> = TICKGATE.environment;
  const referenced = Object.values(raw).flatMap((v) =>
    [...String(v).matchAll(/\$\{(\w+)/g)].map((m) => m[1]!)
  );
  assertEnvNames("compose tickgate", [
    ...Object.keys(raw),
    ...referenced,
    ...Object.keys(TICKGATE.build.args),
  ]);
  // The API key comes from the caller's environment; the default is local.
  assert.match(raw.API_KEY!, /^\$\{API_KEY:-[^}]+\}$/);
  const env = interpolated();
  const config = await assertValidConfig("compose tickgate", env);
  const sinks = config.sinks;
  assert.deepEqual(sinks.map((s) => s.scheme).sort(), [
    "amqp",
    "kafka",
    "postgres",
    "redis",
  ]);
  const url = (scheme: string) =>
    new URL(sinks.find((s) => s.scheme === scheme)!.url);
  for (const s of sinks) {
    assert.ok(
      new URL(s.url).hostname in SERVICES,
      `${s.scheme}: not a service`,
    );
  }
  assert.equal(url("redis").hostname, "redis");
  // Redpanda advertises to the other containers the address the sink uses.
  assert.ok(
    SERVICES.redpanda.command.includes(
      `--advertise-kafka-addr=internal://${
        url("kafka").host
      },external://localhost:19092`,
    ),
  );
  const rabbit = SERVICES.rabbitmq.environment;
  assert.equal(url("amqp").hostname, "rabbitmq");
  assert.deepEqual([url("amqp").username, url("amqp").password], [
    rabbit.RABBITMQ_DEFAULT_USER,
    rabbit.RABBITMQ_DEFAULT_PASS,
  ]);
  // The PostgreSQL sink and the subscription store share the database.
  const pg = SERVICES.postgres.environment;
  const database =
    `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`;
  assert.equal(env.DATABASE_URL, database);
  assert.equal(config.databaseUrl, database);
  assert.equal(url("postgres").href, new URL(database).href);
});

Deno.test("deploy: compose keeps /data on a named volume and serves port 8080", () => {
  const env = interpolated();
  assert.equal(env.DATA_DIR, DATA);
  assert.ok(TICKGATE.volumes.includes(`tickgate-data:${DATA}`));
  assert.ok("tickgate-data" in COMPOSE.volumes);
  assert.equal(env.PORT, String(PORT));
  // Published on loopback only: the local stack has a default API key.
  assert.ok(TICKGATE.ports.includes(`127.0.0.1:${PORT}:${env.PORT}`));
  assertStopTimeout(
    "compose stop_grace_period",
    TICKGATE.stop_grace_period,
    env,
  );
});
