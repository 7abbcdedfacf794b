/**
 * Starting simulators from the command line: `tickgate simulate VENUE`
 * (one venue alone) and `tickgate demo` (every simulated venue, with the
 * configuration pointed at them). Kept here so the CLI stays a thin layer.
 *
 * @module
 */

import type { Config } from "../config.ts";
import { coinbaseRestUrl } from "../venues/coinbase/products.ts";
import { BinanceSimulator } from "./binance.ts";
import { BybitSimulator, DEFAULT_API_KEYS } from "./bybit.ts";
import { CoinbaseSimulator } from "./coinbase.ts";
import { CoinbaseAdvancedSimulator } from "./coinbase_advanced.ts";
import type { SimulatedVenue } from "./venues.ts";

/** Bad simulator arguments (e.g. a malformed `--products` item). */
export class SimulatorArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimulatorArgumentError";
  }
}

/** Settings of {@link startSimulator}. */
export interface SimulatorArgs {
  port: number;
  tradesPerSecond: number;
  seed: number;
  /** Products/pairs/symbols in the venue's own spelling. */
  products?: string[] | undefined;
}

/** A simulator started by {@link startSimulator}. */
export interface RunningSimulator {
  /** What to tell the user: where it listens and what it offers. */
  lines: string[];
  close(): Promise<void>;
}

/** Starts one venue's simulator. */
export async function startSimulator(
  venue: SimulatedVenue,
  args: SimulatorArgs,
): Promise<RunningSimulator> {
  const { products, ...options } = args;
  const some = products !== undefined && products.length > 0;
  if (venue === "binance") {
    const markets = products?.map((p) => {
      const [base, quote] = p.toUpperCase().split(/[-/]/);
      if (!base || !quote) {
        throw new SimulatorArgumentError(
          `--products expects BASE-QUOTE pairs, got "${p}"`,
        );
      }
      return { base, quote };
    });
    const sim = await BinanceSimulator.start({
      ...options,
      ...(some && markets ? { markets } : {}),
    });
    return {
      lines: [
        `Binance Spot simulator listening on ${sim.url} (REST and CoinGecko at ${sim.restUrl})`,
      ],
      close: () => sim.close(),
    };
  }
  if (venue === "bybit") {
    const spot = products?.map((p) => p.toUpperCase().replace(/[-/]/g, ""));
    const sim = await BybitSimulator.start({
      ...options,
      ...(some && spot ? { symbols: { spot } } : {}),
    });
    const key = DEFAULT_API_KEYS[0]!;
    return {
      lines: [
        `Bybit v5 simulator listening on ${sim.url}: public /v5/public/{spot,linear,inverse}, private /v5/private, REST at ${sim.restUrl}`,
        `Test credentials: BYBIT_API_KEY=${key.apiKey} BYBIT_API_SECRET=${key.apiSecret}`,
      ],
      close: () => sim.close(),
    };
  }
  if (venue === "coinbase-advanced") {
    const sim = await CoinbaseAdvancedSimulator.start({
      ...options,
      ...(some ? { products: products.map((p) => p.toUpperCase()) } : {}),
    });
    return {
      lines: [
        `Coinbase Advanced Trade simulator listening on ${sim.url} (one channel per subscribe: heartbeats, candles, market_trades, ticker, ticker_batch, level2, status)`,
      ],
      close: () => sim.close(),
    };
  }
  const sim = await CoinbaseSimulator.start({
    ...options,
    ...(some ? { products } : {}),
  });
  return {
    lines: [
      `Coinbase Exchange simulator listening on ${sim.url}`,
      `Faults: POST ${
        sim.url.replace("ws:", "http:")
      }/faults/{drop,stall?ms=N,skip?count=N,malformed,unknown}`,
    ],
    close: () => sim.close(),
  };
}

/** The simulators of `tickgate demo` and the configuration pointed at them. */
export interface Demo {
  config: Config;
  /** The line logged once the gateway listens on `port`. */
  banner(port: number): string;
  close(): Promise<void>;
}

/**
 * Starts the Coinbase Exchange, Coinbase Advanced Trade, Binance and Bybit
 * simulators (Bybit with a private account that trades on its own) and
 * points `config` at them. The balances route takes `API_KEY`, or `demo`
 * when none is set.
 */
export async function startDemo(config: Config): Promise<Demo> {
  const coinbase = await CoinbaseSimulator.start({
    products: config.coinbase.products,
    tradesPerSecond: 5,
  });
  const advanced = await CoinbaseAdvancedSimulator.start({
    products: config.coinbaseAdvanced.products,
    tradesPerSecond: 5,
  });
  const binance = await BinanceSimulator.start({ tradesPerSecond: 5 });
  const bybit = await BybitSimulator.start({
    tradesPerSecond: 5,
    faults: { privateActivityEveryMs: 3_000 },
  });
  const key = DEFAULT_API_KEYS[0]!;
  const category = config.bybit.category;
  const apiKey = config.apiKey ?? "demo";
  return {
    config: {
      ...config,
      apiKey,
      venues: ["coinbase", "coinbase-advanced", "binance", "bybit"],
      coinbase: {
        ...config.coinbase,
        wsUrl: coinbase.url,
        restUrl: coinbaseRestUrl(coinbase.url),
      },
      coinbaseAdvanced: {
        ...config.coinbaseAdvanced,
        wsUrl: advanced.url,
        // The simulator knows no key: demo subscriptions are public.
        apiKey: undefined,
        apiSecret: undefined,
      },
      binance: {
        ...config.binance,
        wsUrl: binance.url,
        restUrl: binance.restUrl,
      },
      discovery: { ...config.discovery, coingeckoUrl: binance.coingeckoUrl },
      bybit: {
        ...config.bybit,
        publicUrl: `${bybit.url}/v5/public/${category}`,
        privateUrl: `${bybit.url}/v5/private`,
        restUrl: bybit.restUrl,
        apiKey: key.apiKey,
        apiSecret: key.apiSecret,
      },
    },
    banner: (port) =>
      `Demo: simulators of Coinbase at ${coinbase.url}, Coinbase Advanced Trade at ${advanced.url}, Binance at ${binance.url}, Bybit at ${bybit.url}; try curl http://127.0.0.1:${port}/api/v1/latest${
        config.apiKey === undefined
          ? ` or curl -H 'X-API-Key: ${apiKey}' http://127.0.0.1:${port}/api/v1/balances`
          : ""
      }`,
    close: async () => {
      await Promise.all([
        coinbase.close(),
        advanced.close(),
        binance.close(),
        bybit.close(),
      ]);
    },
  };
}
