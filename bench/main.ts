/**
 * `deno task bench [--quick] [--soak]`: runs every benchmark, prints a table
 * and writes `bench/results/latest.json` (`quick.json` for `--quick`). Every
 * figure is a median of several runs with its ceiling measured in the same
 * process run; compare ratios, not absolute rates (the machines this runs on
 * are shared and noisy). `--quick` only proves the harness works (small N);
 * `--soak` adds the 10-minute memory soak.
 *
 * @module
 */

import { errorText } from "../src/core/error_text.ts";
import { benchE2e } from "./e2e.ts";
import { benchE2eSinks } from "./e2e_sinks.ts";
import type { Figure } from "./figure.ts";
import { benchLatency } from "./latency.ts";
import { benchMemory } from "./memory.ts";
import { benchNormalizeAll } from "./normalize.ts";
import { benchStartup } from "./startup.ts";

const quick = Deno.args.includes("--quick");
const soak = Deno.args.includes("--soak");

/** The benchmarks, in order: cheap and CPU-bound first, processes last. */
const STEPS: [string, () => Figure[] | Promise<Figure[]>][] = [
  ["normalize", () => benchNormalizeAll({ quick })],
  ["end to end, null sink", () => benchE2e({ quick })],
  ["end to end into sinks", () => benchE2eSinks({ quick })],
  ["latency into Redis", () => benchLatency({ quick })],
  ["memory", () => benchMemory({ quick, soak })],
  ["startup", () => benchStartup({ quick })],
];

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}

/** A figure's target, and whether it is met. */
function target(f: Figure): string {
  if (f.target !== undefined) {
    return `≥ ${f.target}× ${f.ratio >= f.target ? "met" : "missed"}`;
  }
  if (f.targetMax !== undefined) {
    const bound = Number.isInteger(f.targetMax)
      ? f.targetMax
      : +f.targetMax.toPrecision(2);
    return `≤ ${bound} ${f.unit} ${f.median <= f.targetMax ? "met" : "missed"}`;
  }
  return "–";
}

const figures: Figure[] = [];
const skipped: { step: string; reason: string }[] = [];
for (const [step, run] of STEPS) {
  console.error(`Running ${step}${quick ? " (quick)" : ""}…`);
  try {
    figures.push(...await run());
  } catch (e) {
    // One benchmark's missing service does not lose the others' figures.
    skipped.push({ step, reason: errorText(e) });
    console.error(`SKIPPED ${step}: ${errorText(e)}`);
  }
}

const rows = figures.map((f) =>
  `| ${f.name} | ${fmt(f.median)} ${f.unit} (${fmt(f.min)}–${
    fmt(f.max)
  }) | ${f.ceilingName}: ${fmt(f.ceiling)} | ${f.ratio.toFixed(2)}× | ${
    target(f)
  } |`
);
console.log(
  [
    "| benchmark | median (min–max) | ceiling, same run | ratio | target |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n"),
);
for (const s of skipped) console.log(`skipped: ${s.step}: ${s.reason}`);

const result = {
  date: new Date().toISOString(),
  quick,
  soak,
  deno: Deno.version.deno,
  v8: Deno.version.v8,
  os: `${Deno.build.os}-${Deno.build.arch}`,
  figures,
  skipped,
};
// A quick run only proves the harness; it never replaces the published figures.
const path = new URL(
  quick ? "./results/quick.json" : "./results/latest.json",
  import.meta.url,
);
await Deno.writeTextFile(path, JSON.stringify(result, null, 2) + "\n");
console.error(`Wrote ${path.pathname}`);
// In CI a skipped benchmark means the harness is broken: fail the quick run.
if (skipped.length > 0 && Deno.env.get("TICKGATE_REQUIRE_SERVICES")) {
  Deno.exit(1);
}
