/**
 * Memory: the resident set size of a tickgate process (`main.ts run` as a
 * subprocess with the binary's permissions) streaming 1,000 Binance pairs
 * at 2,000 trade frames/s in total from the local Binance simulator into a
 * `stdout` sink (drained and counted here), sampled every second from
 * `/proc/<pid>/status`. With `soak`, a 10-minute run also gives the RSS
 * slope over its second half and the slope of the live heap after each
 * full GC (`--trace-gc`), which is what can show a leak under V8's
 * saw-tooth.
 *
 * Why Binance: 1,000 pairs is realistic there (Binance Spot lists well over
 * 1,000 trading symbols, one stream per pair, sharded by tickgate over
 * connections of `PAIRS_PER_CONNECTION`, default 50, so 20 sockets), while
 * Coinbase Exchange lists far fewer products than 1,000.
 *
 * @module
 */

import {
  BinanceSimulator,
  syntheticMarkets,
} from "../src/simulator/binance.ts";
import { type Figure, median } from "./figure.ts";
import {
  freePort,
  leastSquares,
  readRssMb,
  rssUnsupported,
  soakSlope,
  spawnTickgate,
  waitForHttp,
} from "./memory_driver.ts";
import { floorRssMb } from "./startup.ts";

/** The memory limit the figures are held against, MB. */
export const LIMIT_MB = 128;
/** Total trade frames per second over all pairs. */
export const FRAMES_PER_SECOND = 2_000;
/**
 * Bound on the live heap's slope over a soak, MB/min: 0.1 MB/min is under
 * 1 byte kept per event at 2k events/s (a map entry per event id or trade
 * is ≥ 50× that), 6 MB an hour; the live heap after full GCs varies by
 * ~0.1 MB, so 9 minutes of full GCs resolve it. RSS cannot: V8 sizes its
 * heap in a saw-tooth of tens of MB (measured 97–176 MB), so the RSS slope
 * is held against its own noise band instead (2 SE of 30-s block means).
 */
export const LIVE_SLOPE_BOUND_MB_PER_MIN = 0.1;

/** A figure with an upper bound (lower is better). */
type Bounded = Figure & { targetMax: number };
/** A value in MB at `t` seconds. */
export type Sample = { t: number; mb: number };

/** Options of {@link runMemory}. */
export interface MemoryRunOptions {
  pairs: number;
  /** Seconds sampled once every stream is subscribed. */
  seconds: number;
  /** Total frames per second. @default {FRAMES_PER_SECOND} */
  framesPerSecond?: number;
  /** Extra environment for tickgate (e.g. `DENO_V8_FLAGS` for experiments). */
  env?: Record<string, string>;
  /** Adds `--trace-gc` to `DENO_V8_FLAGS`, for {@link MemoryRun.fullGcs}. */
  traceGc?: boolean;
}

/** What one run measured. */
export interface MemoryRun {
  /** RSS right after `/health` first answered, before any stream, MB. */
  idleMb: number;
  /** One sample per second from subscription on: seconds since, MB. */
  samples: Sample[];
  /** With `traceGc`: live heap after each full GC, at seconds since the same start. */
  fullGcs: Sample[];
  /** Streams the simulator had subscribed when sampling began. */
  streams: number;
  /** Events (trades, status) tickgate counted (`/stats`) once the simulator paused. */
  counted: number;
  /** Connections open at the end (each adds a `disconnected` event at shutdown). */
  connections: number;
  /** Lines its `stdout` sink wrote (read after it exited). */
  delivered: number;
  /** Its exit code after SIGTERM. */
  code: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, check: () => boolean) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Events of every kind tickgate counted for Binance (`/stats`). */
function eventsCounted(stats: unknown): number {
  const venues = (stats as { venues?: Record<string, unknown> }).venues ?? {};
  const b = venues.binance as { events?: Record<string, number> } | undefined;
  return Object.values(b?.events ?? {}).reduce((a, n) => a + n, 0);
}

