/**
 * The container image (Dockerfile, .dockerignore), the Fly.io app
 * (deploy/fly.toml) and the systemd unit (deploy/tickgate.service), parsed
 * and checked against each other and the config schema. Docker and Fly
 * cannot run here; `systemd-analyze verify` runs when installed.
 * Compose and Kubernetes: deploy_compose_test.ts, deploy_k8s_test.ts.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import { SECRET_KEYS } from "../src/config.ts";
import {
  assertEnvNames,
  assertStopTimeout,
  assertValidConfig,
  DATA,
  dockerfile,
  dockerIgnored,
  exists,
  NONROOT_UID,
  type Obj,
  optionalCommand,
  PORT,
  read,
  ROOT,
  systemdUnit,
} from "./_deploy.ts";
import { tickgate } from "./_harness.ts";

const DOCKER = dockerfile();
const BINARY = "/usr/local/bin/tickgate";
const runtime = (cmd: string) =>
  DOCKER.filter((i) => i.stage === "runtime" && i.cmd === cmd)
    .map((i) => i.args);

Deno.test("deploy: Dockerfile caches dependencies apart from the sources and compiles", () => {
  const froms = DOCKER.filter((i) => i.cmd === "FROM").map((i) => i.args);
  assert.deepEqual(froms, [
    "denoland/deno:${DENO_VERSION} AS deps",
    "deps AS build",
    "gcr.io/distroless/cc-debian12:nonroot AS runtime",
  ]);
  const deno = /^ARG DENO_VERSION=(\S+)$/m.exec(read("Dockerfile"))?.[1];
  assert.equal(deno, /DENO_VERSION:-([^}"]+)\}/.exec(read(".ci/run"))?.[1]);
  // The install layer sees only deno.json and deno.lock: editing src/ or
  // scripts/ reuses it.
  const deps = DOCKER.filter((i) => i.stage === "deps").slice(1);
  assert.deepEqual(deps.map((i) => `${i.cmd} ${i.args}`), [
    "WORKDIR /src",
    "COPY deno.json deno.lock ./",
    "RUN deno install --frozen",
  ]);
  const build = DOCKER.filter((i) => i.stage === "build");
  const copies = build.filter((i) => i.cmd === "COPY").map((i) => i.args);
  assert.deepEqual(copies.sort(), [
    "main.ts ./",
    "scripts/ ./scripts/",
    "src/ ./src/",
  ]);
  assert.ok(build.some((i) => i.cmd === "ARG" && i.args === "TICKGATE_COMMIT"));
  const run = build.filter((i) => i.cmd === "RUN").map((i) => i.args);
  assert.equal(run.length, 1);
  assert.match(run[0]!, /^deno task compile .*dist\/tickgate \/out\/tickgate/);
  assert.ok(JSON.parse(read("deno.json")).tasks.compile);
});

Deno.test("deploy: the image runs the binary as nonroot with /data, a probe and SIGTERM", () => {
  assert.deepEqual(runtime("ENTRYPOINT"), [JSON.stringify([BINARY])]);
  assert.deepEqual(runtime("CMD"), ['["run"]']);
  assert.deepEqual(runtime("USER"), ["nonroot"]);
  assert.deepEqual(runtime("VOLUME"), [JSON.stringify([DATA])]);
  assert.deepEqual(runtime("STOPSIGNAL"), ["SIGTERM"]);
  assert.deepEqual(runtime("EXPOSE"), [String(PORT)]);
  assert.deepEqual(runtime("COPY"), [
    `--from=build /out/tickgate ${BINARY}`,
    `--from=build --chown=${NONROOT_UID}:${NONROOT_UID} /out/data ${DATA}`,
  ]);
  const env = Object.fromEntries(
    runtime("ENV").flatMap((a) => a.split(/\s+/)).map((kv) => kv.split("=")),
  );
  assertEnvNames("Dockerfile ENV", Object.keys(env));
  assert.deepEqual(env, {
    DATA_DIR: DATA,
    HOST: "0.0.0.0",
    PORT: String(PORT),
  });
  // Liveness: /health answers 503 on e.g. a refused key, which no restart fixes.
  const [health, ...more] = runtime("HEALTHCHECK");
  assert.equal(more.length, 0);
  const probe = JSON.parse(/\bCMD\s+(\[.*\])$/.exec(health!)![1]!);
  // No URL: `probe` checks http://127.0.0.1:$PORT/health/live, so it follows PORT.
  assert.deepEqual(probe, [BINARY, "probe"]);
});

Deno.test("deploy: the HEALTHCHECK command probes /health/live on $PORT: 0 on 2xx, 1 otherwise", async () => {
  const [health] = runtime("HEALTHCHECK");
  const [, command] = JSON.parse(/\bCMD\s+(\[.*\])$/.exec(health!)![1]!);
  let liveStatus = 200;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new Response(null, {
        status: new URL(req.url).pathname === "/health/live" ? liveStatus : 404,
      }),
  );
  for (const [status, code] of [[200, 0], [503, 1]] as const) {
    liveStatus = status;
    const out = await tickgate([command], { PORT: String(server.addr.port) })
      .output();
    const said = new TextDecoder().decode(out.stderr);
    assert.equal(
      out.code,
      code,
      `${command} with /health/live ${status}: ${said}`,
    );
  }
});

Deno.test("deploy: .dockerignore passes exactly what the build copies", async () => {
  for (const i of DOCKER.filter((i) => i.cmd === "COPY")) {
    if (i.args.startsWith("--from")) continue;
    for (const src of i.args.split(/\s+/).slice(0, -1)) {
      assert.ok(exists(src), `COPY ${src}: missing`);
      assert.ok(!dockerIgnored(src.replace(/\/$/, "")), `COPY ${src}: ignored`);
    }
  }
  // Every local module the binary is built from reaches the builder.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  const modules: string[] = JSON.parse(new TextDecoder().decode(out.stdout))
    .modules.map((m: { specifier: string }) => m.specifier)
    .filter((s: string) => s.startsWith("file:"))
    .map((s: string) => fileURLToPath(s).slice(ROOT.length));
  assert.ok(modules.length > 50 && modules.includes("src/config.ts"));
  for (const m of modules) assert.ok(!dockerIgnored(m), `${m} is ignored`);
  for (const f of ["scripts/compile.ts", "scripts/permissions.ts"]) {
    assert.ok(!dockerIgnored(f), f);
  }
  // Secrets, build output and what the binary never reads stay out.
  for (
    const f of [
      ".env",
      ".git/config",
      "data/tickgate.db",
      "dist/tickgate",
      "tests/_harness.ts",
      "src/config_test.ts",
      "src/api/_fake_registry.ts",
      "README.md",
      "deploy/fly.toml",
    ]
  ) assert.ok(dockerIgnored(f), `${f} reaches the build context`);
});

Deno.test("deploy: fly.toml keeps one Machine running with a /data volume", async () => {
  const text = read("deploy/fly.toml");
  const fly = parseToml(text) as Obj;
  const env: Record<string, string> = fly.env;
  assertEnvNames("fly.toml [env]", Object.keys(env));
  for (const k of Object.keys(env)) assert.ok(!SECRET_KEYS.has(k), k);
  await assertValidConfig("fly.toml [env]", env);
  assert.equal(env.PORT, String(PORT));
  assert.equal(env.DATA_DIR, DATA);
  const svc = fly.http_service;
  assert.equal(svc.internal_port, PORT);
  assert.ok(["off", false].includes(svc.auto_stop_machines));
  assert.equal(svc.min_machines_running, 1);
  // Fly only routes on checks, never restarts: readiness (/health) it is.
  assert.deepEqual(svc.checks.map((c: Obj) => c.path), ["/health"]);
  assert.deepEqual([fly.mounts].flat().map((m: Obj) => m.destination), [DATA]);
  assert.deepEqual(fly.restart.map((r: Obj) => r.policy), ["always"]);
  assert.equal(fly.metrics.port, PORT);
  assert.equal(fly.kill_signal, "SIGTERM");
  assertStopTimeout("fly.toml kill_timeout", fly.kill_timeout, env);
  assert.equal(fly.build.dockerfile, "../Dockerfile");
  // The secrets the comments tell you to set are real settings.
  const documented = [...text.matchAll(/fly secrets set (.*)/g)].flatMap((m) =>
    [...m[1]!.matchAll(/\b([A-Z][A-Z0-9_]+)=/g)].map((n) => n[1]!)
  );
  assertEnvNames("fly secrets set", documented);
  for (const k of ["API_KEY", "BYBIT_API_KEY", "DATABASE_URL"]) {
    assert.ok(documented.includes(k), `fly secrets set ${k}`);
  }
});

Deno.test("deploy: the systemd unit runs the binary hardened, with state and secrets", async () => {
  const text = read("deploy/tickgate.service");
  const unit = systemdUnit(text);
  const svc = Object.fromEntries(
    Object.entries(unit.Service!).map(([k, v]) => [k, v.join(" ")]),
  );
  const expected: Record<string, string> = {
    ExecStart: `${BINARY} run`,
    Restart: "always",
    DynamicUser: "yes",
    StateDirectory: "tickgate",
    EnvironmentFile: "-/etc/tickgate/tickgate.env",
    KillSignal: "SIGTERM",
    NoNewPrivileges: "yes",
    ProtectSystem: "strict",
    ProtectHome: "yes",
    PrivateTmp: "yes",
    RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX",
  };
  for (const [k, v] of Object.entries(expected)) assert.equal(svc[k], v, k);
  assert.notEqual(svc.MemoryDenyWriteExecute, "yes", "V8's JIT needs W+X");
  const env = Object.fromEntries(
    unit.Service!.Environment!.map((e) => e.split("=")),
  );
  assertEnvNames("tickgate.service Environment=", Object.keys(env));
  assert.equal(env.DATA_DIR, `/var/lib/${svc.StateDirectory}`);
  const documented = [...text.matchAll(/^#\s+([A-Z][A-Z0-9_]+)=/gm)]
    .map((m) => m[1]!);
  assert.ok(documented.includes("API_KEY"));
  assertEnvNames("tickgate.env as documented", documented);
  assertStopTimeout("TimeoutStopSec", svc.TimeoutStopSec!, env);
  assert.deepEqual(unit.Unit!.After, ["network-online.target"]);
  assert.deepEqual(unit.Install!.WantedBy, ["multi-user.target"]);
  // systemd's own parser, with ExecStart pointed at a binary that exists.
  const dir = await Deno.makeTempDir();
  try {
    const copy = `${dir}/tickgate.service`;
    await Deno.writeTextFile(
      copy,
      text.replace(/^ExecStart=\S+/m, "ExecStart=/bin/true"),
    );
    const out = await optionalCommand(
      "systemd-analyze verify deploy/tickgate.service",
      "systemd-analyze",
      ["verify", copy],
    );
    if (out === undefined) return;
    const said = out.stderr + out.stdout;
    // Unknown keys and bad values are warnings naming the file, exit code 0.
    assert.deepEqual(
      said.split("\n").filter((l) => l.includes("tickgate.service")),
      [],
    );
    if (!out.success) console.log(`SKIPPED: systemd-analyze failed: ${said}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
