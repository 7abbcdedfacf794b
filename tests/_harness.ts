/**
 * End-to-end test harness: a Coinbase simulator, a gateway pointed at it
 * with a real NDJSON file sink in a temp dir, and helpers to wait and read
 * back what was written.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BINARY_RUN_FLAGS } from "../scripts/permissions.ts";
import { Gateway } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import type { Clock } from "../src/core/clock.ts";
import type { NormalizedEvent } from "../src/core/events.ts";
import {
  CoinbaseSimulator,
  type CoinbaseSimulatorOptions,
} from "../src/simulator/coinbase.ts";

/**
 * Settings every end-to-end gateway uses: loopback on a free port, no
 * summary log, fast reconnects, no health grace period.
 */
export const TEST_ENV: Readonly<Record<string, string>> = {
  HOST: "127.0.0.1",
  PORT: "0",
  SUMMARY_INTERVAL_SEC: "0",
  RECONNECT_BASE_MS: "50",
  RECONNECT_MAX_MS: "250",
  HEALTH_GRACE_SEC: "0",
};

/** A running simulator + gateway pair. */
export interface Stack {
  sim: CoinbaseSimulator;
  gw: Gateway;
  dir: string;
  eventsPath: string;
  /** Stops the gateway (flushing the sink) and the simulator; removes the dir. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startStack}. */
export interface StackOptions {
  sim?: CoinbaseSimulatorOptions;
  /** Extra settings, as environment variables. */
  env?: Record<string, string>;
}

/** A gateway under test with a real NDJSON file sink in a temp dir. */
export interface FileGateway {
  gw: Gateway;
  dir: string;
  eventsPath: string;
}

/**
 * Starts a gateway on {@link TEST_ENV} + `env`, writing every event to
 * `events.ndjson` in a fresh temp dir, next to a simulator already running
 * (closed here if the gateway cannot start). `dispose` stops the gateway
 * (flushing the sink), closes the simulator and removes the dir, once.
 */
export async function startFileGateway<S extends { close(): Promise<void> }>(
  sim: S,
  env: (eventsPath: string) => Record<string, string>,
  clock?: Clock,
): Promise<FileGateway & { [Symbol.asyncDispose](): Promise<void> }> {
  let dir: string | undefined;
  let gw: Gateway;
  let eventsPath: string;
  try {
    dir = await Deno.makeTempDir({ prefix: "tickgate-e2e-" });
    eventsPath = join(dir, "events.ndjson");
    const config = await loadConfig({
      env: {
        ...TEST_ENV,
        DATA_DIR: dir,
        SINKS: `file:${eventsPath}`,
        ...env(eventsPath),
      },
    });
    gw = await Gateway.start(config, clock ? { clock } : {});
  } catch (e) {
    await sim.close();
    if (dir !== undefined) await Deno.remove(dir, { recursive: true });
    throw e;
  }
  let disposed = false;
  return {
    gw,
    dir,
    eventsPath,
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await gw.stop();
      await sim.close();
      await Deno.remove(dir!, { recursive: true });
    },
  };
}

