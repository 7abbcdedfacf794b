/**
 * What API subscriptions may ask of Coinbase Advanced Trade: its market
 * channels (`heartbeats` rides along on every connection by itself), for
 * products spelled `BASE-QUOTE`.
 *
 * @module
 */

import { foldChannel } from "../../subscriptions/channel_options.ts";
import { coinbaseProduct } from "../coinbase/catalog.ts";
import type { VenueCatalog } from "../types.ts";
import { ADVANCED_CHANNELS, type AdvancedChannel } from "./channels.ts";
import { advancedStreams } from "./protocol.ts";

const CHANNELS: readonly AdvancedChannel[] = ADVANCED_CHANNELS.filter((c) =>
  c !== "heartbeats"
);

/**
 * The Coinbase Advanced Trade catalog (no channel takes options).
 *
 * @example Usage
 * ```ts
 * advancedCatalog.streams("candles", ["ETH-USD"]); // [{ key: "candles:ETH-USD", … }]
 * ```
 */
export const advancedCatalog: VenueCatalog = {
  channels: CHANNELS,
  channel: (name, options) => foldChannel(name, options, {}, CHANNELS),
  takesSymbols: () => true,
  nativeSymbol: coinbaseProduct,
  unifiedSymbol: (native) => native,
  streams: (channel, natives) =>
    advancedStreams([channel as AdvancedChannel], natives),
};
