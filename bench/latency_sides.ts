/**
 * The two sides of the latency benchmark (`latency.ts`), each measured in a
 * process of its own so that neither pays for the other's heap (nor for the
 * harness's): {@link spawnLatencySide} runs this module as a child with the
 * binary's flags, which measures one side against a blaster the parent
 * runs, writes one latency per event (ms) to a file and exits.
 *
 * - `gateway`: the real `Gateway` delivering to Redis Streams; every
 *   event's receive → acknowledged-by-Redis time is taken from the delivery
 *   queue's own latency observer (the `tickgate_sink_latency_seconds`
 *   child it records into), one exact value per event rather than a bucket
 *   bound. Both ends of that difference read `Date.now()`, which has
 *   whole-millisecond steps, so while a run lasts `Date.now()` returns the
 *   sub-millisecond `performance.timeOrigin + performance.now()`.
 * - `bare`, the floor: a bare Deno `WebSocket` client that XADDs each
 *   frame's event (prebuilt, same fields, key and MAXLEN) with ioredis the
 *   moment the frame arrives, timed with `performance.now()` from arrival
 *   to reply.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { HistogramValue } from "../src/core/metrics.ts";
import { SINK_LATENCY_BUCKETS } from "../src/sinks/queue_stats.ts";
import {
  appendFlatFields,
  keyTemplates,
  renderKey,
} from "../src/sinks/redis_format.ts";
import { blasterAt, type BlasterHandle } from "./blaster.ts";
import { coinbaseCorpus } from "./corpus.ts";
import { bareClient, PRODUCTS, startGateway, until } from "./e2e.ts";
import { corpusEvents, REDIS_DB } from "./e2e_destinations.ts";
import { spawnDeno } from "./memory_driver.ts";

/** Which side a child measures. */
export type LatencySide = "gateway" | "bare";

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
 * The floor's commands: one XADD per event of the `n`-frame corpus, with
 * the key, MAXLEN and fields tickgate's Redis sink at `sink` writes.
 */
export function floorCommands(n: number, sink: string): string[][] {
  const events = corpusEvents(coinbaseCorpus(n, PRODUCTS));
  if (events.length !== n) throw new Error("expected one event per frame");
  const templates = keyTemplates(
    new URL(sink).searchParams.get("key") ?? undefined,
  );
  return events.map((e) => {
    const args = ["xadd", renderKey(templates[e.kind], e)];
    args.push("MAXLEN", "~", "10000", "*");
    appendFlatFields(e, args);
    return args;
  });
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

/**
 * Measures `side` in a child process (the binary's permissions and V8
 * flags) against the blaster at `blaster.url`, delivering the `n`-frame
 * corpus into the Redis sink `sink`: one latency per event, in ms.
 */
export async function spawnLatencySide(
  side: LatencySide,
  blaster: BlasterHandle,
  sink: string,
  n: number,
): Promise<number[]> {
  const out = await Deno.makeTempFile({ prefix: "tickgate-latency-" });
  try {
    const proc = spawnDeno(
      fileURLToPath(import.meta.url),
      [side, blaster.url, sink, String(n), out],
      {},
    );
    const code = await proc.exited;
    if (code !== 0) {
      throw new Error(`latency ${side} exited ${code}:\n${proc.logs()}`);
    }
    return JSON.parse(await Deno.readTextFile(out));
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}

if (import.meta.main) {
  const [side, url = "", sink = "", n = "0", out = ""] = Deno.args;
  if (side !== "gateway" && side !== "bare") {
    throw new Error(`latency side must be gateway or bare, not ${side}`);
  }
  const blaster = blasterAt(url);
  const ms = side === "gateway"
    ? await gatewayLatencies(blaster, sink, Number(n))
    : await bareLatencies(blaster, floorCommands(Number(n), sink));
  await Deno.writeTextFile(out, JSON.stringify(ms));
  // Client libraries may keep timers; the result is written, so go.
  Deno.exit(0);
}
