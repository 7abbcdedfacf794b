/**
 * `main.ts` run exactly as the compiled binary runs it (`deno compile`
 * cannot download its runtime here): the binary's permissions from
 * `scripts/permissions.ts`, the lock file frozen, nothing fetched, from a
 * fresh working directory outside the repository, with a clean environment
 * (no `DATA_DIR`, so `./data` lands in that directory). Each scenario also
 * runs with read and write narrowed to that directory, which proves tickgate
 * reads no file of its source tree at run time (module loading aside, which
 * the binary serves from inside itself) — a missing `--include` or a
 * too-narrow permission fails here.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BINARY_PERMISSIONS, BINARY_V8_FLAGS } from "../scripts/permissions.ts";
import { stampSource } from "../scripts/compile.ts";
import { CoinbaseSimulator } from "../src/simulator/coinbase.ts";
import { VERSION } from "../src/version.ts";
import {
  readEvents,
  startGatewayProcess,
  TEST_ENV,
  tickgate,
  type TickgateOptions,
  waitFor,
} from "./_harness.ts";

const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** Signs of a permission tickgate was not given. */
const DENIED = /NotCapable|PermissionDenied|Requires \w+ access/;

/** How the permissions are given: the binary's, or narrowed to the temp dir. */
type Variant = "binary" | "narrowed";

/** The `deno run` flags of `variant` for a process working in `dir`. */
function flags(variant: Variant, dir: string, extra: string[] = []): string[] {
  for (const p of ["--allow-read", "--allow-write"]) {
    assert.ok(BINARY_PERMISSIONS.includes(p), `${p} is not a binary flag`);
  }
  const perms = variant === "binary"
    ? BINARY_PERMISSIONS
    : BINARY_PERMISSIONS.map((p) =>
      p === "--allow-read" || p === "--allow-write" ? `${p}=${dir}` : p
    );
  return [
    "--frozen",
    "--cached-only",
    "--config",
    CONFIG,
    ...extra,
    ...perms,
    ...BINARY_V8_FLAGS,
  ];
}

/** Only what `deno` itself needs to find its cache, plus `env`. */
function cleanEnv(env: Record<string, string> = {}): Record<string, string> {
  const keep: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const v = Deno.env.get(name);
    if (v !== undefined) keep[name] = v;
  }
  return { ...keep, NO_COLOR: "1", ...env };
}

