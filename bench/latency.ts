/**
 * Latency at a fixed rate: the blaster sends Coinbase frames at 10,000
 * frames/s for 10 s (2 s with `--quick`); the real `Gateway` delivers them
 * to Redis Streams. Every event's receive → acknowledged-by-Redis time is
 * taken from the delivery queue's own latency observer (the
 * `tickgate_sink_latency_seconds` child it records into), one exact value
 * per event rather than a bucket bound. Both ends of that difference read
 * `Date.now()`, which has whole-millisecond steps, so while a run lasts
 * `Date.now()` returns the sub-millisecond `performance.timeOrigin +
 * performance.now()`.
 *
 * The floor it is compared with, same rate, same frames, same process: a
 * bare Deno `WebSocket` client that XADDs each frame's event (prebuilt, same
 * fields, key and MAXLEN) with ioredis the moment the frame arrives, timed
 * with `performance.now()` from arrival to reply.
 *
 * @module
 */

import type { HistogramValue } from "../src/core/metrics.ts";
import { SINK_LATENCY_BUCKETS } from "../src/sinks/queue_stats.ts";
import {
  appendFlatFields,
  keyTemplates,
  renderKey,
} from "../src/sinks/redis_format.ts";
import { type BlasterHandle, spawnBlaster } from "./blaster.ts";
import { coinbaseCorpus } from "./corpus.ts";
import { bareClient, PRODUCTS, spread, startGateway, until } from "./e2e.ts";
import {
  corpusEvents,
  type Destination,
  REDIS_DB,
  redisDestination,
} from "./e2e_destinations.ts";
import { type Figure, median } from "./figure.ts";

/** Frames per second the blaster sends. */
export const RATE = 10_000;

/** A figure with an upper bound (lower is better). */
export type BoundedFigure = Figure & { targetMax?: number };

/** The `q` quantile (0..1) of ascending `sorted`, nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

/** p50, p99, p999 of `ms` (sorted here), in ms. */
export function percentiles(ms: number[]): [number, number, number] {
  const s = Float64Array.from(ms).sort();
  return [quantile(s, 0.5), quantile(s, 0.99), quantile(s, 0.999)];
}

/**
 * Runs `fn` with `Date.now()` returning sub-millisecond epoch time (the
 * same clock as `performance.timeOrigin + performance.now()`).
 */
export async function withFineClock<T>(fn: () => Promise<T>): Promise<T> {
  const coarse = Date.now;
  const origin = performance.timeOrigin;
  Date.now = () => origin + performance.now();
  try {
    return await fn();
  } finally {
    Date.now = coarse;
  }
}

/**
 * One Gateway run into `sink` at the blaster's fixed rate: every event's
 * receive → acknowledged latency in ms, as the delivery queue observed it.
 */
export async function gatewayLatencies(
  blaster: BlasterHandle,
  sink: string,
  events: number,
): Promise<number[]> {
  const g = await startGateway(blaster, sink);
  try {
    const s = g.gw.sinks[0]!;
    // The child the queue records into: the registry returns the same one.
    const child: HistogramValue = g.gw.metricsRegistry.histogram(
      "tickgate_sink_latency_seconds",
      "",
      ["sink"],
      SINK_LATENCY_BUCKETS,
    ).labels(s.name);
    await until(
      () => s.stats().published >= 1 && s.stats().queued === 0,
      30_000,
      () => "sink not ready",
    );
    const before = s.stats().published;
    const ms: number[] = [];
    const observe = child.observe;
    child.observe = function (v: number) {
      ms.push(v * 1000);
      observe.call(this, v);
    };
    return await withFineClock(async () => {
      if (await blaster.start() !== 1) throw new Error("nothing started");
      await until(
        () => s.stats().published - before >= events,
        60_000 + events / 5,
        () => `published ${s.stats().published - before} of ${events}`,
      );
      child.observe = observe; // not the status events of the stop
      return ms;
    });
  } finally {
    await g.stop();
  }
}

/**
 * The floor: a bare WebSocket client XADDing each frame's prebuilt event as
 * it arrives; arrival → reply in ms per event.
 */
export async function bareLatencies(
  blaster: BlasterHandle,
  commands: readonly string[][],
): Promise<number[]> {
  // Loaded here, not at the top: see e2e_destinations.ts.
  const { Redis } = await import("ioredis");
  const redis = new Redis({ host: "127.0.0.1", port: 6379, db: REDIS_DB });
  redis.on("error", () => {});
  await redis.ping();
  const ms: number[] = [];
  let i = 0;
  let failed = 0;
  const client = await bareClient(blaster, (frame) => {
    const t0 = performance.now();
    if (frame.startsWith('{"type":"subscriptions"')) return;
    const cmd = commands[i++]!;
    redis.call(cmd[0]!, cmd.slice(1)).then(
      () => ms.push(performance.now() - t0),
      () => failed++,
    );
  });
  try {
    if (await blaster.start() !== 1) throw new Error("nothing started");
    await until(
      () => ms.length + failed >= commands.length,
      60_000 + commands.length / 5,
      () => `acknowledged ${ms.length} of ${commands.length}`,
    );
    if (failed > 0) throw new Error(`${failed} XADDs failed`);
    return ms;
  } finally {
    await client.close();
    await redis.quit();
  }
}

/** p50/p99/p999 receive → Redis acknowledgement at 10k frames/s. */
export async function benchLatency(
  options: { quick: boolean },
): Promise<Figure[]> {
  const seconds = options.quick ? 2 : 10;
  const runs = options.quick ? 1 : 3;
  const n = RATE * seconds;
  const events = corpusEvents(coinbaseCorpus(n, PRODUCTS));
  if (events.length !== n) throw new Error("expected one event per frame");
  let dest: Destination;
  try {
    dest = await redisDestination();
  } catch (e) {
    console.error(`latency: skipped, Redis is unreachable: ${e}`);
    return [];
  }
  const templates = keyTemplates(
    new URL(dest.sink).searchParams.get("key") ?? undefined,
  );
  const commands = events.map((e) => {
    const args = ["xadd", renderKey(templates[e.kind], e)];
    args.push("MAXLEN", "~", "10000", "*");
    appendFlatFields(e, args);
    return args;
  });
  const blaster = await spawnBlaster({
    count: n,
    products: PRODUCTS,
    rate: RATE,
  });
  const subject: [number, number, number][] = [];
  const floor: [number, number, number][] = [];
  try {
    for (let r = 0; r < runs; r++) {
      await dest.reset();
      floor.push(percentiles(await bareLatencies(blaster, commands)));
      await dest.reset();
      subject.push(percentiles(await gatewayLatencies(blaster, dest.sink, n)));
    }
  } finally {
    await blaster.close();
    await dest.close();
  }
  const names = ["p50", "p99", "p999"];
  return names.map((p, k): BoundedFigure => {
    const s = spread(subject.map((x) => x[k]!));
    const f = median(floor.map((x) => x[k]!));
    return {
      name: `latency ${p} receive → Redis ack at ${RATE / 1000}k frames/s`,
      unit: "ms",
      ...s,
      ceilingName: "bare WS client, XADD per frame on arrival",
      ceiling: f,
      ratio: s.median / f,
      ...(p === "p99" ? { targetMax: 5 } : {}),
    };
  });
}

if (import.meta.main) {
  const figures = await benchLatency({ quick: Deno.args.includes("--quick") });
  console.log(JSON.stringify(figures, null, 2));
}
