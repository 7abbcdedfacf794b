/**
 * Configuration: one zod schema over the environment variables, optionally
 * layered on a JSON file (`--config FILE` or `TICKGATE_CONFIG`) that uses the
 * same names. The environment wins over the file. This is the only module that
 * reads the environment.
 *
 * @module
 */

import { z } from "zod";

export { ConfigError };
import { VENUE_NAMES, type VenueName } from "./core/events.ts";
import { redactUrl, type SinkSpec } from "./sinks/url.ts";
import type { LogLevelName } from "./logging.ts";
import {
  SINK_FIELDS,
  SINK_SECRET_KEYS,
  type SinkSettings,
  sinkSettings,
  sinkSpecs,
} from "./config_sinks.ts";
import { readConfigFile } from "./config_file.ts";
import { coinbaseRestUrl } from "./venues/coinbase/products.ts";
import { STORE_FIELDS, STORE_SECRET_KEYS } from "./config_store.ts";
import {
  ConfigError,
  empty,
  flag,
  httpUrl,
  int,
  list,
  oneOf,
  optionalHttpUrl,
  secret,
  wsUrl,
} from "./config_fields.ts";
import { BINANCE_CHANNEL_NAMES } from "./venues/binance/channels.ts";
import {
  BYBIT_FIELDS,
  BYBIT_SECRET_KEYS,
  type BybitConfig,
  bybitConfig,
} from "./config_bybit.ts";
import {
  COINBASE_ADVANCED_FIELDS,
  COINBASE_ADVANCED_SECRET_KEYS,
  type CoinbaseAdvancedConfig,
  coinbaseAdvancedConfig,
} from "./config_coinbase_advanced.ts";

/** Channels of the Coinbase Exchange feed tickgate understands. */
export const COINBASE_CHANNELS = [
  "ticker",
  "ticker_batch",
  "matches",
  "heartbeat",
  "level2_batch",
  "status",
] as const;

/** One of {@link COINBASE_CHANNELS}. */
export type CoinbaseChannel = typeof COINBASE_CHANNELS[number];

/** The one schema: environment variable names → typed settings. */
const SCHEMA = z.object({
  HOST: z.preprocess(empty, z.string().default("0.0.0.0")),
  PORT: int(0, 65535, 8080),
  DATA_DIR: z.preprocess(empty, z.string().default("./data")),
  LOG_LEVEL: z.preprocess(
    (
      v,
    ) => (typeof v === "string" && v.trim().toLowerCase() === "warn"
      ? "warning"
      : v),
    oneOf(["debug", "info", "warning", "error"], "info"),
  ),
  LOG_FORMAT: oneOf(["json", "pretty"], "json"),
  VENUES: list(VENUE_NAMES, [
    "coinbase",
    "coinbase-advanced",
    "binance",
    "bybit",
  ]),
  ...SINK_FIELDS,
  API_KEY: secret,
  API_RATE_LIMIT: int(0, 1_000_000, 600),
  ...STORE_FIELDS,
  HEALTH_STRICT: flag(false),
  HEALTH_STALE_SEC: int(1, 86_400, 60),
  HEALTH_GRACE_SEC: int(0, 86_400, 300),
  SUMMARY_INTERVAL_SEC: int(0, 86_400, 10),
  SHUTDOWN_TIMEOUT_MS: int(100, 60_000, 4_500),
  WS_CONNECT_TIMEOUT_MS: int(100, 300_000, 10_000),
  WS_STALE_SEC: int(0, 86_400, 30),
  WS_CLIENT: oneOf(["tickgate", "deno"], "tickgate"),
  RECONNECT_BASE_MS: int(1, 600_000, 500),
  RECONNECT_MAX_MS: int(1, 3_600_000, 30_000),
  BREAKER_THRESHOLD: int(1, 1_000_000, 10),
  BREAKER_COOLDOWN_SEC: int(1, 86_400, 60),
  COINBASE_WS_URL: wsUrl("wss://ws-feed.exchange.coinbase.com"),
  COINBASE_REST_URL: optionalHttpUrl,
  COINBASE_PRODUCTS: list(undefined, ["BTC-USD", "ETH-USD"], true),
  COINBASE_CHANNELS: list(COINBASE_CHANNELS, [
    "ticker",
    "matches",
    "heartbeat",
  ]),
  COINBASE_STREAMS_PER_CONNECTION: int(1, 10_000, 300),
  ...COINBASE_ADVANCED_FIELDS,
  BINANCE_WS_URL: wsUrl("wss://stream.binance.com:9443"),
  BINANCE_REST_URL: httpUrl("https://api.binance.com"),
  BINANCE_STREAMS: list(BINANCE_CHANNEL_NAMES, ["trade"]),
  BINANCE_PAIRS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    list(undefined, [], true).optional(),
  ),
  BINANCE_DEPTH_LIMIT: int(5, 5000, 1000),
  PAIRS_PER_CONNECTION: int(1, 1024, 50),
  PAIRS_LIMIT: int(1, 2000, 200),
  COINGECKO_URL: httpUrl("https://api.coingecko.com"),
  COINGECKO_API_KEY: secret,
  DISCOVERY_QUOTE: z.preprocess(
    empty,
    z.string().trim().regex(
      /^[A-Za-z0-9]{2,12}$/,
      "expected an asset code like USDT",
    )
      .transform((q) => q.toUpperCase()).default("USDT"),
  ),
  FALLBACK_PAIRS: list(undefined, ["BTCUSDT", "ETHUSDT", "SOLUSDT"], true),
  DISCOVERY_REFRESH_SEC: int(60, 7 * 86_400, 3600),
  ...BYBIT_FIELDS,
});

