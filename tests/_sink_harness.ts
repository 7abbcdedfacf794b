/**
 * End-to-end harness for network sinks: the Coinbase simulator → an
 * in-process gateway whose `SINKS` are a canonical NDJSON file (the ground
 * truth: every event the gateway emitted) and the sink under test, named
 * `sut`, with `DATA_DIR` (spool, dead letters) in a temp dir.
 *
 * @module
 */

import { join } from "node:path";
import { Gateway } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import type { NormalizedEvent } from "../src/core/events.ts";
import { matchesFilter } from "../src/core/router.ts";
import { isQueueStats, type QueueStats } from "../src/sinks/queue_stats.ts";
import { parseSinkUrl } from "../src/sinks/url.ts";
import { CoinbaseSimulator } from "../src/simulator/coinbase.ts";
import { readEvents, TEST_ENV, waitFor } from "./_harness.ts";

/** Options for {@link startSinkStack}. */
export interface SinkStackOptions {
  /** The sink under test's URL; `name=sut` is added. */
  sink: string;
  /** Extra settings, as environment variables. */
  env?: Record<string, string>;
  /** @default ["BTC-USD", "ETH-USD"] */
  products?: string[];
  /** Per product. @default 50 */
  tradesPerSecond?: number;
}

/** A running simulator, gateway and temp dir. */
export interface SinkStack {
  sim: CoinbaseSimulator;
  gw: Gateway;
  /** The temp dir (truth file inside). */
  dir: string;
  /** `DATA_DIR` of the gateway. */
  dataDir: string;
  /** Every event the gateway emitted so far (the truth file). */
  truth(): Promise<NormalizedEvent[]>;
  /** The sink under test's stats. */
  stats(): QueueStats;
  /**
   * Pauses the simulator and waits until the truth file and the sink under
   * test delivered everything (queue and spool empty); returns the truth
   * events the sink's filter selects.
   */
  settle(timeoutMs?: number): Promise<NormalizedEvent[]>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts the simulator and a gateway with the truth file and the sink under
 * test.
 *
 * @example Usage
 * ```ts
 * await using stack = await startSinkStack({ sink: "redis://127.0.0.1:6379/0" });
 * const events = await stack.settle();
 * ```
 */
export async function startSinkStack(
  options: SinkStackOptions,
): Promise<SinkStack> {
  const products = options.products ?? ["BTC-USD", "ETH-USD"];
  const sim = await CoinbaseSimulator.start({
    products,
    tradesPerSecond: options.tradesPerSecond ?? 50,
  });
  let dir: string | undefined;
  let gw: Gateway;
  try {
    dir = await Deno.makeTempDir({ prefix: "tickgate-sink-" });
    const sep = options.sink.includes("?") ? "&" : "?";
    const config = await loadConfig({
      env: {
        ...TEST_ENV,
        VENUES: "coinbase",
        COINBASE_WS_URL: sim.url,
        COINBASE_PRODUCTS: products.join(","),
        COINBASE_CHANNELS: "ticker,matches,heartbeat",
        DATA_DIR: join(dir, "data"),
        SINKS: `file:${
          join(dir, "truth.ndjson")
        },${options.sink}${sep}name=sut`,
        ...options.env,
      },
    });
    gw = await Gateway.start(config);
  } catch (e) {
    await sim.close();
    if (dir !== undefined) await Deno.remove(dir, { recursive: true });
    throw e;
  }
  const truthPath = join(dir, "truth.ndjson");
  const sut = gw.sinks.find((s) => s.name === "sut")!;
  const filter = parseSinkUrl(options.sink, 1).filter;
  const stats = (): QueueStats => {
    const st = sut.stats();
    if (!isQueueStats(st)) throw new Error("the sink under test has no queue");
    return st;
  };
  const truth = async () => {
    try {
      return await readEvents(truthPath);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
  };
  let disposed = false;
  return {
    sim,
    gw,
    dir,
    dataDir: join(dir, "data"),
    truth,
    stats,
    async settle(timeoutMs = 60_000) {
      sim.pause();
      // Let frames in flight reach the gateway, then flush the truth file.
      await new Promise((r) => setTimeout(r, 300));
      const file = gw.sinks.find((s) => s.name !== "sut")!;
      await file.flush();
      const all = await truth();
      const mine = all.filter((e) => matchesFilter(filter, e));
      await waitFor(
        `sink "sut" to deliver ${mine.length} events`,
        () => {
          const st = stats();
          return st.queued === 0 && st.spooledBytes === 0 &&
            st.mode === "direct" &&
            st.published + st.deadLettered + st.spoolDropped >= mine.length;
        },
        timeoutMs,
      );
      return mine;
    },
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await gw.stop();
      await sim.close();
      await Deno.remove(dir!, { recursive: true });
    },
  };
}
