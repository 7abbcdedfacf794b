/**
 * The Binance Spot channels tickgate subscribes to (`BINANCE_STREAMS`) and
 * the stream names they become: `<symbol>@<suffix>`, lower-case.
 *
 * @module
 */

/** Kline intervals Binance publishes. */
export const KLINE_INTERVALS = [
  "1s",
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
] as const;

/** Channel names without parameters. */
const PLAIN = [
  "trade",
  "aggTrade",
  "bookTicker",
  "depth",
  "depth5",
  "depth10",
  "depth20",
  "ticker",
  "miniTicker",
] as const;

/** What a stream's payloads are, which decides how they are parsed. */
export type StreamKind =
  | "trade"
  | "aggTrade"
  | "bookTicker"
  | "depth"
  | "partialDepth"
  | "kline"
  | "ticker"
  | "miniTicker";

/** Every accepted `BINANCE_STREAMS` entry, for error messages. */
export const BINANCE_CHANNEL_NAMES: readonly string[] = [
  ...PLAIN,
  ...KLINE_INTERVALS.map((i) => `kline_${i}`),
];

/** Whether `channel` is a `BINANCE_STREAMS` entry tickgate understands. */
export function isBinanceChannel(channel: string): boolean {
  return BINANCE_CHANNEL_NAMES.includes(channel);
}

/** The payload kind of a channel (`kline_1m` → `kline`, `depth10` → `partialDepth`). */
export function kindOf(channel: string): StreamKind {
  if (channel.startsWith("kline_")) return "kline";
  if (/^depth\d+$/.test(channel)) return "partialDepth";
  return channel as StreamKind;
}

/**
 * The stream name of `channel` for `nativeSymbol`. Book streams use the
 * 100 ms cadence (`depth` is the diff stream behind the local order book).
 *
 * @example Usage
 * ```ts
 * streamName("BTCUSDT", "depth"); // "btcusdt@depth@100ms"
 * streamName("BTCUSDT", "kline_1m"); // "btcusdt@kline_1m"
 * ```
 */
export function streamName(nativeSymbol: string, channel: string): string {
  const kind = kindOf(channel);
  const suffix = kind === "depth" || kind === "partialDepth"
    ? `${channel}@100ms`
    : channel;
  return `${nativeSymbol.toLowerCase()}@${suffix}`;
}
