/**
 * The Bybit settings of the configuration: hosts per environment (with
 * overrides for simulators and regional hosts), category, symbols, topics,
 * and the API credentials of the private stream, given directly or as files
 * (`BYBIT_API_KEY_FILE`, `BYBIT_API_SECRET_FILE`, e.g. mounted secrets).
 *
 * @module
 */

import { z } from "zod";
import {
  list,
  oneOf,
  optionalHttpUrl,
  optionalWsUrl,
  secret,
} from "./config_fields.ts";
import { credential, optionalPath, requirePair } from "./config_credentials.ts";
import {
  BYBIT_CATEGORIES,
  BYBIT_TOPIC_NAMES,
  type BybitCategory,
} from "./venues/bybit/topics.ts";

/** Hosts of each Bybit environment. */
const HOSTS = {
  mainnet: { ws: "wss://stream.bybit.com", rest: "https://api.bybit.com" },
  testnet: {
    ws: "wss://stream-testnet.bybit.com",
    rest: "https://api-testnet.bybit.com",
  },
} as const;

/** The Bybit variables of the schema. */
export const BYBIT_FIELDS = {
  BYBIT_ENVIRONMENT: oneOf(["mainnet", "testnet"], "mainnet"),
  BYBIT_WS_URL: optionalWsUrl,
  BYBIT_PRIVATE_WS_URL: optionalWsUrl,
  BYBIT_REST_URL: optionalHttpUrl,
  BYBIT_CATEGORY: oneOf([...BYBIT_CATEGORIES], "spot"),
  BYBIT_SYMBOLS: list(undefined, ["BTCUSDT", "ETHUSDT"], true),
  BYBIT_TOPICS: list(BYBIT_TOPIC_NAMES, ["publicTrade"]),
  BYBIT_API_KEY: secret,
  BYBIT_API_SECRET: secret,
  BYBIT_API_KEY_FILE: optionalPath,
  BYBIT_API_SECRET_FILE: optionalPath,
};

/** Bybit settings that are secrets. */
export const BYBIT_SECRET_KEYS = ["BYBIT_API_KEY", "BYBIT_API_SECRET"];

/** The effective Bybit settings. */
export interface BybitConfig {
  environment: "mainnet" | "testnet";
  category: BybitCategory;
  symbols: string[];
  /** `BYBIT_TOPICS`, e.g. `publicTrade`, `orderbook.50`, `kline.5`. */
  topics: string[];
  publicUrl: string;
  privateUrl: string;
  restUrl: string;
  /** Secrets: both set, or neither (no private stream). */
  apiKey: string | undefined;
  apiSecret: string | undefined;
}

/** The parsed Bybit variables. */
type Parsed = z.infer<z.ZodObject<typeof BYBIT_FIELDS>>;

/** Whether a URL names a path beyond `/`. */
function hasPath(url: string): boolean {
  const path = new URL(url).pathname;
  return path !== "/" && path !== "";
}

/** `base` + `path` when `base` has no path of its own, else `base`. */
function withPath(base: string, path: string): string {
  return hasPath(base) ? base : `${base.replace(/\/+$/, "")}${path}`;
}

/**
 * Builds {@link BybitConfig}, reading credential files; problems go to
 * `problems`, one line each, naming the variable (never a secret's value).
 */
export async function bybitConfig(
  s: Parsed,
  problems: string[],
): Promise<BybitConfig> {
  const hosts = HOSTS[s.BYBIT_ENVIRONMENT];
  const category = s.BYBIT_CATEGORY;
  const wsBase = s.BYBIT_WS_URL;
  // A bare host (a simulator, a regional host) serves the private stream too.
  const bare = wsBase !== undefined && !hasPath(wsBase);
  const apiKey = await credential(
    "BYBIT_API_KEY",
    s.BYBIT_API_KEY,
    s.BYBIT_API_KEY_FILE,
    problems,
  );
  const apiSecret = await credential(
    "BYBIT_API_SECRET",
    s.BYBIT_API_SECRET,
    s.BYBIT_API_SECRET_FILE,
    problems,
  );
  requirePair(
    ["BYBIT_API_KEY", apiKey],
    ["BYBIT_API_SECRET", apiSecret],
    "the private stream",
    problems,
  );
  const depths = s.BYBIT_TOPICS.filter((t) => t.startsWith("orderbook."));
  if (new Set(depths).size > 1) {
    // Book events carry no depth: two depths would interleave in one book.
    problems.push(
      `BYBIT_TOPICS: at most one orderbook depth, got ${
        [...new Set(depths)].join(", ")
      }`,
    );
  }
  return {
    environment: s.BYBIT_ENVIRONMENT,
    category,
    symbols: [...new Set(s.BYBIT_SYMBOLS)],
    topics: [...new Set(s.BYBIT_TOPICS)],
    publicUrl: withPath(wsBase ?? hosts.ws, `/v5/public/${category}`),
    privateUrl: withPath(
      s.BYBIT_PRIVATE_WS_URL ?? (bare ? wsBase : hosts.ws),
      "/v5/private",
    ),
    restUrl: s.BYBIT_REST_URL ?? hosts.rest,
    apiKey,
    apiSecret,
  };
}
