/**
 * End-to-end harness for Bybit: the Bybit simulator (public, private and
 * REST on one port), a gateway pointed at it with a real NDJSON file sink.
 *
 * @module
 */

import { join } from "node:path";
import { Gateway } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import type { Clock } from "../src/core/clock.ts";
import {
  BybitSimulator,
  type BybitSimulatorOptions,
} from "../src/simulator/bybit.ts";
import type { VenueRuntime } from "../src/reports.ts";
import { TEST_ENV } from "./_harness.ts";

/** A running simulator + gateway pair. */
export interface BybitStack {
  sim: BybitSimulator;
  gw: Gateway;
  eventsPath: string;
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
  const dir = await Deno.makeTempDir({ prefix: "tickgate-bybit-" });
  const sim = await BybitSimulator.start({
    tradesPerSecond: 20,
    ...options.sim,
  });
  const eventsPath = join(dir, "events.ndjson");
  let gw: Gateway;
  try {
    const config = await loadConfig({
      env: {
        ...TEST_ENV,
        VENUES: "bybit",
        BYBIT_WS_URL: sim.url,
        BYBIT_REST_URL: sim.restUrl,
        SINKS: `file:${eventsPath}`,
        ...options.env,
      },
    });
    gw = await Gateway.start(
      config,
      options.clock ? { clock: options.clock } : {},
    );
  } catch (e) {
    await sim.close();
    throw e;
  }
  let disposed = false;
  return {
    sim,
    gw,
    eventsPath,
    venue: () => gw.venues.find((v) => v.definition.name === "bybit")!,
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await gw.stop();
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
