/**
 * End-to-end harness for Binance: the Binance simulator (WebSocket, REST
 * and CoinGecko on one port), a gateway pointed at it with a real NDJSON
 * file sink, and helpers to read trades back.
 *
 * @module
 */

import type { Gateway } from "../src/app.ts";
import type { Clock } from "../src/core/clock.ts";
import type { NormalizedEvent, TradeEvent } from "../src/core/events.ts";
import {
  BinanceSimulator,
  type BinanceSimulatorOptions,
} from "../src/simulator/binance.ts";
import type { VenueRuntime } from "../src/reports.ts";
import { startFileGateway } from "./_harness.ts";

/** A running simulator + gateway pair. */
export interface BinanceStack {
  sim: BinanceSimulator;
  gw: Gateway;
  eventsPath: string;
  /** The Binance venue of the gateway. */
  venue(): VenueRuntime;
  /** Stops the gateway (flushing the sink) and the simulator; removes the dir. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startBinanceStack}. */
export interface BinanceStackOptions {
  sim?: BinanceSimulatorOptions;
  /** Extra settings, as environment variables. */
  env?: Record<string, string>;
  clock?: Clock;
  /** Runs after the simulator started, before the gateway does (e.g. inject a fault). */
  beforeStart?(sim: BinanceSimulator): void;
}

/** Starts a Binance simulator and a gateway writing every event to a file. */
export async function startBinanceStack(
  options: BinanceStackOptions = {},
): Promise<BinanceStack> {
  const sim = await BinanceSimulator.start({
    tradesPerSecond: 10,
    ...options.sim,
  });
  options.beforeStart?.(sim);
  const g = await startFileGateway(sim, () => ({
    VENUES: "binance",
    BINANCE_WS_URL: sim.url,
    BINANCE_REST_URL: sim.restUrl,
    COINGECKO_URL: sim.coingeckoUrl,
    ...options.env,
  }), options.clock);
  return {
    sim,
    ...g,
    venue: () => g.gw.venues.find((v) => v.definition.name === "binance")!,
  };
}

/** Trade events by native symbol, in file order. */
export function tradesBySymbol(
  events: readonly NormalizedEvent[],
): Map<string, TradeEvent[]> {
  const out = new Map<string, TradeEvent[]>();
  for (const e of events) {
    if (e.kind !== "trade") continue;
    const list = out.get(e.nativeSymbol);
    if (list) list.push(e);
    else out.set(e.nativeSymbol, [e]);
  }
  return out;
}

/**
 * Asserts-by-throwing that `trades` of `symbol` are exactly the simulator's
 * trades between the first and the last received: none missing, none twice,
 * fields equal.
 */
export function checkTrades(
  sim: BinanceSimulator,
  symbol: string,
  trades: readonly TradeEvent[],
): void {
  if (trades.length === 0) throw new Error(`${symbol}: no trades received`);
  const first = Number(trades[0]!.tradeId);
  const last = Number(trades.at(-1)!.tradeId);
  const truth = sim.trades(symbol).filter((t) => t.t >= first && t.t <= last);
  const got = trades.map((t) => Number(t.tradeId));
  if (new Set(got).size !== got.length) {
    throw new Error(`${symbol}: a trade id arrived twice`);
  }
  if (got.length !== truth.length) {
    throw new Error(
      `${symbol}: ${got.length} trades received, ${truth.length} sent in ${first}..${last}`,
    );
  }
  truth.forEach((t, i) => {
    const e = trades[i]!;
    const side = t.m ? "sell" : "buy";
    if (
      Number(e.tradeId) !== t.t || e.price !== t.p || e.size !== t.q ||
      e.exchangeTs !== t.T || e.side !== side
    ) {
      throw new Error(
        `${symbol}: trade ${t.t} differs: ${JSON.stringify(e)} vs ${
          JSON.stringify(t)
        }`,
      );
    }
  });
}
