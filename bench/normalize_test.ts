import assert from "node:assert/strict";
import type { NormalizedEvent } from "../src/core/events.ts";
import type { FrameParser } from "../src/core/pipeline.ts";
import { VenueStats } from "../src/core/stats.ts";
import { coinbaseVenueCorpus, CONNECTION, type VenueCorpus } from "./corpus.ts";
import { binanceCorpus } from "./corpus_binance.ts";
import { bybitCorpus } from "./corpus_bybit.ts";
import { benchNormalize } from "./normalize.ts";

const CORPORA: Record<string, (count: number) => VenueCorpus> = {
  coinbase: coinbaseVenueCorpus,
  binance: binanceCorpus,
  bybit: bybitCorpus,
};

/** The native symbol a frame is about (stream, topic or product id). */
function symbolOf(frame: string): string {
  const m = /"(?:stream|topic|product_id)":"([^"]+)"/.exec(frame);
  return (m?.[1] ?? "").replace(/^(publicTrade|orderbook\.\d+)\./, "")
    .replace(/@.*$/, "");
}

for (const [venue, make] of Object.entries(CORPORA)) {
  Deno.test(`${venue} corpus: deterministic, Zipf-like over many symbols, every frame accepted`, () => {
    const a = make(3000);
    assert.equal(a.frames.length, 3000);
    assert.deepEqual(make(3000).frames, a.frames);
    let kinds = 0;
    for (const n of Object.values(a.kinds)) kinds += n;
    assert.equal(kinds, 3000);
    for (const n of Object.values(a.kinds)) assert.ok(n > 300, `${n}`);

    const bySymbol = new Map<string, number>();
    for (const f of a.frames) {
      const s = symbolOf(f);
      bySymbol.set(s, (bySymbol.get(s) ?? 0) + 1);
    }
    const counts = [...bySymbol.values()].sort((x, y) => y - x);
    assert.ok(counts.length > 100, `${counts.length} symbols`);
    assert.ok(counts[0]! > 10 * counts[counts.length >> 1]!, "popularity");

    const stats = new VenueStats(a.venue);
    const parser = a.parser(stats);
    const out: NormalizedEvent[] = [];
    const got: Record<string, number> = {};
    for (const f of a.frames) {
      assert.equal(parser.parse(f, 1, CONNECTION, out), "ok");
      for (const e of out) got[e.kind] = (got[e.kind] ?? 0) + 1;
      out.length = 0;
    }
    assert.deepEqual(got, a.expected);
    assert.equal(stats.duplicates, 0);
    assert.equal(stats.gaps, 0);
  });
}

Deno.test("benchNormalize: parser and pipeline figures, as ratios to the floor of the same run", () => {
  const corpus = bybitCorpus(2000);
  const figures = benchNormalize({
    venue: corpus.venue,
    frames: corpus.frames,
    parser: corpus.parser,
    runs: 2,
    expected: corpus.expected,
  });
  assert.deepEqual(figures.map((f) => f.name), [
    "normalize bybit: parser",
    "normalize bybit: parser + pipeline",
  ]);
  for (const f of figures) {
    assert.ok(f.median > 0 && Number.isFinite(f.median));
    assert.ok(f.min <= f.median && f.median <= f.max);
    assert.equal(f.ceilingName, "JSON.parse only");
    assert.ok(Math.abs(f.ratio - f.median / f.ceiling) < 1e-9);
  }
  assert.equal(figures[0]!.target, 0.8);
  assert.equal(figures[1]!.target, undefined);
});

Deno.test("benchNormalize fails loudly when the parser does not produce the corpus's events", () => {
  const corpus = binanceCorpus(2000);
  // A parser that silently rejects one frame in ten.
  const lossy = (stats: VenueStats): FrameParser => {
    const inner = corpus.parser(stats);
    let n = 0;
    return {
      parse: (frame, ts, conn, out) =>
        ++n % 10 === 0 ? "ok" : inner.parse(frame, ts, conn, out),
    };
  };
  assert.throws(
    () =>
      benchNormalize({
        venue: "binance",
        frames: corpus.frames,
        parser: lossy,
        runs: 1,
        expected: corpus.expected,
      }),
    /produced \d+ events from 2000 frames/,
  );
  // Without expected counts, a corpus of mostly rejected frames still fails.
  assert.throws(
    () =>
      benchNormalize({
        venue: "binance",
        frames: corpus.frames.map((f) => f.replace("@trade", "@nothing")),
        parser: corpus.parser,
        runs: 1,
      }),
    /expected at least 0\.5 per frame/,
  );
});
