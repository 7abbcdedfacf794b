/**
 * Binance Spot messages tickgate sends: combined-stream URLs, SUBSCRIBE and
 * UNSUBSCRIBE requests with ids, a LIST_SUBSCRIPTIONS after every open, and
 * the limits the venue enforces (1024 streams and 5 incoming messages per
 * second per connection, 24 h lifetime).
 *
 * @module
 */

import type { SendLimit } from "../../transport/send_pacer.ts";
import type { StreamProtocol, StreamSpec } from "../../transport/types.ts";
import { streamName } from "./channels.ts";
import type { RequestLog } from "./requests.ts";

/** Binance closes connections carrying more streams than this. */
export const MAX_STREAMS_PER_CONNECTION = 1024;

/**
 * Binance disconnects a client sending more than 5 messages per second,
 * pongs included. The runtime answers the server's pings (one per 20 s) by
 * itself, so tickgate keeps one message of the budget for that pong, and
 * measures its window a little longer than a second so network jitter
 * cannot squeeze two windows into one at the server.
 */
export const BINANCE_SEND_LIMIT: SendLimit = { messages: 4, windowMs: 1_100 };

/** Streams per SUBSCRIBE/UNSUBSCRIBE request. */
const PARAMS_PER_REQUEST = 100;

/** Characters of stream names a connection URL carries; the rest is subscribed after open. */
const URL_STREAM_CHARS = 4_000;

/** Connections are renewed this long after opening, an hour before Binance's 24 h cut. */
export const RENEW_AFTER_MS = 23 * 3600_000;

/**
 * One stream per channel and pair; a pair's streams share its sharding group
 * so they travel on one connection.
 *
 * @example Usage
 * ```ts
 * binanceStreams(["BTCUSDT"], ["trade", "depth"]);
 * // [{ key: "btcusdt@trade", channel: "trade", symbol: "BTCUSDT", group: "BTCUSDT" },
 * //  { key: "btcusdt@depth@100ms", channel: "depth", symbol: "BTCUSDT", group: "BTCUSDT" }]
 * ```
 */
export function binanceStreams(
  nativeSymbols: readonly string[],
  channels: readonly string[],
): StreamSpec[] {
  const out: StreamSpec[] = [];
  for (const symbol of nativeSymbols) {
    for (const channel of channels) {
      out.push({
        key: streamName(symbol, channel),
        channel,
        symbol,
        group: symbol,
      });
    }
  }
  return out;
}

/** Options of {@link binanceProtocol}. */
export interface BinanceProtocolOptions {
  /** Base URL, e.g. `wss://stream.binance.com:9443`. */
  url: string;
  /** Pairs per connection (`PAIRS_PER_CONNECTION`). */
  pairsPerConnection: number;
  /** Channels per pair (each pair has one stream per channel). */
  channelsPerPair: number;
  /** Shared with the parser, which matches the replies. */
  requests: RequestLog;
  /** @default {RENEW_AFTER_MS} */
  renewAfterMs?: number;
}

/** The prefix of `streams` whose names fit in a connection URL. */
function inUrl(streams: readonly StreamSpec[]): readonly StreamSpec[] {
  let chars = 0;
  let n = 0;
  while (n < streams.length) {
    chars += streams[n]!.key.length + 1;
    if (chars > URL_STREAM_CHARS) break;
    n++;
  }
  return n === streams.length ? streams : streams.slice(0, n);
}

/**
 * The transport's view of Binance Spot combined streams.
 *
 * @example Usage
 * ```ts
 * const requests = new RequestLog(() => Date.now());
 * const protocol = binanceProtocol({
 *   url: "wss://stream.binance.com:9443", pairsPerConnection: 50,
 *   channelsPerPair: 1, requests,
 * });
 * protocol.url(binanceStreams(["BTCUSDT"], ["trade"]));
 * // "wss://stream.binance.com:9443/stream?streams=btcusdt@trade"
 * ```
 */
export function binanceProtocol(
  options: BinanceProtocolOptions,
): StreamProtocol {
  const { requests } = options;
  const base = options.url.replace(/\/+$/, "");
  const control = (
    method: "SUBSCRIBE" | "UNSUBSCRIBE",
    streams: readonly StreamSpec[],
  ) => {
    const frames: string[] = [];
    for (let i = 0; i < streams.length; i += PARAMS_PER_REQUEST) {
      const params = streams.slice(i, i + PARAMS_PER_REQUEST).map((s) => s.key);
      frames.push(requests.frame(method, params));
    }
    return frames;
  };
  return {
    url: (streams) => {
      const names = inUrl(streams).map((s) => s.key);
      return names.length === 0
        ? `${base}/stream`
        : `${base}/stream?streams=${names.join("/")}`;
    },
    urlStreams: inUrl,
    subscribe: (streams) => control("SUBSCRIBE", streams),
    unsubscribe: (streams) => control("UNSUBSCRIBE", streams),
    openFrames: () => [requests.frame("LIST_SUBSCRIPTIONS")],
    maxStreamsPerConnection: Math.min(
      MAX_STREAMS_PER_CONNECTION,
      Math.max(1, options.pairsPerConnection * options.channelsPerPair),
    ),
    maxConnectionAgeMs: options.renewAfterMs ?? RENEW_AFTER_MS,
    sendLimit: BINANCE_SEND_LIMIT,
  };
}
