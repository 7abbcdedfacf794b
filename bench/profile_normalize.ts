/**
 * A driver for profiling the normalize path of one venue, or for printing
 * the normalize figures alone.
 *
 * ```sh
 * # the figures of the three venues (add --quick for a small run)
 * deno run -A bench/profile_normalize.ts
 * # Bybit: 40 alternating passes of the JSON.parse floor and the parser over
 * # the frames containing "orderbook", with a CPU profile to read
 * deno run -A --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile_normalize.ts bybit orderbook 40
 * ```
 *
 * In a profile, `floorLoop` and `parserLoop` separate the two; JSON.parse
 * shows as `parseObject` in both.
 *
 * @module
 */

import type { NormalizedEvent } from "../src/core/events.ts";
import { VenueStats } from "../src/core/stats.ts";
import { parseObject } from "../src/venues/fields.ts";
import { coinbaseVenueCorpus, CONNECTION, type VenueCorpus } from "./corpus.ts";
import { binanceCorpus } from "./corpus_binance.ts";
import { bybitCorpus } from "./corpus_bybit.ts";
import { benchNormalizeAll } from "./normalize.ts";

const CORPORA: Record<string, (count: number) => VenueCorpus> = {
  coinbase: coinbaseVenueCorpus,
  binance: binanceCorpus,
  bybit: bybitCorpus,
};

/** JSON.parse alone; returns how many frames were objects (all of them). */
function floorLoop(frames: readonly string[]): number {
  let objects = 0;
  for (let i = 0; i < frames.length; i++) {
    if (parseObject(frames[i]!) !== undefined) objects++;
  }
  return objects;
}

function parserLoop(corpus: VenueCorpus, frames: readonly string[]): number {
  const parser = corpus.parser(new VenueStats(corpus.venue));
  const out: NormalizedEvent[] = [];
  let events = 0;
  for (let i = 0; i < frames.length; i++) {
    parser.parse(frames[i]!, 1.75e12, CONNECTION, out);
    events += out.length;
    while (out.length > 0) out.pop();
  }
  return events;
}

const [venue, filter = "", passesArg = "20"] = Deno.args.filter((a) =>
  !a.startsWith("--")
);
if (venue === undefined) {
  const figures = benchNormalizeAll({ quick: Deno.args.includes("--quick") });
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(40)} ${(f.median / 1e3).toFixed(0).padStart(6)}k/s  ` +
        `floor ${(f.ceiling / 1e3).toFixed(0).padStart(6)}k/s  ratio ${
          f.ratio.toFixed(3)
        }`,
    );
  }
} else {
  const make = CORPORA[venue];
  if (make === undefined) throw new Error(`Unknown venue ${venue}`);
  const corpus = make(100_000);
  // A subset keeps its sequences whole: trades and book diffs are
  // contiguous per symbol within each kind.
  const frames = corpus.frames.filter((f) => f.includes(filter));
  const passes = Number(passesArg);
  let floorMs = 0;
  let parserMs = 0;
  let events = 0;
  let objects = 0;
  for (let p = 0; p < passes; p++) {
    let t0 = performance.now();
    objects += floorLoop(frames);
    floorMs += performance.now() - t0;
    t0 = performance.now();
    events += parserLoop(corpus, frames);
    parserMs += performance.now() - t0;
  }
  const ns = (ms: number) => (ms * 1e6 / passes / frames.length).toFixed(0);
  console.log(
    `${venue} ${frames.length} frames × ${passes}: floor ${
      ns(floorMs)
    } ns/frame, parser ${ns(parserMs)} ns/frame, ratio ${
      (floorMs / parserMs).toFixed(3)
    } (${objects} objects, ${events} events)`,
  );
}
