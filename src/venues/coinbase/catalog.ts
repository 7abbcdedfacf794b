/**
 * What API subscriptions may ask of Coinbase Exchange: the ws-feed channels
 * tickgate parses, for products spelled `BASE-QUOTE`.
 *
 * @module
 */

import { COINBASE_CHANNELS } from "../../config.ts";
import { foldChannel } from "../../subscriptions/channel_options.ts";
import type { VenueCatalog } from "../types.ts";
import { coinbaseStreams } from "./protocol.ts";

const PRODUCT = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/;

/**
 * The Coinbase Exchange catalog (no channel takes options).
 *
 * @example Usage
 * ```ts
 * coinbaseCatalog.streams("matches", ["ETH-USD"]); // [{ key: "matches:ETH-USD", … }]
 * ```
 */
export const coinbaseCatalog: VenueCatalog = {
  channels: COINBASE_CHANNELS,
  channel: (name, options) => foldChannel(name, options, {}, COINBASE_CHANNELS),
  takesSymbols: (channel) => channel !== "status",
  nativeSymbol(symbol) {
    const native = symbol.trim().toUpperCase().replace("/", "-");
    return PRODUCT.test(native) ? native : undefined;
  },
  unifiedSymbol: (native) => native,
  streams: (channel, natives) => coinbaseStreams([channel], natives),
};
