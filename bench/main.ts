/**
 * `deno task bench [--quick]`: runs the benchmarks, prints a table and writes
 * `bench/results/latest.json` (`quick.json` for `--quick`). Every figure is a median of several runs with
 * its ceiling measured in the same process; compare ratios, not absolute
 * rates (the machines this runs on are shared and noisy).
 *
 * @module
 */

import { CoinbaseParser } from "../src/venues/coinbase/parse.ts";
import { coinbaseCorpus } from "./corpus.ts";
import type { Figure } from "./figure.ts";
import { benchNormalize } from "./normalize.ts";

const quick = Deno.args.includes("--quick");
const FRAMES = quick ? 10_000 : 100_000;
const RUNS = quick ? 2 : 7;

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return n.toFixed(2);
}

const figures: Figure[] = [];
console.error(`Generating ${FRAMES} Coinbase frames over 200 symbols…`);
const corpus = coinbaseCorpus(FRAMES);
figures.push(...benchNormalize({
  venue: "coinbase",
  frames: corpus,
  parser: (stats) => new CoinbaseParser(stats),
  runs: RUNS,
}));

const rows = figures.map((f) =>
  `| ${f.name} | ${fmt(f.median)} ${f.unit} (${fmt(f.min)}–${
    fmt(f.max)
  }) | ${f.ceilingName}: ${fmt(f.ceiling)} | ${f.ratio.toFixed(2)}× | ${
    f.target === undefined ? "–" : `≥ ${f.target}×`
  } |`
);
console.log(
  [
    "| benchmark | median (min–max) | ceiling, same run | ratio | target |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n"),
);

const result = {
  date: new Date().toISOString(),
  quick,
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  os: `${Deno.build.os}-${Deno.build.arch}`,
  frames: FRAMES,
  runs: RUNS,
  figures,
};
// A quick run only proves the harness; it never replaces the published figures.
const path = new URL(
  quick ? "./results/quick.json" : "./results/latest.json",
  import.meta.url,
);
await Deno.writeTextFile(path, JSON.stringify(result, null, 2) + "\n");
console.error(`Wrote ${path.pathname}`);
