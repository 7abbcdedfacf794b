/**
 * The Binance Spot benchmark corpus: combined-stream frames
 * (`{"stream":"c001usdt@trade","data":{…}}` and
 * `{"stream":"c001usdt@depth@100ms","data":{"e":"depthUpdate",…}}`) rendered
 * by the simulator's market model, so trade ids are consecutive and every
 * diff's `U` follows the previous `u`. Prices and quantities are 8-decimal
 * strings, as Binance sends them.
 *
 * @module
 */

import type { NormalizedEvent } from "../src/core/events.ts";
import type { VenueStats } from "../src/core/stats.ts";
import { BinanceParser } from "../src/venues/binance/parse.ts";
import { RequestLog } from "../src/venues/binance/requests.ts";
import { streamName } from "../src/venues/binance/channels.ts";
import type { DepthSnapshot } from "../src/venues/binance/depth_sync.ts";
import { syntheticMarkets } from "../src/simulator/binance_assets.ts";
import { BinanceMarket } from "../src/simulator/binance_market.ts";
import { Prng } from "../src/simulator/prng.ts";
import { averageLength, CONNECTION, type VenueCorpus, Zipf } from "./corpus.ts";

/** Share of draws that produce a depth diff (the rest a 1–3 trade cascade). */
const DEPTH_SHARE = 0.6;
/** Levels per side in the untimed REST snapshot each book syncs from. */
const SNAPSHOT_LEVELS = 100;

/**
 * `count` Binance frames over `symbols` symbols, trades and depth diffs
 * (about 75/25), and a parser that has every symbol subscribed to
 * `trade` and `depth` and every book synced: per symbol, one untimed diff
 * is buffered and then a REST snapshot inside it is applied, so each timed
 * diff is applied as a delta.
 *
 * @example Usage
 * ```ts
 * const corpus = binanceCorpus(10_000);
 * const parser = corpus.parser(new VenueStats("binance"));
 * ```
 */
export function binanceCorpus(
  count: number,
  symbols = 200,
  seed = 7,
): VenueCorpus {
  const markets = syntheticMarkets(symbols);
  let now = 1.75e12;
  const market = new BinanceMarket({ markets, seed, startMs: now });
  const natives = market.symbols;
  const pairs = natives.map((n) => ({
    symbol: `${n.slice(0, -4)}-USDT`,
    nativeSymbol: n,
  }));
  const depthStreams = natives.map((n) => streamName(n, "depth"));
  const tradeStreams = natives.map((n) => streamName(n, "trade"));
  // Untimed priming: one diff per symbol, then a snapshot at its end.
  const primeFrames: string[] = [];
  const snapshots: DepthSnapshot[] = [];
  for (let i = 0; i < natives.length; i++) {
    const n = natives[i]!;
    market.openDepthFeed(n, depthStreams[i]!);
    market.step(n, 1, now);
    const diff = market.depthUpdate(n, depthStreams[i]!, now);
    if (diff === null) throw new Error(`No priming diff for ${n}`);
    primeFrames.push(JSON.stringify({ stream: depthStreams[i], data: diff }));
    snapshots.push(market.book(n, SNAPSHOT_LEVELS));
  }

  const rng = new Prng(seed);
  const zipf = new Zipf(natives.length, rng);
  const frames: string[] = [];
  let trades = 0;
  let depth = 0;
  while (frames.length < count) {
    const i = zipf.next();
    const n = natives[i]!;
    now += 1;
    if (rng.next() < DEPTH_SHARE) {
      const diff = market.depthUpdate(n, depthStreams[i]!, now);
      if (diff === null) continue; // nothing changed since the last diff
      frames.push(JSON.stringify({ stream: depthStreams[i], data: diff }));
      depth++;
      continue;
    }
    const step = market.step(n, rng.int(1, 3), now);
    for (const t of step.trades) {
      if (frames.length === count) break;
      frames.push(JSON.stringify({ stream: tradeStreams[i], data: t }));
      trades++;
    }
  }

  return {
    venue: "binance",
    frames,
    kinds: { trade: trades, depthUpdate: depth },
    expected: { trade: trades, book: depth },
    avgBytes: averageLength(frames),
    parser(stats: VenueStats) {
      const parser = new BinanceParser({
        stats,
        requests: new RequestLog(() => 0),
        onSnapshotNeeded: () => {},
      });
      parser.setPairs(pairs, ["trade", "depth"]);
      const out: NormalizedEvent[] = [];
      for (let i = 0; i < natives.length; i++) {
        parser.parse(primeFrames[i]!, 0, CONNECTION, out);
        const verdict = parser.applySnapshot(
          natives[i]!,
          snapshots[i]!,
          0,
          out,
        );
        if (verdict !== "synced") {
          throw new Error(`The ${natives[i]} book did not sync: ${verdict}`);
        }
      }
      return parser;
    },
  };
}
