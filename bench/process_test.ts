/**
 * Harness correctness of the process benchmarks (memory, startup): they
 * measure what they claim, on real processes. Nothing here asserts speed
 * or size.
 */

import assert from "node:assert/strict";
import {
  benchMemory,
  LIVE_SLOPE_BOUND_MB_PER_MIN,
  liveHeapFigure,
  runMemory,
  soakFigure,
} from "./memory.ts";
import {
  blockLine,
  childEnv,
  fullGcOf,
  leastSquares,
  readRssMb,
  rssUnsupported,
  soakSlope,
} from "./memory_driver.ts";
import { benchStartup } from "./startup.ts";

const onLinux = rssUnsupported() === undefined;

function close(actual: number, expected: number, eps: number) {
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≉ ${expected}`);
}

Deno.test("leastSquares recovers an exact line and a zero error", () => {
  const xs = [0, 1, 2, 3, 4, 5];
  const line = leastSquares(xs, xs.map((x) => 3 - 0.5 * x));
  close(line.slope, -0.5, 1e-12);
  close(line.intercept, 3, 1e-12);
  close(line.slopeSe, 0, 1e-12);
});

Deno.test("blockLine averages blocks before fitting", () => {
  // A saw-tooth with period 10 on a slope of 2: block means of 10 remove it.
  const xs = Array.from({ length: 100 }, (_, i) => i);
  const ys = xs.map((x) => 2 * x + (x % 10));
  const line = blockLine(xs, ys, 10);
  close(line.slope, 2, 1e-9);
  close(line.slopeSe, 0, 1e-9);
});

Deno.test("soakSlope fits the second half, in MB per minute", () => {
  // Flat for 5 min, then +1 MB/min: only the rise is fitted.
  const samples = Array.from({ length: 600 }, (_, i) => ({
    t: i + 1,
    mb: 80 + (i < 300 ? 0 : (i - 300) / 60),
  }));
  const { perSecond, blocks } = soakSlope(samples);
  close(perSecond.slope, 1, 1e-6);
  close(blocks.slope, 1, 1e-6);
});

Deno.test("soakFigure holds the RSS slope against its own noise", () => {
  // 10 min, +0.2 MB/min plus a 4 MB saw-tooth of period 45 s.
  const samples = Array.from({ length: 600 }, (_, i) => ({
    t: i + 1,
    mb: 90 + (0.2 * (i + 1)) / 60 + (i % 45) / 11,
  }));
  const f = soakFigure(samples);
  assert.equal(f.unit, "MB/min");
  close(f.median, 0.2, 0.2);
  assert.ok(f.ceiling > 0 && f.min < f.max, "a noise band");
  close(f.ratio, f.median / f.ceiling, 1e-12);
  assert.match(f.name, /10-min soak/);
});

Deno.test("liveHeapFigure fits full GCs after the first minute", () => {
  const gcs = [5, 30, 70, 130, 250, 400, 590].map((t) => ({
    t,
    mb: t < 60 ? 10 : 20 + 0.05 * (t / 60),
  }));
  const f = liveHeapFigure(gcs);
  close(f.median, 0.05, 1e-9);
  assert.equal(f.ceiling, LIVE_SLOPE_BOUND_MB_PER_MIN);
  assert.match(f.name, /5 GCs/);
  assert.ok(Number.isNaN(liveHeapFigure(gcs.slice(0, 4)).median));
});

Deno.test("fullGcOf reads full GCs of --trace-gc, not scavenges", () => {
  const pre = "[18392:0x55c64d3d7000]     9161 ms: ";
  assert.deepEqual(
    fullGcOf(`${pre}Incremental Mark-Compact 29.1 (55.6) -> 19.5 (55.6) MB, …`),
    { ms: 9161, liveMb: 19.5 },
  );
  assert.deepEqual(
    fullGcOf(
      `x{"kind":"trade"}${pre}Mark-Compact (reduce) 21.0 (40.1) -> 18.3 (39.0) MB`,
    ),
    { ms: 9161, liveMb: 18.3 },
  );
  assert.equal(
    fullGcOf(`${pre}Scavenge 58.0 (85.4) -> 34.0 (86.4) MB`),
    undefined,
  );
  assert.equal(
    fullGcOf(`${pre}Minor Mark-Compact 8.0 (9.4) -> 4.0 (9.4) MB`),
    undefined,
  );
});

Deno.test("childEnv keeps the Deno cache and drops gateway settings", () => {
  const env = childEnv({ PORT: "1" });
  assert.equal(env.PORT, "1");
  assert.equal(env.VENUES, undefined);
  assert.equal(env.NO_COLOR, "1");
});

Deno.test({
  name: "readRssMb reads this process's resident set",
  ignore: !onLinux,
  async fn() {
    const mb = await readRssMb(Deno.pid);
    assert.ok(mb !== undefined && mb > 1, `RSS ${mb}`);
    assert.equal(await readRssMb(2 ** 30), undefined);
  },
});

Deno.test({
  name: "a memory run subscribes every pair and delivers every event",
  ignore: !onLinux,
  async fn() {
    const pairs = 20;
    // --trace-gc shares stdout with the sink: its lines must not count.
    const run = await runMemory({
      pairs,
      seconds: 3,
      framesPerSecond: 400,
      traceGc: true,
    });
    assert.equal(run.streams, pairs);
    assert.equal(run.samples.length, 3);
    assert.ok(run.samples.every((s) => s.mb > 1), "RSS samples");
    assert.equal(run.code, 0);
    assert.ok(run.counted > 0, "tickgate counted events");
    // Every event counted reached the sink, plus one `disconnected` status
    // event per connection at shutdown (after /stats was read).
    assert.equal(run.delivered, run.counted + run.connections);
  },
});

Deno.test({
  name: "benchMemory --quick gives end and max RSS against the limit",
  ignore: !onLinux,
  async fn() {
    const figures = await benchMemory({ quick: true });
    assert.equal(figures.length, 2);
    for (const f of figures) {
      assert.equal(f.unit, "MB");
      assert.equal(f.ceilingName, "limit");
      assert.equal(f.ceiling, 128);
      assert.ok(f.min <= f.median && f.median <= f.max);
      close(f.ratio, f.median / 128, 1e-12);
    }
  },
});

Deno.test("benchStartup --quick times tickgate and the floor", async () => {
  const [f, ...rest] = await benchStartup({ quick: true });
  assert.equal(rest.length, 0);
  assert.ok(f !== undefined);
  assert.equal(f.unit, "ms");
  assert.ok(f.ceiling > 0 && f.median > 0);
  assert.ok(f.min <= f.median && f.median <= f.max);
  close(f.ratio, f.median / f.ceiling, 1e-12);
});
