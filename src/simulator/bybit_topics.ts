/**
 * Bybit v5 topic names: parsing public topics (`orderbook.50.BTCUSDT`,
 * `publicTrade.BTCUSDT`, `tickers.BTCUSDT`, `kline.5.BTCUSDT`) and private
 * ones (`order`, `execution.spot`, ...), and the documented reply texts.
 *
 * @module
 */
import { ORDERBOOK_DEPTHS } from "../venues/bybit/topics.ts";
import { KLINE_INTERVALS, type KlineInterval } from "./bybit_kline.ts";

/** Order book depths of linear, inverse and spot (the venue's own list). */
export const BOOK_DEPTHS = ORDERBOOK_DEPTHS;

/** One order book depth. */
export type BookDepth = typeof BOOK_DEPTHS[number];

/** A parsed public topic. */
export type PublicTopic =
  | { kind: "orderbook"; depth: BookDepth; symbol: string }
  | { kind: "publicTrade"; symbol: string }
  | { kind: "tickers"; symbol: string }
  | { kind: "kline"; interval: KlineInterval; symbol: string };

/** A private topic family. */
export type PrivateFamily = "order" | "execution" | "wallet" | "position";

/** A parsed private topic: all-in-one when `category` is null. */
export interface PrivateTopic {
  family: PrivateFamily;
  category: string | null;
}

const PRIVATE: Record<PrivateFamily, readonly string[]> = {
  order: ["spot", "linear", "inverse", "option"],
  execution: ["spot", "linear", "inverse", "option"],
  position: ["linear", "inverse", "option"],
  wallet: [],
};

/**
 * Parses a public topic; null when Bybit has no handler for it (unknown
 * name, depth or interval, or a wrong number of parts). The symbol is not
 * checked here.
 *
 * @example Usage
 * ```ts
 * parsePublicTopic("orderbook.50.BTCUSDT"); // { kind: "orderbook", depth: 50, symbol: "BTCUSDT" }
 * parsePublicTopic("orderbook.25.BTCUSDT"); // null
 * ```
 */
export function parsePublicTopic(arg: string): PublicTopic | null {
  const parts = arg.split(".");
  const [name, a, b] = parts;
  if (parts.length === 2 && a) {
    if (name === "publicTrade") return { kind: "publicTrade", symbol: a };
    if (name === "tickers") return { kind: "tickers", symbol: a };
    return null;
  }
  if (parts.length !== 3 || !a || !b) return null;
  if (name === "orderbook") {
    const depth = BOOK_DEPTHS.find((d) => String(d) === a);
    return depth ? { kind: "orderbook", depth, symbol: b } : null;
  }
  if (name === "kline") {
    const interval = KLINE_INTERVALS.find((i) => i === a);
    return interval ? { kind: "kline", interval, symbol: b } : null;
  }
  return null;
}

/**
 * Parses a private topic; null when unknown.
 *
 * @example Usage
 * ```ts
 * parsePrivateTopic("order.spot"); // { family: "order", category: "spot" }
 * parsePrivateTopic("wallet"); // { family: "wallet", category: null }
 * ```
 */
export function parsePrivateTopic(arg: string): PrivateTopic | null {
  const [family, category, extra] = arg.split(".");
  if (extra !== undefined || !family || !(family in PRIVATE)) return null;
  const f = family as PrivateFamily;
  if (category === undefined) return { family: f, category: null };
  return PRIVATE[f].includes(category) ? { family: f, category } : null;
}

/** The reply text for a topic without a handler (seen on the exchange, see research §4.3). */
export function handlerNotFound(arg: string): string {
  return `error:handler not found,topic:${arg}`;
}

/** The reply text for a topic naming an unknown symbol. */
export function invalidSymbol(arg: string): string {
  return `Invalid symbol :[${arg}]`;
}
