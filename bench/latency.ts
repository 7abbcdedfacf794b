/**
 * Latency at a fixed rate: the blaster sends Coinbase frames at 10,000
 * frames/s for 10 s (2 s with `--quick`); the real `Gateway` delivers them
 * to Redis Streams, and each event's receive → acknowledged-by-Redis time
 * is taken exactly. The floor it is compared with, same rate, same frames:
 * a bare Deno `WebSocket` client that XADDs each frame's event the moment
 * it arrives. Each side runs in a process of its own, with the binary's
 * flags (`latency_sides.ts` says how each is measured), so the gateway's
 * figure holds its own garbage collection and nothing else's.
 *
 * @module
 */

import { spawnBlaster } from "./blaster.ts";
import { PRODUCTS, spread } from "./e2e.ts";
import { type Destination, redisDestination } from "./e2e_destinations.ts";
import { type Figure, median } from "./figure.ts";
import { spawnLatencySide } from "./latency_sides.ts";

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

/** p50/p99/p999 receive → Redis acknowledgement at 10k frames/s. */
export async function benchLatency(
  options: { quick: boolean },
): Promise<Figure[]> {
  const seconds = options.quick ? 2 : 10;
  const runs = options.quick ? 1 : 3;
  const n = RATE * seconds;
  let dest: Destination;
  try {
    dest = await redisDestination();
  } catch (e) {
    console.error(`latency: skipped, Redis is unreachable: ${e}`);
    return [];
  }
  const blaster = await spawnBlaster({
    count: n,
    products: PRODUCTS,
    rate: RATE,
  });
  const subject: [number, number, number][] = [];
  const floor: [number, number, number][] = [];
  const side = async (which: "gateway" | "bare") => {
    await dest.reset();
    const ms = await spawnLatencySide(which, blaster, dest.sink, n);
    if (ms.length !== n) {
      throw new Error(`latency ${which}: ${ms.length} samples of ${n}`);
    }
    return percentiles(ms);
  };
  try {
    for (let r = 0; r < runs; r++) {
      floor.push(await side("bare"));
      subject.push(await side("gateway"));
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
