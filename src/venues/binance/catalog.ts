/**
 * What API subscriptions may ask of Binance Spot: every `BINANCE_STREAMS`
 * channel (`kline` + `{interval}` and `depth` + `{depth: 5|10|20}` fold into
 * `kline_1m`, `depth10`), for symbols the exchange lists (`BTCUSDT`,
 * `BTC-USDT`, `btc/usdt`).
 *
 * @module
 */

import {
  guessSymbol,
  normalizeNative,
  type SymbolInfo,
} from "../../discovery/binance_symbols.ts";
import {
  depthFamily,
  foldChannel,
  intervalFamily,
} from "../../subscriptions/channel_options.ts";
import type { VenueCatalog } from "../types.ts";
import { BINANCE_CHANNEL_NAMES } from "./channels.ts";
import { binanceStreams } from "./protocol.ts";

const FAMILIES = {
  kline: intervalFamily((i) => `kline_${i}`),
  depth: depthFamily((d) => `depth${d}`),
};

const NATIVE = /^[A-Z0-9]{2,30}$/;

/**
 * The Binance catalog; `listed` gives the exchange's symbols once
 * exchangeInfo was read (until then any well-formed symbol is accepted).
 *
 * @example Usage
 * ```ts
 * const catalog = binanceCatalog(() => undefined);
 * catalog.nativeSymbol("eth-usdt"); // "ETHUSDT"
 * ```
 */
export function binanceCatalog(
  listed: () => ReadonlyMap<string, SymbolInfo> | undefined,
): VenueCatalog {
  return {
    channels: BINANCE_CHANNEL_NAMES,
    channel: (name, options) =>
      foldChannel(name, options, FAMILIES, BINANCE_CHANNEL_NAMES),
    takesSymbols: () => true,
    nativeSymbol(symbol) {
      const native = normalizeNative(symbol);
      if (!NATIVE.test(native)) return undefined;
      const symbols = listed();
      return symbols === undefined || symbols.has(native) ? native : undefined;
    },
    unifiedSymbol: (native) =>
      (listed()?.get(native) ?? guessSymbol(native))?.symbol ?? native,
    streams: (channel, natives) => binanceStreams(natives, [channel]),
  };
}
