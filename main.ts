/**
 * tickgate command line: `tickgate [run] | demo | simulate VENUE |
 * tail URL STREAM | check-config | --help | --version`, with
 * `--config FILE` everywhere.
 *
 * Exit codes: 0 ok (including after SIGINT/SIGTERM), 1 runtime failure,
 * 2 bad configuration or usage.
 *
 * @module
 */

import { errorText } from "./src/core/error_text.ts";
import { Gateway } from "./src/app.ts";
import {
  type Config,
  ConfigError,
  loadConfig,
  redactConfig,
} from "./src/config.ts";
import { closeLogging, log, setupLogging } from "./src/logging.ts";
import type { RunningSimulator } from "./src/simulator/launch.ts";
import {
  SIMULATED_VENUES,
  type SimulatedVenue,
} from "./src/simulator/venues.ts";
import { TailError } from "./src/tail/types.ts";
import { probe } from "./src/probe.ts";
import { VERSION, versionLine } from "./src/version.ts";

const HELP =
  `tickgate ${VERSION}: crypto market data from exchange WebSockets to your sinks

Usage:
  tickgate [run] [--config FILE]     run the gateway (default command)
  tickgate demo [--config FILE]      run against the built-in Coinbase (Exchange
                                     and Advanced Trade), Binance and Bybit simulators
  tickgate simulate coinbase|coinbase-advanced|binance|bybit
                    [--port N] [--rate N] [--products A,B] [--seed N]
                                     run one venue's simulator alone
  tickgate tail URL STREAM [--count N] [--follow]
                                     print the last N events (default 10) of a
                                     Redis stream, Kafka topic or RabbitMQ queue
                                     as JSON lines; --follow keeps printing
  tickgate tail URL --list           list streams, topics or tickgate's queues
  tickgate probe [URL] [--timeout MS]
                                     exit 0 when URL answers 2xx (default
                                     http://127.0.0.1:$PORT/health/live): for
                                     container health checks without curl
  tickgate check-config [--config FILE]
                                     print the effective config (secrets redacted)
  tickgate --help | --version

Configuration comes from environment variables, optionally on top of a JSON
file of the same names (--config FILE or TICKGATE_CONFIG); the environment wins.
Main settings: HOST, PORT, DATA_DIR, LOG_LEVEL, LOG_FORMAT, VENUES, SINKS,
COINBASE_WS_URL, COINBASE_PRODUCTS, COINBASE_CHANNELS, COINBASE_ADV_PRODUCTS,
COINBASE_ADV_CHANNELS, COINBASE_API_KEY, COINBASE_API_SECRET, BINANCE_WS_URL,
BINANCE_STREAMS, BINANCE_PAIRS, PAIRS_LIMIT, BYBIT_CATEGORY, BYBIT_SYMBOLS,
BYBIT_TOPICS, BYBIT_API_KEY, BYBIT_API_SECRET, API_KEY.
See README.md for the full table.
`;

