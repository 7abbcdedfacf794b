/**
 * The Coinbase Advanced Trade settings of the configuration: endpoint,
 * products, channels, and the optional CDP API key (name and private key,
 * given directly or as files) whose JWTs authenticate subscribe messages.
 * A key that cannot sign is a configuration error naming the variable,
 * never quoting the key.
 *
 * @module
 */

import { z } from "zod";
import { list, secret, wsUrl } from "./config_fields.ts";
import { credential, optionalPath, requirePair } from "./config_credentials.ts";
import { ADVANCED_CHANNELS } from "./venues/coinbase_advanced/channels.ts";
import type { AdvancedChannel } from "./venues/coinbase_advanced/channels.ts";
import {
  CdpKeyError,
  importCdpKey,
} from "./venues/coinbase_advanced/cdp_key.ts";

/** The Coinbase Advanced Trade variables of the schema. */
export const COINBASE_ADVANCED_FIELDS = {
  COINBASE_ADV_WS_URL: wsUrl("wss://advanced-trade-ws.coinbase.com"),
  COINBASE_ADV_PRODUCTS: list(undefined, ["BTC-USD", "ETH-USD"], true),
  COINBASE_ADV_CHANNELS: list(ADVANCED_CHANNELS, ["candles", "heartbeats"]),
  COINBASE_API_KEY: secret,
  COINBASE_API_SECRET: secret,
  COINBASE_API_KEY_FILE: optionalPath,
  COINBASE_API_SECRET_FILE: optionalPath,
};

/** Coinbase Advanced Trade settings that are secrets. */
export const COINBASE_ADVANCED_SECRET_KEYS = [
  "COINBASE_API_KEY",
  "COINBASE_API_SECRET",
];

/** The effective Coinbase Advanced Trade settings. */
export interface CoinbaseAdvancedConfig {
  wsUrl: string;
  products: string[];
  /** Always includes `heartbeats` (it keeps quiet channels open). */
  channels: AdvancedChannel[];
  /** Secrets: the CDP key name and private key, both set or neither. */
  apiKey: string | undefined;
  apiSecret: string | undefined;
}

/** The parsed Coinbase Advanced Trade variables. */
type Parsed = z.infer<z.ZodObject<typeof COINBASE_ADVANCED_FIELDS>>;

/**
 * Builds {@link CoinbaseAdvancedConfig}, reading credential files and, when
 * the venue is `enabled`, checking that the key can sign; problems go to
 * `problems`.
 */
export async function coinbaseAdvancedConfig(
  s: Parsed,
  enabled: boolean,
  problems: string[],
): Promise<CoinbaseAdvancedConfig> {
  const apiKey = await credential(
    "COINBASE_API_KEY",
    s.COINBASE_API_KEY,
    s.COINBASE_API_KEY_FILE,
    problems,
  );
  const apiSecret = await credential(
    "COINBASE_API_SECRET",
    s.COINBASE_API_SECRET,
    s.COINBASE_API_SECRET_FILE,
    problems,
  );
  requirePair(
    ["COINBASE_API_KEY", apiKey],
    ["COINBASE_API_SECRET", apiSecret],
    "JWT authentication",
    problems,
  );
  if (enabled && apiKey !== undefined && apiSecret !== undefined) {
    try {
      await importCdpKey(apiKey, apiSecret);
    } catch (e) {
      if (!(e instanceof CdpKeyError)) throw e;
      problems.push(`COINBASE_API_SECRET: ${e.message}`);
    }
  }
  const channels = new Set(s.COINBASE_ADV_CHANNELS as AdvancedChannel[]);
  channels.add("heartbeats");
  return {
    wsUrl: s.COINBASE_ADV_WS_URL,
    products: [...new Set(s.COINBASE_ADV_PRODUCTS)],
    channels: [...channels],
    apiKey,
    apiSecret,
  };
}
