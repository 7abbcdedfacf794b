/**
 * End-to-end harness for Coinbase Advanced Trade: the simulator on a clock
 * the test drives, a gateway pointed at it with a real NDJSON file sink,
 * and the clocks both need.
 *
 * @module
 */

import type { Gateway } from "../src/app.ts";
import { type Clock, systemClock } from "../src/core/clock.ts";
import type { NormalizedEvent } from "../src/core/events.ts";
import type { VenueRuntime } from "../src/reports.ts";
import {
  CoinbaseAdvancedSimulator,
  type CoinbaseAdvancedSimulatorOptions,
} from "../src/simulator/coinbase_advanced.ts";
import { startFileGateway, waitFor } from "./_harness.ts";

/** Real timers, with `now()` shifted by `offsetMs` (clock skew, or a jump in time). */
export class OffsetClock implements Clock {
  constructor(public offsetMs = 0) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
  setTimeout(fn: () => void, ms: number): number {
    return systemClock.setTimeout(fn, ms);
  }
  clearTimeout(id: number): void {
    systemClock.clearTimeout(id);
  }
}

/** A running simulator + gateway pair. */
export interface AdvancedStack {
  sim: CoinbaseAdvancedSimulator;
  gw: Gateway;
  eventsPath: string;
  /** The coinbase-advanced venue of the gateway. */
  venue(): VenueRuntime;
  /**
   * Resolves once the gateway has read as many frames as the simulator sent
   * (frames sent before a server-side close still arrive before it).
   */
  settled(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startAdvancedStack}. */
export interface AdvancedStackOptions {
  sim?: CoinbaseAdvancedSimulatorOptions;
  /** Extra settings, as environment variables. */
  env?: Record<string, string>;
  /** The gateway's clock. */
  clock?: Clock;
}

/** Starts a Coinbase Advanced Trade simulator and a gateway writing every event to a file. */
export async function startAdvancedStack(
  options: AdvancedStackOptions = {},
): Promise<AdvancedStack> {
  const sim = await CoinbaseAdvancedSimulator.start({
    tradesPerSecond: 10,
    ...options.sim,
  });
  const g = await startFileGateway(sim, () => ({
    VENUES: "coinbase-advanced",
    COINBASE_ADV_WS_URL: sim.url,
    // The simulator's time moves only when the test moves it.
    WS_STALE_SEC: "0",
    ...options.env,
  }), options.clock);
  const venue = () =>
    g.gw.venues.find((v) => v.definition.name === "coinbase-advanced")!;
  const settled = () =>
    waitFor(
      "the gateway to read every frame the simulator sent",
      () => venue().stats.frames >= sim.sent.length,
    );
  return { sim, ...g, venue, settled };
}

/** Moves a manual simulator clock by `ms` in steps, letting frames flow. */
export async function advance(
  clock: { advance(ms: number): void },
  ms: number,
  stepMs = 250,
): Promise<void> {
  for (let left = ms; left > 0; left -= stepMs) {
    clock.advance(Math.min(stepMs, left));
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** The events of `kind` (typed), for `symbol` when given. */
export function ofKind<K extends NormalizedEvent["kind"]>(
  events: NormalizedEvent[],
  kind: K,
  symbol?: string,
): Extract<NormalizedEvent, { kind: K }>[] {
  return events.filter((e) =>
    e.kind === kind && (symbol === undefined || e.symbol === symbol)
  ) as Extract<NormalizedEvent, { kind: K }>[];
}
