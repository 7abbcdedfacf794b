/**
 * Normalizer throughput against its floor: a loop that only `JSON.parse`s the
 * same frames. Floor, parser and pipeline run in this process, alternately
 * (floor, parser, pipeline, floor, …), so the ratio holds on a noisy machine
 * even when absolute rates do not. Every timed run is checked: it must
 * produce exactly the events its corpus promises, or the benchmark throws.
 *
 * @module
 */

import type {
  EventKind,
  NormalizedEvent,
  VenueName,
} from "../src/core/events.ts";
import { FeedPipeline, type FrameParser } from "../src/core/pipeline.ts";
import { VenueStats } from "../src/core/stats.ts";
import { HistogramValue } from "../src/core/metrics.ts";
import { RUN_BYTES, RUN_FRAMES } from "../src/transport/ws_frame.ts";
import { coinbaseVenueCorpus, CONNECTION, type VenueCorpus } from "./corpus.ts";
import { binanceCorpus } from "./corpus_binance.ts";
import { bybitCorpus } from "./corpus_bybit.ts";
import { type Figure, median } from "./figure.ts";

/** Results of the floor loop land here, so the engine cannot drop the work. */
let blackhole: unknown;

function floorRate(frames: readonly string[]): number {
  let keep: unknown;
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) keep = JSON.parse(frames[i]!);
  const s = (performance.now() - t0) / 1000;
  blackhole = keep;
  return frames.length / s;
}

/**
 * The adapter alone: one reused output array, emptied after each frame as
 * the pipeline does (by popping: `length = 0` is a runtime call that also
 * frees the array's store, about 35 ns a frame). The receive time is an
 * input of the adapter (the transport reads the clock), so it is read once
 * per run here.
 */
function parserRate(
  frames: readonly string[],
  parser: FrameParser,
): { rate: number; events: number } {
  const out: NormalizedEvent[] = [];
  const receivedTs = Date.now();
  let events = 0;
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) {
    parser.parse(frames[i]!, receivedTs, CONNECTION, out);
    events += out.length;
    while (out.length > 0) out.pop();
  }
  const s = (performance.now() - t0) / 1000;
  return { rate: frames.length / s, events };
}

/**
 * The whole per-frame path as the transport drives it: frames in runs as
 * the frame reader delivers them (up to `RUN_BYTES` or `RUN_FRAMES`, each
 * but a run's last with `more`), a receive clock read per run (the
 * transport reads it once per socket read, which holds one run or more),
 * the parser, the counters, the processing-time histogram (timed once per
 * run), a null sink.
 */
function pipelineRate(
  frames: readonly string[],
  pipeline: FeedPipeline,
): number {
  const t0 = performance.now();
  let receivedTs = Date.now();
  let runBytes = 0;
  let runFrames = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    runBytes += frame.length;
    runFrames++;
    const last = runBytes >= RUN_BYTES || runFrames === RUN_FRAMES ||
      i + 1 === frames.length;
    pipeline.handle(CONNECTION, frame, receivedTs, !last);
    if (last) {
      runBytes = runFrames = 0;
      receivedTs = Date.now();
    }
  }
  return frames.length / ((performance.now() - t0) / 1000);
}

/** Options for {@link benchNormalize}. */
export interface NormalizeOptions {
  venue: VenueName;
  frames: readonly string[];
  /** A fresh parser per run (parsers keep dedup state), primed untimed. */
  parser: (stats: VenueStats) => FrameParser;
  runs: number;
  /**
   * Events the frames must produce, exactly, by kind. Without it, a run
   * must still produce at least one event per two frames.
   */
  expected?: Partial<Record<EventKind, number>>;
}

function total(expected: Partial<Record<EventKind, number>>): number {
  let n = 0;
  for (const v of Object.values(expected)) n += v ?? 0;
  return n;
}

