/**
 * End-to-end harness for Bybit: the Bybit simulator (public, private and
 * REST on one port), a gateway pointed at it with a real NDJSON file sink.
 *
 * @module
 */

import type { Gateway } from "../src/app.ts";
import type { Clock } from "../src/core/clock.ts";
import {
  BybitSimulator,
  type BybitSimulatorOptions,
} from "../src/simulator/bybit.ts";
import type { VenueRuntime } from "../src/reports.ts";
import { startFileGateway } from "./_harness.ts";

/** A running simulator + gateway pair. */
export interface BybitStack {
  sim: BybitSimulator;
  gw: Gateway;
  eventsPath: string;
  /** The gateway's `DATA_DIR` (temporary). */
  dir: string;
  /** The Bybit venue of the gateway. */
  venue(): VenueRuntime;
  /** Stops the gateway (flushing the sink) and the simulator; removes the dir. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startBybitStack}. */
export interface BybitStackOptions {
  sim?: BybitSimulatorOptions;
  /** Extra settings, as environment variables. */
  env?: Record<string, string>;
  clock?: Clock;
}

/** Starts a Bybit simulator and a gateway writing every event to a file. */
export async function startBybitStack(
  options: BybitStackOptions = {},
): Promise<BybitStack> {
  const sim = await BybitSimulator.start({
    tradesPerSecond: 20,
    ...options.sim,
  });
  const g = await startFileGateway(sim, () => ({
    VENUES: "bybit",
    BYBIT_WS_URL: sim.url,
    BYBIT_REST_URL: sim.restUrl,
    ...options.env,
  }), options.clock);
  return {
    sim,
    ...g,
    venue: () => g.gw.venues.find((v) => v.definition.name === "bybit")!,
  };
}