/** Variable names the schema knows (what a config file may contain). */
export const CONFIG_KEYS: readonly string[] = Object.keys(SCHEMA.shape);

/** Settings whose values are secrets: never printed, logged or served. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "API_KEY",
  "COINGECKO_API_KEY",
  ...BYBIT_SECRET_KEYS,
  ...COINBASE_ADVANCED_SECRET_KEYS,
  ...SINK_SECRET_KEYS,
  ...STORE_SECRET_KEYS,
]);

/** The effective configuration. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  logLevel: LogLevelName;
  logFormat: "json" | "pretty";
  venues: VenueName[];
  sinks: SinkSpec[];
  /** What every sink's queue and driver share. */
  sinkSettings: SinkSettings;
  /** Guards mutating REST endpoints; a secret. */
  apiKey: string | undefined;
  /** Requests per minute per API key on the guarded routes; 0: unlimited. */
  apiRateLimit: number;
  /** PostgreSQL for the store (may carry a password); unset: SQLite. */
  databaseUrl: string | undefined;
  /** `strict`: a degraded store or sink makes /health 503. */
  health: { staleSec: number; graceSec: number; strict: boolean };
  summaryIntervalSec: number;
  shutdownTimeoutMs: number;
  transport: {
    connectTimeoutMs: number;
    staleSec: number;
    /** `tickgate`: the own WebSocket client; `deno`: Deno's `WebSocket`. */
    wsClient: "tickgate" | "deno";
    reconnectBaseMs: number;
    reconnectMaxMs: number;
    breakerThreshold: number;
    breakerCooldownSec: number;
  };
  coinbase: {
    wsUrl: string;
    /** REST base (`GET /products`); derived from `wsUrl` when unset. */
    restUrl: string;
    products: string[];
    channels: CoinbaseChannel[];
    streamsPerConnection: number;
  };
  coinbaseAdvanced: CoinbaseAdvancedConfig;
  binance: {
    wsUrl: string;
    restUrl: string;
    /** `BINANCE_STREAMS` channels, e.g. `trade`, `depth`, `kline_1m`. */
    channels: string[];
    /** `BINANCE_PAIRS` when set: explicit pairs, discovery off. */
    pairs: string[] | undefined;
    /** `limit` of REST depth snapshots. */
    depthLimit: number;
    pairsPerConnection: number;
  };
  discovery: {
    coingeckoUrl: string;
    /** A secret. */
    coingeckoApiKey: string | undefined;
    quote: string;
    limit: number;
    fallback: string[];
    refreshSec: number;
  };
  bybit: BybitConfig;
}

/** Where settings come from. */
export interface ConfigSources {
  /** Environment variables. @default the process environment */
  env?: Record<string, string>;
  /** A JSON config file, from `--config`; `TICKGATE_CONFIG` in env otherwise. */
  file?: string | undefined;
  /** Settings that win over both (e.g. `tickgate demo` points Coinbase at its simulator). */
  overrides?: Record<string, string>;
}

/**
 * Builds the configuration from environment and optional file. Throws
 * {@link ConfigError} naming every bad setting.
 *
 * @example Usage
 * ```ts
 * const config = await loadConfig({ env: { PORT: "9000" } });
 * // config.port === 9000
 * ```
 */