/** A fresh working directory outside the repository, removed by `using`. */
async function workDir() {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "tickgate-bin-" }),
  );
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs `main.ts args` to completion as the binary would, in `dir`. */
async function runOnce(
  variant: Variant,
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  extraFlags: string[] = [],
) {
  const out = await tickgate(args, cleanEnv(env), {
    cwd: dir,
    flags: flags(variant, dir, extraFlags),
    clearEnv: true,
  }).output();
  const dec = new TextDecoder();
  const r = {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
  assert.doesNotMatch(r.stderr, DENIED, `${args.join(" ")}: ${r.stderr}`);
  return r;
}

function options(variant: Variant, dir: string): TickgateOptions {
  return { cwd: dir, flags: flags(variant, dir), clearEnv: true };
}

for (const variant of ["binary", "narrowed"] as const) {
  Deno.test(`binary (${variant}): --version names the version, commit dev and Deno`, async () => {
    await using w = await workDir();
    const r = await runOnce(variant, w.dir, ["--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `tickgate ${VERSION} (commit dev, deno ${Deno.version.deno})\n`,
    );
  });

  Deno.test(`binary (${variant}): the build stamp, preloaded as compile.ts does, sets the commit`, async () => {
    await using w = await workDir();
    // Outside the tree, like the stamp compiled into the binary.
    const stamp = join(w.dir, "stamp.ts");
    await Deno.writeTextFile(stamp, stampSource("0123abc"));
    const r = await runOnce(variant, w.dir, ["--version"], {}, [
      "--preload",
      stamp,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^tickgate \S+ \(commit 0123abc, deno /);
  });

  Deno.test(`binary (${variant}): check-config reads --config from the working directory`, async () => {
    await using w = await workDir();
    await Deno.writeTextFile(
      join(w.dir, "tickgate.json"),
      JSON.stringify({ COINBASE_PRODUCTS: "SOL-USD" }),
    );
    const r = await runOnce(variant, w.dir, [
      "check-config",
      "--config",
      "tickgate.json",
    ], { API_KEY: "binary-secret" });
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(r.stdout);
    assert.equal(config.dataDir, "./data");
    assert.deepEqual(config.coinbase.products, ["SOL-USD"]);
    assert.ok(!r.stdout.includes("binary-secret"));
  });

  Deno.test(`binary (${variant}): demo runs its embedded simulators and exits 0 on SIGTERM`, async () => {
    await using w = await workDir();
    await using gw = await startGatewayProcess(
      cleanEnv(TEST_ENV),
      ["demo"],
      options(variant, w.dir),
    );
    const base = `http://127.0.0.1:${gw.port}`;
    await waitFor("/health 200", async () => {
      const res = await fetch(`${base}/health`);
      await res.body?.cancel();
      return res.status === 200;
    });
    await waitFor("events in /api/v1/latest", async () => {
      const res = await fetch(`${base}/api/v1/latest`);
      const body = await res.json() as { data: { venue: string }[] };
      const venues = new Set(body.data.map((d) => d.venue));
      return res.ok && venues.has("coinbase") && venues.has("binance") &&
        venues.has("bybit");
    });
    assert.equal(await gw.stop(), 0, gw.logs());
    assert.doesNotMatch(gw.logs(), DENIED, gw.logs());
    // The SQLite store went to ./data of the working directory.
    assert.ok((await Deno.stat(join(w.dir, "data", "tickgate.db"))).isFile);
  });

  Deno.test(`binary (${variant}): run streams a Coinbase simulator to a relative file sink`, async () => {
    await using w = await workDir();
    const started = await CoinbaseSimulator.start({
      products: ["BTC-USD"],
      tradesPerSecond: 50,
    });
    await using sim = Object.assign(started, {
      [Symbol.asyncDispose]: () => started.close(),
    });
    await using gw = await startGatewayProcess(
      cleanEnv({
        ...TEST_ENV,
        VENUES: "coinbase",
        COINBASE_WS_URL: sim.url,
        COINBASE_PRODUCTS: "BTC-USD",
        SINKS: "file:events.ndjson",
      }),
      ["run"],
      options(variant, w.dir),
    );
    const events = join(w.dir, "events.ndjson");
    await waitFor("trades on disk", async () => {
      try {
        return (await readEvents(events)).some((e) => e.kind === "trade");
      } catch {
        return false;
      }
    });
    const res = await fetch(`http://127.0.0.1:${gw.port}/health`);
    assert.equal(res.status, 200, await res.text());
    assert.equal(await gw.stop(), 0, gw.logs());
    assert.doesNotMatch(gw.logs(), DENIED, gw.logs());
    const written = await readEvents(events);
    assert.ok(written.every((e) => e.venue === "coinbase"));
    assert.ok((await Deno.stat(join(w.dir, "data"))).isDirectory);
  });
}

Deno.test("deno task install:global installs a tickgate command that runs from anywhere", async () => {
  const root = await Deno.makeTempDir({ prefix: "tickgate-install-" });
  try {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["task", "install:global"],
      cwd: new URL("../", import.meta.url),
      env: { DENO_INSTALL_ROOT: root, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const shim = `${root}/bin/tickgate`;
    const version = await new Deno.Command(shim, {
      args: ["--version"],
      cwd: root,
      env: { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:/usr/bin:/bin` },
      stdout: "piped",
    }).output();
    assert.equal(version.code, 0);
    assert.match(
      new TextDecoder().decode(version.stdout),
      /^tickgate \d+\.\d+\.\d+ \(commit dev, deno /,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
