/**
 * The Bybit v5 spot benchmark corpus: `publicTrade.<SYM>` frames (one trade
 * 70% of the time, otherwise 2–5) and `orderbook.50.<SYM>` deltas, rendered
 * by the simulator's instrument and book-feed models exactly as the
 * simulator pushes them, so `u` grows by one per push and `seq` never goes
 * back. Prices are spread log-uniformly from 1e-4 to 7e4.
 *
 * @module
 */

import type { NormalizedEvent } from "../src/core/events.ts";
import type { VenueStats } from "../src/core/stats.ts";
import { BybitParser } from "../src/venues/bybit/parse.ts";
import type { BybitRequest } from "../src/venues/bybit/replies.ts";
import { PendingRequests } from "../src/venues/pending_requests.ts";
import { OrderbookFeed } from "../src/simulator/bybit_feeds.ts";
import { SymbolMarket } from "../src/simulator/bybit_market.ts";
import { type SymbolSpec, symbolSpec } from "../src/simulator/bybit_symbols.ts";
import { Prng } from "../src/simulator/prng.ts";
import { averageLength, CONNECTION, type VenueCorpus, Zipf } from "./corpus.ts";

/** Share of draws that produce a trade frame (the rest a book delta). */
const TRADE_SHARE = 0.59;

/** A spot instrument whose base is worth `usd`, with fitting precisions. */
function spec(symbol: string, usd: number): SymbolSpec {
  const log = Math.floor(Math.log10(usd));
  return {
    ...symbolSpec("spot", symbol),
    usd,
    priceDecimals: Math.min(8, Math.max(1, 5 - log)),
    qtyDecimals: Math.min(6, Math.max(0, Math.ceil(Math.log10(usd / 5)))),
  };
}

/**
 * `count` Bybit spot frames over `symbols` symbols, trades and book deltas
 * (about 55/45), and a parser that has every book started by an untimed
 * `orderbook.50` snapshot, so each timed delta is applied.
 *
 * @example Usage
 * ```ts
 * const corpus = bybitCorpus(10_000);
 * const parser = corpus.parser(new VenueStats("bybit"));
 * ```
 */
export function bybitCorpus(
  count: number,
  symbols = 200,
  seed = 7,
): VenueCorpus {
  let now = 1.75e12;
  const rng = new Prng(seed);
  const natives: string[] = [];
  const markets: SymbolMarket[] = [];
  const books: OrderbookFeed[] = [];
  const primeFrames: string[] = [];
  for (let i = 0; i < symbols; i++) {
    const n = `C${String(i + 1).padStart(3, "0")}USDT`;
    const usd = 10 ** (-4 + rng.next() * 8.85); // 1e-4 … 7e4
    const market = new SymbolMarket(spec(n, usd), seed, now, 60_000);
    const book = new OrderbookFeed(
      `orderbook.50.${n}`,
      50,
      market,
      rng.int(1e6, 2e8),
    );
    natives.push(n);
    markets.push(market);
    books.push(book);
    primeFrames.push(book.refresh(now));
  }

  const zipf = new Zipf(symbols, rng);
  const frames: string[] = [];
  let tradeFrames = 0;
  let trades = 0;
  let deltas = 0;
  while (frames.length < count) {
    const i = zipf.next();
    const market = markets[i]!;
    now += 1;
    if (rng.next() < TRADE_SHARE) {
      const n = rng.chance(0.7) ? 1 : rng.int(2, 5);
      const data = JSON.stringify(market.step(n, now));
      frames.push(
        `{"topic":"publicTrade.${
          natives[i]
        }","type":"snapshot","ts":${now},"data":${data}}`,
      );
      tradeFrames++;
      trades += n;
      continue;
    }
    market.step(0, now); // resting-order changes only
    const frame = books[i]!.push(now);
    if (frame === null) continue; // the top 50 did not change
    frames.push(frame);
    deltas++;
  }

  return {
    venue: "bybit",
    frames,
    kinds: { publicTrade: tradeFrames, orderbookDelta: deltas },
    expected: { trade: trades, book: deltas },
    avgBytes: averageLength(frames),
    parser(stats: VenueStats) {
      const parser = new BybitParser({
        stats,
        category: "spot",
        requests: new PendingRequests<BybitRequest>(() => 0),
        resubscribe: (topic) => {
          throw new Error(`The corpus broke the ${topic} book`);
        },
      });
      const out: NormalizedEvent[] = [];
      for (const f of primeFrames) {
        if (parser.parse(f, now, CONNECTION, out) !== "ok") {
          throw new Error(`A priming snapshot was refused: ${f.slice(0, 80)}`);
        }
      }
      return parser;
    },
  };
}