export async function loadConfig(sources: ConfigSources = {}): Promise<Config> {
  const env = { ...(sources.env ?? Deno.env.toObject()), ...sources.overrides };
  const path = sources.file ?? empty(env.TICKGATE_CONFIG);
  const fromFile = typeof path === "string"
    ? await readConfigFile(path, CONFIG_KEYS)
    : {};
  const raw: Record<string, unknown> = { ...fromFile };
  for (const key of CONFIG_KEYS) {
    const v = env[key];
    if (v !== undefined) raw[key] = v;
  }
  const parsed = SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "config");
      const from = key in env ? "" : key in fromFile ? ` (in ${path})` : "";
      const got = key in raw ? `, got ${shownValue(key, raw[key])}` : "";
      return `${key}${from}: ${issue.message}${got}`;
    });
    throw new ConfigError(problems);
  }
  const s = parsed.data;
  const problems: string[] = [];
  const sinks = sinkSpecs(s, problems);
  if (s.RECONNECT_MAX_MS < s.RECONNECT_BASE_MS) {
    problems.push(
      `RECONNECT_MAX_MS: expected at least RECONNECT_BASE_MS (${s.RECONNECT_BASE_MS}), got ${s.RECONNECT_MAX_MS}`,
    );
  }
  const bybit = await bybitConfig(s, problems);
  const coinbaseAdvanced = await coinbaseAdvancedConfig(
    s,
    s.VENUES.includes("coinbase-advanced"),
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host: s.HOST,
    port: s.PORT,
    dataDir: s.DATA_DIR,
    logLevel: s.LOG_LEVEL,
    logFormat: s.LOG_FORMAT,
    venues: [...new Set(s.VENUES as VenueName[])],
    sinks,
    sinkSettings: sinkSettings(s),
    apiKey: s.API_KEY,
    apiRateLimit: s.API_RATE_LIMIT,
    databaseUrl: s.DATABASE_URL,
    health: {
      staleSec: s.HEALTH_STALE_SEC,
      graceSec: s.HEALTH_GRACE_SEC,
      strict: s.HEALTH_STRICT,
    },
    summaryIntervalSec: s.SUMMARY_INTERVAL_SEC,
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    transport: {
      connectTimeoutMs: s.WS_CONNECT_TIMEOUT_MS,
      staleSec: s.WS_STALE_SEC,
      wsClient: s.WS_CLIENT,
      reconnectBaseMs: s.RECONNECT_BASE_MS,
      reconnectMaxMs: s.RECONNECT_MAX_MS,
      breakerThreshold: s.BREAKER_THRESHOLD,
      breakerCooldownSec: s.BREAKER_COOLDOWN_SEC,
    },
    coinbase: {
      wsUrl: s.COINBASE_WS_URL,
      restUrl: s.COINBASE_REST_URL ?? coinbaseRestUrl(s.COINBASE_WS_URL),
      products: [...new Set(s.COINBASE_PRODUCTS)],
      channels: [...new Set(s.COINBASE_CHANNELS as CoinbaseChannel[])],
      streamsPerConnection: s.COINBASE_STREAMS_PER_CONNECTION,
    },
    coinbaseAdvanced,
    binance: {
      wsUrl: s.BINANCE_WS_URL,
      restUrl: s.BINANCE_REST_URL,
      channels: [...new Set(s.BINANCE_STREAMS)],
      pairs: s.BINANCE_PAIRS && [...new Set(s.BINANCE_PAIRS)],
      depthLimit: s.BINANCE_DEPTH_LIMIT,
      pairsPerConnection: s.PAIRS_PER_CONNECTION,
    },
    discovery: {
      coingeckoUrl: s.COINGECKO_URL,
      coingeckoApiKey: s.COINGECKO_API_KEY,
      quote: s.DISCOVERY_QUOTE,
      limit: s.PAIRS_LIMIT,
      fallback: [...new Set(s.FALLBACK_PAIRS)],
      refreshSec: s.DISCOVERY_REFRESH_SEC,
    },
    bybit,
  };
}

function shownValue(key: string, value: unknown): string {
  if (SECRET_KEYS.has(key)) return '"***"';
  return JSON.stringify(typeof value === "string" ? value : value ?? null);
}

/**
 * The configuration as printable JSON-able data with every secret redacted
 * (for `tickgate check-config` and `/stats`).
 *
 * @example Usage
 * ```ts
 * console.log(JSON.stringify(redactConfig(config), null, 2));
 * ```
 */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    apiKey: config.apiKey === undefined ? null : "***",
    databaseUrl: config.databaseUrl === undefined
      ? null
      : redactUrl(config.databaseUrl),
    discovery: {
      ...config.discovery,
      coingeckoApiKey: config.discovery.coingeckoApiKey === undefined
        ? null
        : "***",
    },
    coinbaseAdvanced: {
      ...config.coinbaseAdvanced,
      apiKey: config.coinbaseAdvanced.apiKey === undefined ? null : "***",
      apiSecret: config.coinbaseAdvanced.apiSecret === undefined ? null : "***",
    },
    bybit: {
      ...config.bybit,
      apiKey: config.bybit.apiKey === undefined ? null : "***",
      apiSecret: config.bybit.apiSecret === undefined ? null : "***",
    },
    sinkSettings: {
      ...config.sinkSettings,
      webhookToken: config.sinkSettings.webhookToken === undefined
        ? null
        : "***",
    },
    sinks: config.sinks.map((s) => ({
      name: s.name,
      url: redactUrl(s.url),
      format: s.format,
      kinds: s.filter.kinds && [...s.filter.kinds],
      symbols: s.filter.symbols && [...s.filter.symbols],
      venues: s.filter.venues && [...s.filter.venues],
    })),
  };
}
