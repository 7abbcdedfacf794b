/**
 * End to end into a null sink: the blaster (its own process) sends N
 * Coinbase frames over loopback; the real `Gateway` (transport, session,
 * parser, dedup, router; `SINKS` empty) ingests them, once on its own
 * WebSocket client (the default) and once on Deno's (`WS_CLIENT=deno`).
 * Compared, in the same process run and alternately, with bare Deno
 * `WebSocket` clients receiving the same frames: one only counting them
 * (the ceiling), one also `JSON.parse`-ing each (the practical
 * ingest ceiling before any normalization). Also the helpers the other end-to-end benchmarks share.
 *
 * @module
 */

import { Gateway } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { type BlasterHandle, spawnBlaster, subscribed } from "./blaster.ts";
import { symbols } from "./corpus.ts";
import { type Figure, median } from "./figure.ts";

/** Symbols every end-to-end corpus spreads over. */
export const PRODUCTS = 200;

/** How often the harness looks at counters, ms (the same for every side). */
const POLL_MS = 1;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with `performance.now()` once `done()` holds, checking every
 * millisecond; rejects after `timeoutMs` with `what()` for context.
 */
export async function until(
  done: () => boolean,
  timeoutMs: number,
  what: () => string,
): Promise<number> {
  const limit = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > limit) {
      throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    }
    await sleep(POLL_MS);
  }
  return performance.now();
}

/** A gateway under test, pointed at a blaster, subscribed and waiting. */
export interface BenchGateway {
  gw: Gateway;
  /** Frames counted by the venue so far (acks included). */
  frames(): number;
  /** Stops the gateway (flushing sinks) and removes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts the real `Gateway` with `VENUES=coinbase` on the blaster, the given
 * `SINKS`, a fresh data dir, and waits until its one connection subscribed
 * to every product (then lets the acks settle).
 */
export async function startGateway(
  blaster: BlasterHandle,
  sinks: string,
  env: Record<string, string> = {},
): Promise<BenchGateway> {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-bench-" });
  const config = await loadConfig({
    env: {
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dir,
      SUMMARY_INTERVAL_SEC: "0",
      VENUES: "coinbase",
      COINBASE_WS_URL: blaster.url,
      COINBASE_PRODUCTS: symbols(PRODUCTS).join(","),
      COINBASE_CHANNELS: "matches,ticker",
      COINBASE_STREAMS_PER_CONNECTION: "1000",
      SINKS: sinks,
      ...env,
    },
  });
  const gw = await Gateway.start(config);
  const stats = gw.venues[0]!.stats;
  const stop = async () => {
    await gw.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await subscribed(blaster, PRODUCTS);
    await sleep(50);
  } catch (e) {
    await stop();
    throw e;
  }
  return { gw, frames: () => stats.frames, stop };
}

/** A bare Deno WebSocket client, subscribed and waiting. */
export interface BareClient {
  /** Frames received so far (the ack included). */
  readonly count: number;
  close(): Promise<void>;
}

/**
 * Opens a bare `WebSocket` to the blaster and subscribes to every product;
 * `onFrame` is all it does per frame (besides counting).
 */
export async function bareClient(
  blaster: BlasterHandle,
  onFrame?: (data: string) => void,
): Promise<BareClient> {
  const ws = new WebSocket(blaster.url);
  const state = { count: 0 };
  ws.onmessage = onFrame === undefined
    ? () => {
      state.count++;
    }
    : (ev) => {
      state.count++;
      onFrame(ev.data);
    };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  ws.send(JSON.stringify({
    type: "subscribe",
    product_ids: symbols(PRODUCTS),
    channels: ["matches", "ticker"],
  }));
  await subscribed(blaster, PRODUCTS);
  await until(() => state.count > 0, 5000, () => "no subscriptions ack");
  return {
    get count() {
      return state.count;
    },
    async close() {
      const closed = new Promise((r) => ws.onclose = r);
      ws.close();
      await closed;
    },
  };
}

/**
 * Starts the blaster's frames and resolves with frames/s once `received()`
 * grew by `n` (timed from just before the start request).
 */
export async function timeFrames(
  blaster: BlasterHandle,
  n: number,
  received: () => number,
): Promise<number> {
  const before = received();
  const t0 = performance.now();
  if (await blaster.start() !== 1) throw new Error("no connection started");
  const t1 = await until(
    () => received() - before >= n,
    60_000 + n / 10,
    () => `received ${received() - before} of ${n} frames`,
  );
  return n / ((t1 - t0) / 1000);
}

/** Frames/s of a fresh gateway (null sink) with `env` over `n` frames. */
async function gatewayRate(
  blaster: BlasterHandle,
  n: number,
  env: Record<string, string>,
): Promise<number> {
  const g = await startGateway(blaster, "", env);
  try {
    return await timeFrames(blaster, n, g.frames);
  } finally {
    await g.stop();
  }
}

/** Median, min and max of per-run figures. */
export function spread(
  xs: number[],
): { median: number; min: number; max: number } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * Frames/s end to end into a null sink vs bare clients (count only; count +
 * JSON.parse), medians over alternating runs after one warm-up round.
 */
export async function benchE2e(options: { quick: boolean }): Promise<Figure[]> {
  const n = options.quick ? 20_000 : 200_000;
  const runs = options.quick ? 2 : 5;
  const blaster = await spawnBlaster({ count: n, products: PRODUCTS });
  const count: number[] = [];
  const parse: number[] = [];
  const gateway: number[] = [];
  const denoGateway: number[] = [];
  try {
    for (let r = 0; r <= runs; r++) {
      const a = await bareClient(blaster);
      const ca = await timeFrames(blaster, n, () => a.count);
      await a.close();
      let keep: unknown;
      const b = await bareClient(blaster, (s) => keep = JSON.parse(s));
      const cb = await timeFrames(blaster, n, () => b.count);
      await b.close();
      void keep;
      const cg = await gatewayRate(blaster, n, {});
      const cd = await gatewayRate(blaster, n, { WS_CLIENT: "deno" });
      if (r === 0) continue; // warm-up
      count.push(ca);
      parse.push(cb);
      gateway.push(cg);
      denoGateway.push(cd);
    }
  } finally {
    await blaster.close();
  }
  const g = spread(gateway);
  const name = "e2e null sink (coinbase, real Gateway)";
  return [
    {
      name: `${name} vs bare WS client`,
      unit: "frames/s",
      ...g,
      ceilingName: "bare Deno WebSocket, count only",
      ceiling: median(count),
      ratio: g.median / median(count),
      target: 0.7,
    },
    {
      name: `${name}, WS_CLIENT=deno, vs bare WS client`,
      unit: "frames/s",
      ...spread(denoGateway),
      ceilingName: "bare Deno WebSocket, count only",
      ceiling: median(count),
      ratio: median(denoGateway) / median(count),
    },
    {
      name: `${name} vs bare WS client + JSON.parse`,
      unit: "frames/s",
      ...g,
      ceilingName: "bare Deno WebSocket + JSON.parse",
      ceiling: median(parse),
      ratio: g.median / median(parse),
    },
  ];
}

if (import.meta.main) {
  const figures = await benchE2e({ quick: Deno.args.includes("--quick") });
  console.log(JSON.stringify(figures, null, 2));
}
