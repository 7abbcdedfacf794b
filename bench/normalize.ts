/**
 * Normalizer throughput against its floor: a loop that only `JSON.parse`s the
 * same frames. Both run in this process, alternately, so the ratio holds on a
 * noisy machine even when absolute rates do not.
 *
 * @module
 */

import type { NormalizedEvent } from "../src/core/events.ts";
import { FeedPipeline, type FrameParser } from "../src/core/pipeline.ts";
import { VenueStats } from "../src/core/stats.ts";
import { HistogramValue } from "../src/core/metrics.ts";
import type { VenueName } from "../src/core/events.ts";
import { type Figure, median } from "./figure.ts";

function rate(frames: readonly string[], fn: (f: string) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) fn(frames[i]!);
  return frames.length / ((performance.now() - t0) / 1000);
}

/** Options for {@link benchNormalize}. */
export interface NormalizeOptions {
  venue: VenueName;
  frames: readonly string[];
  /** A fresh parser per run (parsers keep dedup state). */
  parser: (stats: VenueStats) => FrameParser;
  runs: number;
}

/**
 * Frames/s of JSON.parse alone, of the venue parser, and of the whole
 * per-frame pipeline (parser, counters, processing histogram, router into a
 * null sink), as medians over `runs` alternating runs.
 */
export function benchNormalize(options: NormalizeOptions): Figure[] {
  const { frames, runs, venue } = options;
  const floor: number[] = [];
  const parser: number[] = [];
  const pipeline: number[] = [];
  let sink = 0;
  const nullSink = {
    write(events: readonly NormalizedEvent[]) {
      sink += events.length;
    },
  };
  for (let r = 0; r <= runs; r++) {
    let keep: unknown;
    const f = rate(frames, (s) => keep = JSON.parse(s));
    const stats = new VenueStats(venue);
    const p = options.parser(stats);
    const out: NormalizedEvent[] = [];
    const n = rate(frames, (s) => {
      p.parse(s, Date.now(), "bench-0", out);
      sink += out.length;
      out.length = 0;
    });
    const pipe = new FeedPipeline({
      parser: options.parser(new VenueStats(venue)),
      stats: new VenueStats(venue),
      sink: nullSink,
      processing: new HistogramValue([0.00001, 0.0001, 0.001]),
    });
    const e = rate(frames, (s) => pipe.handle("bench-0", s, Date.now()));
    if (r === 0 || keep === undefined) continue; // warm-up
    floor.push(f);
    parser.push(n);
    pipeline.push(e);
  }
  if (sink === 0) throw new Error(`The ${venue} corpus produced no events`);
  const floorMedian = median(floor);
  const figure = (name: string, xs: number[], target?: number): Figure => ({
    name,
    unit: "frames/s",
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    ceilingName: "JSON.parse only",
    ceiling: floorMedian,
    ratio: median(xs) / floorMedian,
    ...(target === undefined ? {} : { target }),
  });
  return [
    figure(`normalize ${venue}: parser`, parser, 0.8),
    figure(`normalize ${venue}: parser + pipeline`, pipeline),
  ];
}
