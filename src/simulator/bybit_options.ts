/**
 * Options of the Bybit simulator.
 *
 * @module
 */
import type { BybitApiKey } from "./bybit_auth.ts";
import type { BybitSymbols } from "./bybit_symbols.ts";

/** Options of `BybitSimulator.start`; every field is optional. */
export interface BybitSimulatorOptions {
  /** TCP port; 0 picks a free one. @default {0} */
  port?: number;
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {1} */
  seed?: number;
  /** Symbols per category (missing categories keep their defaults). */
  symbols?: BybitSymbols;
  /** Market tick period. @default {100} */
  tickMs?: number;
  /** Trades per second per instrument; fractions accumulate. @default {5} */
  tradesPerSecond?: number;
  /** Clock ms per kline minute. @default {60000} */
  klineMinuteMs?: number;
  /** Clock of expiry checks, level-1 re-push, idle cut and timestamps. @default {Date.now} */
  now?: () => number;
  /** Accepted API key pairs. @default {one test pair, see DEFAULT_API_KEYS} */
  accounts?: BybitApiKey[];
  /** Starting balances by coin. @default {{ USDT: "100000", BTC: "2" }} */
  balances?: Record<string, string>;
  /** Keep truth histories. @default {true} */
  record?: boolean;
  /** Per history; beyond it the oldest quarter goes. @default {100000} */
  maxRecorded?: number;
  /** Periodic faults for demos (each enabled by its period). */
  faults?: {
    dropEveryMs?: number;
    malformedEveryMs?: number;
    resetEveryMs?: number;
    /** Place and fill a random small order. */
    privateActivityEveryMs?: number;
  };
}