/** Starts a Coinbase simulator and a gateway writing every event to a file. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const products = options.sim?.products ?? ["BTC-USD", "ETH-USD"];
  const sim = await CoinbaseSimulator.start({
    products,
    tradesPerSecond: 20,
    ...options.sim,
  });
  const g = await startFileGateway(sim, () => ({
    VENUES: "coinbase",
    COINBASE_WS_URL: sim.url,
    COINBASE_PRODUCTS: products.join(","),
    ...options.env,
  }));
  return { sim, ...g };
}

/** Polls `check` every 25 ms until it returns true; fails after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every event in an NDJSON file, parsed. */
export async function readEvents(path: string): Promise<NormalizedEvent[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** The sent frames of the given types, as parsed objects, in send order. */
export function sentOf(
  sim: CoinbaseSimulator,
  ...types: string[]
): Record<string, unknown>[] {
  return sim.sent.filter((s) => types.includes(String(s.frame.type))).map((
    s,
  ) => s.frame);
}

/**
 * An exchange timestamp computed independently of tickgate's parser:
 * `Date.parse` for the milliseconds plus the 4th–6th fraction digits.
 */
export function expectedTs(time: string): number {
  const ms = Date.parse(time);
  const frac = /\.(\d+)/.exec(time)?.[1] ?? "";
  const micros = Number((frac + "000000").slice(3, 6));
  return micros === 0 ? ms : ms + micros / 1000;
}

/** The trade event tickgate must write for a `match`/`last_match` frame. */
export function expectedTrade(
  f: Record<string, unknown>,
  receivedTs: number,
): NormalizedEvent {
  const product = String(f.product_id);
  return {
    id: `coinbase:${product}:trade:${f.trade_id}`,
    kind: "trade",
    venue: "coinbase",
    symbol: product,
    nativeSymbol: product,
    exchangeTs: expectedTs(String(f.time)),
    receivedTs,
    tradeId: String(f.trade_id),
    price: String(f.price),
    size: String(f.size),
    side: f.side === "buy" ? "sell" : "buy",
  };
}

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** The permission flags of `deno task start`. */
/** The compiled binary's permissions, so CLI tests run as users run it. */
const PERMS = BINARY_RUN_FLAGS;

/** How {@link tickgate} and {@link startGatewayProcess} start `main.ts`. */
export interface TickgateOptions {
  /** Its working directory; default: the test's. */
  cwd?: string;
  /** The `deno run` flags before `main.ts`; default: `deno task start`'s permissions. */
  flags?: readonly string[];
  /** Start from an empty environment (plus `env`) instead of the test's. */
  clearEnv?: boolean;
}

/**
 * `main.ts` as users run it: a subprocess with the permissions of
 * `deno task start` (or `options.flags`), `env` added to the environment,
 * output piped.
 */
export function tickgate(
  args: string[],
  env: Record<string, string> = {},
  options: TickgateOptions = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...(options.flags ?? PERMS), MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.clearEnv ? { clearEnv: true } : {}),
  });
}

/** A gateway running as a subprocess (`main.ts run`), its logs captured. */
export interface GatewayProcess {
  /** The HTTP port it listens on. */
  port: number;
  /** Everything it wrote to stderr (the logs) so far. */
  logs(): string;
  /** SIGTERM, then its exit code once it exited and its logs are read. */
  stop(): Promise<number>;
  /** SIGKILL (no shutdown at all), then waits for it to exit. */
  kill(): Promise<void>;
  /** Kills it if still running. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts `main.ts run` (or `args`, e.g. `["demo"]`) with `env` (debug logs
 * help secret checks) and waits until it listens. It gets its own temp
 * `DATA_DIR` unless `env` names one or `options.cwd` is set (then the
 * default `./data` resolves there).
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  args: string[] = ["run"],
  options: TickgateOptions = {},
): Promise<GatewayProcess> {
  // Its own data dir (spool, store) unless the test shares one on purpose.
  const ownDir = env.DATA_DIR === undefined && options.cwd === undefined
    ? await Deno.makeTempDir({ prefix: "tickgate-proc-" })
    : undefined;
  const child = tickgate(
    args,
    ownDir ? { ...env, DATA_DIR: ownDir } : env,
    options,
  ).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let logs = "";
  const reading = (async () => {
    for (;;) {
      const { value, done } = await stderr.read();
      if (done) return;
      logs += value;
    }
  })();
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
    }
    const { code } = await child.status;
    await reading;
    await child.stdout.cancel().catch(() => {});
    if (ownDir) await Deno.remove(ownDir, { recursive: true }).catch(() => {});
    return code;
  };
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    stopped = true;
    await stop();
  };
  try {
    await waitFor(
      "the HTTP port",
      () => /listening on http:\/\/[^:]+:\d+/.test(logs),
    );
  } catch (e) {
    await kill();
    throw new Error(`${e instanceof Error ? e.message : e}; logs:\n${logs}`);
  }
  const port = Number(/listening on http:\/\/[^:]+:(\d+)/.exec(logs)![1]);
  return { port, logs: () => logs, stop, kill, [Symbol.asyncDispose]: kill };
}
