import assert from "node:assert/strict";
import { MetricsRegistry } from "./metrics.ts";

Deno.test("MetricsRegistry.expose() renders counters, gauges and histograms", () => {
  const reg = new MetricsRegistry();
  const c = reg.counter("frames_total", "Frames read", ["venue"]);
  c.labels("coinbase").inc();
  c.labels("coinbase").inc(2);
  c.labels('we"ird\\').inc();
  reg.gauge("up", "Up").set(1);
  const h = reg.histogram("lat_seconds", "Latency", [], [0.1, 1]);
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  let collected = 0;
  reg.addCollector(() => collected++);
  const text = reg.expose();
  assert.equal(collected, 1);
  assert.equal(
    text,
    [
      "# HELP frames_total Frames read",
      "# TYPE frames_total counter",
      'frames_total{venue="coinbase"} 3',
      'frames_total{venue="we\\"ird\\\\"} 1',
      "# HELP up Up",
      "# TYPE up gauge",
      "up 1",
      "# HELP lat_seconds Latency",
      "# TYPE lat_seconds histogram",
      'lat_seconds_bucket{le="0.1"} 1',
      'lat_seconds_bucket{le="1"} 2',
      'lat_seconds_bucket{le="+Inf"} 3',
      "lat_seconds_sum 5.55",
      "lat_seconds_count 3",
      "",
    ].join("\n"),
  );
});

Deno.test("MetricsRegistry returns the same family for the same name and rejects bad names", () => {
  const reg = new MetricsRegistry();
  assert.equal(reg.counter("a_total", "x"), reg.counter("a_total", "x"));
  assert.throws(() => reg.counter("bad-name", "x"), TypeError);
  assert.throws(() => reg.counter("ok_total", "x", ["bad-label"]), TypeError);
  assert.throws(() => reg.counter("b_total", "x", ["v"]).labels(), RangeError);
});

Deno.test("HistogramValue.quantile() returns the bucket bound", () => {
  const h = new MetricsRegistry().histogram("q", "q", [], [1, 2, 3]).labels();
  for (const v of [0.5, 1.5, 1.5, 2.5]) h.observe(v);
  assert.equal(h.quantile(0.25), 1);
  assert.equal(h.quantile(0.75), 2);
  assert.equal(h.quantile(1), 3);
});
