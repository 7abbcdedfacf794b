/**
 * Coinbase Advanced Trade messages tickgate sends: one stream per channel
 * and product, one (un)subscribe message per channel (the venue's rule), a
 * `heartbeats` subscription on every connection as soon as it opens (it
 * keeps quiet channels from being closed after 60–90 s), and, with a CDP
 * key, a fresh JWT in every message.
 *
 * @module
 */

import type { StreamProtocol, StreamSpec } from "../../transport/types.ts";
import type { AdvancedChannel } from "./channels.ts";

/**
 * Streams per connection before another opens: Coinbase documents no limit;
 * this spreads large product lists over several sockets.
 */
export const STREAMS_PER_CONNECTION = 250;

/** Coinbase: "unauthenticated messages are rate-limited at 8 per second per IP". */
const MESSAGES_PER_SECOND = 8;

/**
 * One stream per data channel and product; `heartbeats` is not a stream
 * (every connection subscribes to it on open).
 *
 * @example Usage
 * ```ts
 * advancedStreams(["candles", "heartbeats"], ["BTC-USD"]);
 * // [{ key: "candles:BTC-USD", channel: "candles", symbol: "BTC-USD" }]
 * ```
 */
export function advancedStreams(
  channels: readonly AdvancedChannel[],
  products: readonly string[],
): StreamSpec[] {
  const out: StreamSpec[] = [];
  for (const channel of channels) {
    if (channel === "heartbeats") continue;
    for (const product of products) {
      out.push({ key: `${channel}:${product}`, channel, symbol: product });
    }
  }
  return out;
}

/**
 * `subscribe` or `unsubscribe` messages for `streams`: one per channel, with
 * every product of that channel.
 *
 * @example Usage
 * ```ts
 * advancedFrames("subscribe", advancedStreams(["candles"], ["BTC-USD"]));
 * // ['{"type":"subscribe","product_ids":["BTC-USD"],"channel":"candles"}']
 * ```
 */
export function advancedFrames(
  type: "subscribe" | "unsubscribe",
  streams: readonly StreamSpec[],
): string[] {
  const byChannel = new Map<string, string[]>();
  for (const s of streams) {
    const ids = byChannel.get(s.channel);
    if (ids) ids.push(s.symbol);
    else byChannel.set(s.channel, [s.symbol]);
  }
  return [...byChannel].map(([channel, product_ids]) =>
    JSON.stringify({ type, product_ids, channel })
  );
}

/** The `heartbeats` subscription every connection sends on open. */
export const HEARTBEATS_FRAME = JSON.stringify({
  type: "subscribe",
  channel: "heartbeats",
});

/** Options of {@link advancedProtocol}. */
export interface AdvancedProtocolOptions {
  url: string;
  /** Adds a JWT to a frame; absent without a CDP key. */
  sign?: (frame: string) => Promise<string>;
}

/**
 * The transport's view of the Advanced Trade feed.
 *
 * @example Usage
 * ```ts
 * const protocol = advancedProtocol({ url: "wss://advanced-trade-ws.coinbase.com" });
 * ```
 */
export function advancedProtocol(
  options: AdvancedProtocolOptions,
): StreamProtocol {
  return {
    url: () => options.url,
    subscribe: (streams) => advancedFrames("subscribe", streams),
    unsubscribe: (streams) => advancedFrames("unsubscribe", streams),
    openFrames: () => [HEARTBEATS_FRAME],
    maxStreamsPerConnection: STREAMS_PER_CONNECTION,
    sendLimit: { messages: MESSAGES_PER_SECOND, windowMs: 1000 },
    ...(options.sign ? { sign: options.sign } : {}),
  };
}
