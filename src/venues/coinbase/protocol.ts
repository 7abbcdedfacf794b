/**
 * Coinbase Exchange ws-feed messages tickgate sends: the streams a
 * configuration asks for, and subscribe/unsubscribe frames for them.
 *
 * @module
 */

import type { StreamProtocol, StreamSpec } from "../../transport/types.ts";

/** Channels that take no product ids. */
const PRODUCTLESS = new Set(["status"]);

/** At most this many product ids in one subscribe frame ("Message too big"). */
const MAX_IDS_PER_FRAME = 100;

/**
 * One stream per channel and product; symbol-less channels (`status`) once.
 * A product's channels share a sharding group, so its heartbeat travels
 * with its trades.
 *
 * @example Usage
 * ```ts
 * coinbaseStreams(["matches", "heartbeat"], ["BTC-USD"]);
 * // [{ key: "matches:BTC-USD", … }, { key: "heartbeat:BTC-USD", … }]
 * ```
 */
export function coinbaseStreams(
  channels: readonly string[],
  products: readonly string[],
): StreamSpec[] {
  const out: StreamSpec[] = [];
  for (const channel of channels) {
    if (PRODUCTLESS.has(channel)) {
      out.push({ key: channel, channel, symbol: "", group: channel });
      continue;
    }
    for (const product of products) {
      out.push({ key: `${channel}:${product}`, channel, symbol: product });
    }
  }
  return out;
}

/**
 * Builds `subscribe` or `unsubscribe` frames for `streams`, grouped by
 * channel and split so no frame carries more than 100 product ids.
 *
 * @example Usage
 * ```ts
 * controlFrames("subscribe", coinbaseStreams(["ticker"], ["BTC-USD"]));
 * // ['{"type":"subscribe","channels":[{"name":"ticker","product_ids":["BTC-USD"]}]}']
 * ```
 */
export function controlFrames(
  type: "subscribe" | "unsubscribe",
  streams: readonly StreamSpec[],
): string[] {
  const byChannel = new Map<string, string[]>();
  for (const s of streams) {
    let ids = byChannel.get(s.channel);
    if (ids === undefined) byChannel.set(s.channel, ids = []);
    if (s.symbol !== "") ids.push(s.symbol);
  }
  const frames: string[] = [];
  let channels: { name: string; product_ids?: string[] }[] = [];
  let count = 0;
  const flush = () => {
    if (channels.length > 0) frames.push(JSON.stringify({ type, channels }));
    channels = [];
    count = 0;
  };
  for (const [name, ids] of byChannel) {
    if (PRODUCTLESS.has(name)) {
      channels.push({ name });
      continue;
    }
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_FRAME) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_FRAME);
      if (count + chunk.length > MAX_IDS_PER_FRAME) flush();
      channels.push({ name, product_ids: chunk });
      count += chunk.length;
    }
  }
  flush();
  return frames;
}

/** Options for {@link coinbaseProtocol}. */
export interface CoinbaseProtocolOptions {
  /** The ws-feed URL. */
  url: string;
  /** Streams per connection before another connection is opened. */
  streamsPerConnection: number;
}

/**
 * The transport's view of the Coinbase Exchange feed.
 *
 * @example Usage
 * ```ts
 * const protocol = coinbaseProtocol({ url: "wss://ws-feed.exchange.coinbase.com", streamsPerConnection: 300 });
 * ```
 */
export function coinbaseProtocol(
  options: CoinbaseProtocolOptions,
): StreamProtocol {
  return {
    url: () => options.url,
    subscribe: (streams) => controlFrames("subscribe", streams),
    unsubscribe: (streams) => controlFrames("unsubscribe", streams),
    maxStreamsPerConnection: options.streamsPerConnection,
  };
}
