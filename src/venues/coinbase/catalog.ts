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
 * A product id spelled as Coinbase does (`btc/usd` → `BTC-USD`), or
 * `undefined` when it cannot be one.
 */
export function coinbaseProduct(symbol: string): string | undefined {
  const native = symbol.trim().toUpperCase().replace("/", "-");
  return PRODUCT.test(native) ? native : undefined;
}

/**
 * The Coinbase Exchange catalog (no channel takes options); `listed` gives
 * the exchange's products once read (until then any well-formed id passes).
 *
 * @example Usage
 * ```ts
 * coinbaseCatalog(() => undefined).streams("matches", ["ETH-USD"]); // [{ key: "matches:ETH-USD", … }]
 * ```
 */
export function coinbaseCatalog(
  listed: () => ReadonlySet<string> | undefined,
): VenueCatalog {
  return {
    channels: COINBASE_CHANNELS,
    channel: (name, options) =>
      foldChannel(name, options, {}, COINBASE_CHANNELS),
    takesSymbols: (channel) => channel !== "status",
    nativeSymbol(symbol) {
      const native = coinbaseProduct(symbol);
      const products = listed();
      return native !== undefined &&
          (products === undefined || products.has(native))
        ? native
        : undefined;
    },
    unifiedSymbol: (native) => native,
    streams: (channel, natives) => coinbaseStreams([channel], natives),
  };
}