/** Parsed command line. */
interface Args {
  command: string;
  positional: string[];
  flags: Map<string, string>;
}

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const VALUE_FLAGS = new Set([
  "config",
  "port",
  "rate",
  "products",
  "seed",
  "count",
  "timeout",
]);
const BOOLEAN_FLAGS = new Set(["follow", "list"]);

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") flags.set("help", "");
    else if (a === "-V" || a === "--version") flags.set("version", "");
    else if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq === -1 ? undefined : eq);
      if (BOOLEAN_FLAGS.has(name) && eq === -1) {
        flags.set(name, "");
        continue;
      }
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option "${a}"`);
      const value = eq === -1 ? argv[++i] : a.slice(eq + 1);
      if (value === undefined) {
        throw new UsageError(`option "--${name}" needs a value`);
      }
      flags.set(name, value);
    } else positional.push(a);
  }
  return { command: positional.shift() ?? "run", positional, flags };
}

function intFlag(args: Args, name: string, dflt: number, min = 0): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    throw new UsageError(
      `--${name} expects an integer of at least ${min}, got "${raw}"`,
    );
  }
  return v;
}

/** Runs the gateway until SIGINT/SIGTERM, then shuts down gracefully. */
async function runGateway(
  config: Config,
  banner?: (port: number) => string,
): Promise<number> {
  await setupLogging({ level: config.logLevel, format: config.logFormat });
  // A client library's stray rejection must not take ingestion down.
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    log("app").error("Unhandled rejection: {error}", {
      error: errorText(e.reason),
    });
  });
  let gw: Gateway;
  try {
    gw = await Gateway.start(config);
  } catch (e) {
    log("app").fatal("Cannot start tickgate: {error}", {
      error: errorText(e),
    });
    await closeLogging();
    return 1;
  }
  log("app").info("tickgate {version} started; venues: {venues}", {
    version: VERSION,
    venues: config.venues.join(","),
  });
  if (banner) log("app").info(banner(gw.port));
  const signal = await untilSignal();
  log("app").info("Received {signal}; shutting down", { signal });
  await gw.stop();
  await closeLogging();
  return 0;
}

function untilSignal(): Promise<string> {
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  return new Promise((resolve) => {
    const handlers = signals.map((sig) => {
      const fn = () => {
        handlers.forEach(([s, h]) => Deno.removeSignalListener(s, h));
        resolve(sig);
      };
      Deno.addSignalListener(sig, fn);
      return [sig, fn] as const;
    });
  });
}

// The simulators and the tail clients (ioredis, kafkajs, amqplib) are loaded
// only by the commands that use them, so `run` starts without them.

async function demo(config: Config): Promise<number> {
  const { startDemo } = await import("./src/simulator/launch.ts");
  const demo = await startDemo(config);
  try {
    return await runGateway(demo.config, demo.banner);
  } finally {
    await demo.close();
  }
}

async function simulate(args: Args): Promise<number> {
  const venue = args.positional[0];
  if (!SIMULATED_VENUES.includes(venue as SimulatedVenue)) {
    throw new UsageError(
      `simulate needs a venue; available: ${
        SIMULATED_VENUES.join(", ")
      } (got "${venue ?? ""}")`,
    );
  }
  const products = args.flags.get("products")?.split(",").map((s) => s.trim())
    .filter((s) => s !== "");
  const { startSimulator } = await import("./src/simulator/launch.ts");
  let sim: RunningSimulator;
  try {
    sim = await startSimulator(venue as SimulatedVenue, {
      port: intFlag(args, "port", 0),
      tradesPerSecond: intFlag(args, "rate", 5, 1),
      seed: intFlag(args, "seed", 1),
      products,
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // Bad product ids or a busy port: the user's input, not a crash.
    throw new UsageError(`cannot start the simulator: ${(e as Error).message}`);
  }
  for (const line of sim.lines) console.error(line);
  await untilSignal();
  await sim.close();
  return 0;
}

/** `tickgate tail URL STREAM [--count N] [--follow]` or `tail URL --list`. */
async function tail(args: Args): Promise<number> {
  const [url, stream, extra] = args.positional;
  const list = args.flags.has("list");
  if (url === undefined || (stream === undefined) !== list || extra) {
    throw new UsageError(
      "tail needs a URL and a stream (or --list), e.g. tickgate tail redis://localhost:6379/0 trades:BTCUSDT",
    );
  }
  const { runTail } = await import("./src/tail/tail.ts");
  const stop = new AbortController();
  untilSignal().then(() => stop.abort());
  try {
    await runTail(url, list ? undefined : stream, {
      count: intFlag(args, "count", 10, 1),
      follow: args.flags.has("follow"),
      signal: stop.signal,
    }, (line) => console.log(line));
  } catch (e) {
    if (!(e instanceof TailError)) throw e;
    console.error(`tickgate: ${e.message}`);
    return 1;
  }
  // A pending signal listener would keep the process alive.
  Deno.exit(0);
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`tickgate: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.flags.has("help")) {
    console.log(HELP);
    return 0;
  }
  if (args.flags.has("version")) {
    console.log(versionLine());
    return 0;
  }
  try {
    if (args.command === "simulate") return await simulate(args);
    if (args.command === "tail") return await tail(args);
    if (args.command === "probe") return await probeCommand(args);
    const config = await loadConfig({ file: args.flags.get("config") });
    switch (args.command) {
      case "run":
        return await runGateway(config);
      case "demo":
        return await demo(config);
      case "check-config":
        console.log(JSON.stringify(redactConfig(config), null, 2));
        return 0;
      default:
        throw new UsageError(`unknown command "${args.command}"`);
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`tickgate: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError) {
      console.error(`tickgate: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}

/** `probe [URL]`: 0 when the URL answers 2xx in time, else 1. */
async function probeCommand(args: Args): Promise<number> {
  const url = args.positional[0] ??
    `http://127.0.0.1:${Deno.env.get("PORT") || "8080"}/health/live`;
  const result = await probe(url, intFlag(args, "timeout", 3000, 1));
  (result.ok ? console.log : console.error)(result.detail);
  return result.ok ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