/** Throws unless a run's events match what the corpus promises. */
function check(
  venue: VenueName,
  what: string,
  frames: number,
  events: number,
  expected: Partial<Record<EventKind, number>> | undefined,
): void {
  const want = expected === undefined ? undefined : total(expected);
  const ok = want === undefined ? events >= frames / 2 : events === want;
  if (!ok) {
    throw new Error(
      `The ${venue} ${what} produced ${events} events from ${frames} frames (${
        (events / frames).toFixed(3)
      } per frame), expected ${
        want ?? "at least 0.5 per frame"
      }: the corpus or the parser is broken`,
    );
  }
}

/** Throws unless the pipeline counted exactly the expected events by kind and no bad frame. */
function checkPipeline(
  venue: VenueName,
  stats: VenueStats,
  frames: number,
  expected: Partial<Record<EventKind, number>> | undefined,
): void {
  const bad = stats.malformed + stats.invalid + stats.unknown;
  if (bad > 0 || stats.frames !== frames) {
    throw new Error(
      `The ${venue} pipeline saw ${stats.frames}/${frames} frames, ${bad} of them rejected`,
    );
  }
  let events = 0;
  for (const v of Object.values(stats.events)) events += v;
  check(venue, "pipeline", frames, events, expected);
  for (const [kind, n] of Object.entries(expected ?? {})) {
    const got = stats.events[kind as EventKind];
    if (got !== n) {
      throw new Error(
        `The ${venue} pipeline emitted ${got} ${kind} events, expected ${n}`,
      );
    }
  }
}

/**
 * Frames/s of JSON.parse alone, of the venue parser, and of the whole
 * per-frame pipeline (receive clock, parser, counters, processing
 * histogram, a null sink), as medians over `runs` alternating runs after
 * one warm-up round.
 *
 * @throws {Error} when a run produces other events than `expected`
 */
export function benchNormalize(options: NormalizeOptions): Figure[] {
  const { frames, runs, venue, expected } = options;
  const floor: number[] = [];
  const parser: number[] = [];
  const pipeline: number[] = [];
  let sunk = 0;
  const nullSink = {
    write(events: readonly NormalizedEvent[]) {
      sunk += events.length;
    },
  };
  for (let r = 0; r <= runs; r++) {
    const f = floorRate(frames);
    const p = options.parser(new VenueStats(venue));
    const n = parserRate(frames, p);
    check(venue, "parser", frames.length, n.events, expected);
    const stats = new VenueStats(venue);
    const pipe = new FeedPipeline({
      parser: options.parser(stats),
      stats,
      sink: nullSink,
      processing: new HistogramValue([0.00001, 0.0001, 0.001]),
    });
    const sunkBefore = sunk;
    const e = pipelineRate(frames, pipe);
    checkPipeline(venue, stats, frames.length, expected);
    check(venue, "null sink", frames.length, sunk - sunkBefore, expected);
    if (r === 0 || blackhole === undefined) continue; // warm-up
    floor.push(f);
    parser.push(n.rate);
    pipeline.push(e);
  }
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

/** The three venues' corpora of `frames` frames each (200 symbols, seed 7). */
export function normalizeCorpora(frames: number): VenueCorpus[] {
  return [
    coinbaseVenueCorpus(frames),
    binanceCorpus(frames),
    bybitCorpus(frames),
  ];
}

/**
 * {@link benchNormalize} for Coinbase (match + ticker), Binance (combined
 * trade + depth diffs) and Bybit (publicTrade + orderbook.50 deltas): 100k
 * frames per venue and 7 runs, or 10k frames and 2 runs when `quick`.
 */
export function benchNormalizeAll(options: { quick: boolean }): Figure[] {
  const count = options.quick ? 10_000 : 100_000;
  const runs = options.quick ? 2 : 7;
  const figures: Figure[] = [];
  for (const corpus of normalizeCorpora(count)) {
    const kinds = Object.entries(corpus.kinds).map(([k, n]) => `${k} ${n}`);
    console.error(
      `normalize ${corpus.venue}: ${corpus.frames.length} frames (${
        kinds.join(", ")
      }; ${corpus.avgBytes.toFixed(0)} B average) over 200 symbols`,
    );
    figures.push(...benchNormalize({
      venue: corpus.venue,
      frames: corpus.frames,
      parser: corpus.parser,
      runs,
      expected: corpus.expected,
    }));
  }
  return figures;
}
