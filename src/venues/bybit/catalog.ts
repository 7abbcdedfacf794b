/**
 * What API subscriptions may ask of Bybit v5: the public topics of
 * `BYBIT_TOPICS` (`orderbook` + `{depth}` and `kline` + `{interval}` fold
 * into `orderbook.50`, `kline.5`) and, with credentials, the private ones
 * (symbol-less). One symbol has at most one order book depth: book events
 * carry no depth, so two would interleave in one book.
 *
 * @module
 */

import { KNOWN_QUOTES } from "../../discovery/binance_symbols.ts";
import {
  depthFamily,
  foldChannel,
  intervalFamily,
} from "../../subscriptions/channel_options.ts";
import type { VenueCatalog } from "../types.ts";
import { bybitStreams } from "./protocol.ts";
import { unifiedSymbol } from "./symbols.ts";
import {
  BYBIT_TOPIC_NAMES,
  type BybitCategory,
  privateTopics,
} from "./topics.ts";

const FAMILIES = {
  orderbook: depthFamily((d) => `orderbook.${d}`),
  kline: intervalFamily((i) => `kline.${i}`),
};

const NATIVE = /^[A-Z0-9]{2,25}(-[A-Z0-9]{2,12})?$/;

/**
 * The Bybit catalog for one category; private topics only `withPrivate`.
 *
 * @example Usage
 * ```ts
 * const catalog = bybitCatalog("linear", false);
 * catalog.nativeSymbol("BTC-USDT"); // "BTCUSDT"
 * catalog.nativeSymbol("BTC-26DEC25"); // "BTC-26DEC25"
 * ```
 */
export function bybitCatalog(
  category: BybitCategory,
  withPrivate: boolean,
): VenueCatalog {
  const privates = withPrivate ? privateTopics(category) : [];
  const channels = [...BYBIT_TOPIC_NAMES, ...privates];
  return {
    channels,
    channel: (name, options) => foldChannel(name, options, FAMILIES, channels),
    takesSymbols: (channel) => !privates.includes(channel),
    nativeSymbol(symbol) {
      let native = symbol.trim().toUpperCase().replace("/", "-");
      const dash = native.indexOf("-");
      if (dash > 0 && KNOWN_QUOTES.includes(native.slice(dash + 1))) {
        native = native.slice(0, dash) + native.slice(dash + 1);
      }
      return NATIVE.test(native) ? native : undefined;
    },
    unifiedSymbol: (native) => unifiedSymbol(native, category),
    streams(channel, natives) {
      if (!privates.includes(channel)) {
        return bybitStreams(category, natives, [channel], false);
      }
      return bybitStreams(category, [], [], true).filter((s) =>
        s.channel === channel
      );
    },
    clash(stream, wanted) {
      if (!stream.channel.startsWith("orderbook.")) return undefined;
      for (const other of wanted.values()) {
        if (
          other.symbol === stream.symbol && other.channel !== stream.channel &&
          other.channel.startsWith("orderbook.")
        ) {
          return `${stream.symbol} is already streamed as ${other.channel}: one order book depth per symbol`;
        }
      }
      return undefined;
    },
  };
}
