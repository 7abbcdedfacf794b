import assert from "node:assert/strict";
import { delay } from "./async.ts";
import { HistogramValue } from "./metrics.ts";
import { FeedPipeline, type FrameParser } from "./pipeline.ts";
import { VenueStats } from "./stats.ts";

/** A parser that busy-waits `ms` on frames named `slow`, else returns at once. */
const parser: FrameParser = {
  parse(frame) {
    if (frame === "slow") {
      const until = performance.now() + 20;
      while (performance.now() < until) { /* the work being timed */ }
    }
    return "unknown";
  },
};

function pipeline() {
  const processing = new HistogramValue([0.001, 0.015, 1]);
  const p = new FeedPipeline({
    parser,
    stats: new VenueStats("coinbase"),
    sink: { write() {} },
    processing,
  });
  return { p, processing };
}

Deno.test("processing time: one observation a frame, the frames of one run timed back to back", () => {
  const { p, processing } = pipeline();
  p.handle("c-0", "fast", 1);
  p.handle("c-0", "slow", 1);
  p.handle("c-0", "fast", 1);
  assert.equal(processing.count, 3);
  // The 20 ms of the slow frame are counted once: it is in the >15 ms
  // bucket, and the fast frame after it starts where it ended.
  assert.equal(processing.counts[2], 1);
  assert.ok(processing.sum >= 0.02);
  assert.equal(processing.counts[0]! + processing.counts[1]!, 2);
});

Deno.test("processing time: the wait between two runs of frames is not counted", async () => {
  const { p, processing } = pipeline();
  p.handle("c-0", "fast", 1);
  await delay(300);
  p.handle("c-0", "fast", 2);
  assert.equal(processing.count, 2);
  // Chained across the wait, the second frame would have taken 300 ms.
  assert.equal(processing.counts[3], 0);
  assert.ok(processing.sum < 0.3, `sum ${processing.sum}`);
});

Deno.test("processing time: another connection's frames in the same run start afresh", () => {
  const { p, processing } = pipeline();
  p.handle("c-0", "fast", 1);
  // Another venue's pipeline works 20 ms in the same run, then c-1's read
  // resumes (Deno resumes reads that finished in one tick back to back).
  parser.parse("slow", 1, "other-0", []);
  p.handle("c-1", "fast", 1);
  assert.equal(processing.count, 2);
  assert.equal(processing.counts[2], 0);
  assert.ok(processing.sum < 0.02, `sum ${processing.sum}`);
});

Deno.test("processing time: a batch (frames with more) is timed once, its time shared by its frames", () => {
  const { p, processing } = pipeline();
  p.handle("c-0", "fast", 1, true);
  p.handle("c-0", "slow", 1, true);
  assert.equal(processing.count, 0, "observed before the batch ended");
  p.handle("c-0", "fast", 1);
  assert.equal(processing.count, 3);
  assert.ok(processing.sum >= 0.02, `sum ${processing.sum}`);
  // 20 ms over three frames: each ~6.7 ms, in the (1 ms, 15 ms] bucket.
  assert.equal(processing.counts[1], 3);
});

Deno.test("processing time: a batch whose last frame never comes ends after its run, without the wait", async () => {
  const { p, processing } = pipeline();
  p.handle("c-0", "fast", 1, true);
  await Promise.resolve();
  assert.equal(processing.count, 1);
  await delay(300);
  p.handle("c-0", "fast", 2);
  assert.equal(processing.count, 2);
  assert.ok(processing.sum < 0.3, `sum ${processing.sum}`);
});

Deno.test("a (re)opened connection starts with nothing acknowledged, for every venue; others keep theirs; the parser is told", () => {
  const opened: string[] = [];
  const stats = new VenueStats("binance");
  const p = new FeedPipeline({
    parser: {
      parse: () => "unknown",
      connectionOpened: (c) => opened.push(c),
    },
    stats,
    sink: { write() {} },
  });
  stats.acked.set("binance-0", { trade: ["BTCUSDT"] });
  stats.acked.set("binance-1", { depth: ["ETHUSDT"] });
  p.connectionOpened("binance-0");
  assert.equal(stats.acked.has("binance-0"), false);
  assert.deepEqual(stats.acked.get("binance-1"), { depth: ["ETHUSDT"] });
  assert.deepEqual(opened, ["binance-0"]);
});