/** One run: simulator, tickgate subprocess, RSS samples, delivery check. */
export async function runMemory(o: MemoryRunOptions): Promise<MemoryRun> {
  const unsupported = rssUnsupported();
  if (unsupported) throw new Error(unsupported);
  const markets = syntheticMarkets(o.pairs);
  const rate = (o.framesPerSecond ?? FRAMES_PER_SECOND) / o.pairs;
  // record: false, or the simulator (this process) keeps every frame it sent.
  const sim = await BinanceSimulator.start({
    markets,
    tradesPerSecond: rate,
    record: false,
    coins: [],
  });
  const dir = await Deno.makeTempDir({ prefix: "tickgate-bench-mem-" });
  const port = freePort();
  const api = `http://127.0.0.1:${port}`;
  const proc = spawnTickgate({
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dir,
    VENUES: "binance",
    BINANCE_WS_URL: sim.url,
    BINANCE_REST_URL: sim.restUrl,
    COINGECKO_URL: sim.coingeckoUrl,
    BINANCE_STREAMS: "trade",
    BINANCE_PAIRS: markets.map((m) => m.base + m.quote).join(","),
    SINKS: "stdout",
    SUMMARY_INTERVAL_SEC: "0",
    LOG_LEVEL: "warning",
    ...o.env,
    ...(o.traceGc
      ? { DENO_V8_FLAGS: `${o.env?.DENO_V8_FLAGS ?? ""} --trace-gc`.trim() }
      : {}),
  });
  try {
    await waitForHttp(`${api}/health`, proc);
    const idleMb = (await readRssMb(proc.pid)) ?? NaN;
    const open = () =>
      sim.clients.filter((c) => !c.closed).reduce(
        (n, c) => n + c.streams.length,
        0,
      );
    await until(
      `${o.pairs} subscribed streams`,
      60_000,
      () => open() >= o.pairs,
    );
    const streams = open();
    const samples: Sample[] = [];
    const t0 = performance.now();
    for (let i = 1; i <= o.seconds; i++) {
      await sleep(Math.max(0, t0 + i * 1000 - performance.now()));
      const mb = await readRssMb(proc.pid);
      if (mb === undefined) throw new Error(`tickgate exited:\n${proc.logs()}`);
      samples.push({ t: (performance.now() - t0) / 1000, mb });
    }
    sim.pause();
    // Frames in flight land, then the count settles.
    let counted = -1;
    for (let i = 0; i < 40; i++) {
      await sleep(250);
      const res = await fetch(`${api}/stats`);
      const now = eventsCounted(await res.json());
      if (now === counted) break;
      counted = now;
    }
    const connections = sim.connections;
    const code = await proc.stop();
    return {
      idleMb,
      samples,
      fullGcs: proc.fullGcs().map((g) => ({
        t: (g.at - t0) / 1000,
        mb: g.liveMb,
      })),
      streams,
      counted,
      connections,
      delivered: proc.lines(),
      code,
    };
  } finally {
    await proc.stop();
    await sim.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function describe(run: MemoryRun, pairs: number, seconds: number): string {
  const rate = run.delivered / seconds;
  const mbs = run.samples.map((s) => s.mb);
  return `memory: ${pairs} pairs, ${run.streams} streams, ${run.delivered} events delivered ` +
    `(${run.counted} counted by tickgate, ~${rate.toFixed(0)}/s), idle ${
      run.idleMb.toFixed(1)
    } MB, end ${mbs.at(-1)!.toFixed(1)} MB, max ${
      Math.max(...mbs).toFixed(1)
    } MB`;
}

/**
 * RSS at the end and at its maximum over `runs` fresh processes (60 s with
 * 1,000 pairs; 5 s with 50 pairs in `quick`), against the 128 MB limit;
 * with `soak`, also the slope of a 10-minute run. Skipped (no figures,
 * reason printed) where `/proc` is missing.
 */
export async function benchMemory(
  options: { quick: boolean; soak?: boolean; runs?: number },
): Promise<Figure[]> {
  const unsupported = rssUnsupported();
  if (unsupported) {
    console.error(`memory: skipped: ${unsupported}`);
    return [];
  }
  const pairs = options.quick ? 50 : 1_000;
  const seconds = options.quick ? 5 : 60;
  const runs = options.runs ?? (options.quick ? 1 : 3);
  console.error(
    `memory: runtime floor (bare Deno.serve) RSS ${
      (await floorRssMb()).toFixed(1)
    } MB`,
  );
  const ends: number[] = [];
  const maxes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await runMemory({ pairs, seconds });
    console.error(describe(run, pairs, seconds));
    ends.push(run.samples.at(-1)!.mb);
    maxes.push(Math.max(...run.samples.map((s) => s.mb)));
  }
  const what = `${pairs} pairs, ${
    FRAMES_PER_SECOND / 1000
  }k frames/s, ${seconds} s`;
  const figure = (name: string, xs: number[]): Bounded => ({
    name,
    unit: "MB",
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    ceilingName: "limit",
    ceiling: LIMIT_MB,
    ratio: median(xs) / LIMIT_MB,
    targetMax: LIMIT_MB,
  });
  const figures: Figure[] = [
    figure(`memory: RSS at end (${what})`, ends),
    figure(`memory: RSS max (${what})`, maxes),
  ];
  if (options.soak) figures.push(...await soak(pairs));
  return figures;
}

async function soak(pairs: number): Promise<Bounded[]> {
  const seconds = 600;
  console.error(`memory: soak, ${pairs} pairs for ${seconds / 60} minutes…`);
  const run = await runMemory({ pairs, seconds, traceGc: true });
  console.error(describe(run, pairs, seconds));
  console.error(
    `memory: live heap after full GCs: ${
      run.fullGcs.map((g) => `${g.t.toFixed(0)} s ${g.mb} MB`).join(", ")
    }`,
  );
  return [soakFigure(run.samples), liveHeapFigure(run.fullGcs)];
}

/**
 * The RSS slope (MB/min, least squares over the second half of per-second
 * samples) against its own noise: ± 2 standard errors of the same fit over
 * 30-s block means, what V8's saw-tooth alone gives. Ratio ≤ 1: no growth
 * beyond noise.
 */
export function soakFigure(samples: readonly Sample[]): Bounded {
  const { perSecond, blocks } = soakSlope(samples);
  const noise = 2 * blocks.slopeSe;
  const minutes = Math.round(samples.at(-1)!.t / 60);
  return {
    name: `memory: RSS slope, second half of a ${minutes}-min soak`,
    unit: "MB/min",
    median: perSecond.slope,
    min: blocks.slope - noise,
    max: blocks.slope + noise,
    ceilingName: "noise (2 SE)",
    ceiling: noise,
    ratio: perSecond.slope / noise,
    targetMax: noise,
  };
}

/**
 * The live heap's slope (MB/min, least squares over full GCs after the
 * first minute, when books and caches have filled) against
 * {@link LIVE_SLOPE_BOUND_MB_PER_MIN}; its spread ± 2 SE. NaN with fewer
 * than 3 full GCs.
 */
export function liveHeapFigure(gcs: readonly Sample[]): Bounded {
  const late = gcs.filter((g) => g.t >= 60);
  const line = late.length >= 3
    ? leastSquares(late.map((g) => g.t / 60), late.map((g) => g.mb))
    : { slope: NaN, slopeSe: NaN };
  return {
    name: `memory: live heap slope after full GCs (${late.length} GCs)`,
    unit: "MB/min",
    median: line.slope,
    min: line.slope - 2 * line.slopeSe,
    max: line.slope + 2 * line.slopeSe,
    ceilingName: "bound",
    ceiling: LIVE_SLOPE_BOUND_MB_PER_MIN,
    ratio: line.slope / LIVE_SLOPE_BOUND_MB_PER_MIN,
    targetMax: LIVE_SLOPE_BOUND_MB_PER_MIN,
  };
}
