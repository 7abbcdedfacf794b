/**
 * Bybit v5 market categories and public topic names: which `BYBIT_TOPICS`
 * values exist, how a topic names its symbol, and how kline intervals map to
 * tickgate's (`1` → `1m`, `D` → `1d`).
 *
 * @module
 */

/** Market categories tickgate connects to (`/v5/public/{category}`). */
export const BYBIT_CATEGORIES = ["spot", "linear", "inverse"] as const;

/** One of {@link BYBIT_CATEGORIES}. */
export type BybitCategory = typeof BYBIT_CATEGORIES[number];

/** Order-book depths Bybit serves for spot, linear and inverse. */
export const ORDERBOOK_DEPTHS = [1, 50, 200, 1000] as const;

/** Bybit's kline intervals (minutes, then day, week, month). */
export const KLINE_INTERVAL_CODES = [
  "1",
  "3",
  "5",
  "15",
  "30",
  "60",
  "120",
  "240",
  "360",
  "720",
  "D",
  "W",
  "M",
] as const;

/** One of {@link KLINE_INTERVAL_CODES}. */
export type BybitKlineInterval = typeof KLINE_INTERVAL_CODES[number];

/** Bybit kline interval → tickgate's candle interval. */
export const KLINE_INTERVALS: Readonly<Record<BybitKlineInterval, string>> = {
  "1": "1m",
  "3": "3m",
  "5": "5m",
  "15": "15m",
  "30": "30m",
  "60": "1h",
  "120": "2h",
  "240": "4h",
  "360": "6h",
  "720": "12h",
  D: "1d",
  W: "1w",
  M: "1M",
};

/** Every value `BYBIT_TOPICS` accepts (a topic without its symbol). */
export const BYBIT_TOPIC_NAMES: readonly string[] = [
  "publicTrade",
  "tickers",
  ...ORDERBOOK_DEPTHS.map((d) => `orderbook.${d}`),
  ...KLINE_INTERVAL_CODES.map((i) => `kline.${i}`),
];

/** Private topics: all-in-one, so one subscription covers every category. */
export function privateTopics(category: BybitCategory): string[] {
  const topics = ["order", "execution", "wallet"];
  if (category !== "spot") topics.push("position");
  return topics;
}

/** What kind of data a public topic carries. */
export type TopicKind = "trade" | "ticker" | "book" | "kline";

/** A public topic split into its parts. */
export interface TopicParts {
  kind: TopicKind;
  /** The topic name without its symbol, e.g. `orderbook.50`. */
  name: string;
  nativeSymbol: string;
  /** Order-book depth. */
  depth: number;
  /** tickgate's kline interval, e.g. `5m`. */
  interval: string;
}

/**
 * Splits `orderbook.50.BTCUSDT`, `kline.5.BTCUSDT`, `publicTrade.BTCUSDT`
 * or `tickers.BTCUSDT`; `undefined` for any other topic.
 *
 * @example Usage
 * ```ts
 * splitTopic("orderbook.50.BTCUSDT");
 * // { kind: "book", name: "orderbook.50", nativeSymbol: "BTCUSDT", depth: 50, interval: "" }
 * ```
 */
export function splitTopic(topic: string): TopicParts | undefined {
  const dot = topic.lastIndexOf(".");
  if (dot <= 0 || dot === topic.length - 1) return undefined;
  const name = topic.slice(0, dot);
  const nativeSymbol = topic.slice(dot + 1);
  const first = name.indexOf(".");
  const head = first < 0 ? name : name.slice(0, first);
  const arg = first < 0 ? "" : name.slice(first + 1);
  const base = { name, nativeSymbol, depth: 0, interval: "" };
  if (head === "publicTrade" && arg === "") return { ...base, kind: "trade" };
  if (head === "tickers" && arg === "") return { ...base, kind: "ticker" };
  if (head === "orderbook" && /^[1-9]\d*$/.test(arg)) {
    return { ...base, kind: "book", depth: Number(arg) };
  }
  const interval = head === "kline"
    ? KLINE_INTERVALS[arg as BybitKlineInterval]
    : undefined;
  if (interval !== undefined) return { ...base, kind: "kline", interval };
  return undefined;
}
