/**
 * The Bybit v5 wire protocol for the transport: one public URL per
 * category and one private URL; `{"op":"subscribe","args":[…],"req_id":…}`
 * requests of at most 10 topics (the spot limit; derivatives take more) and
 * at most 21,000 characters of topics per connection; `{"op":"ping"}` every
 * 20 s, answered by a pong in one of several shapes (a missing pong makes
 * the connection stale); and, for the private stream, an `auth` frame
 * before anything else.
 *
 * @module
 */

import type { StreamProtocol, StreamSpec } from "../../transport/types.ts";
import type { PendingRequests } from "../pending_requests.ts";
import type { BybitRequest } from "./replies.ts";
import { authFrame, type BybitCredentials } from "./sign.ts";
import { type BybitCategory, privateTopics } from "./topics.ts";

/** The private stream's endpoint (see `StreamSpec.endpoint`). */
export const PRIVATE_ENDPOINT = "private";

/** Bybit recommends a ping every 20 s. */
export const PING_INTERVAL_MS = 20_000;

/** Spot refuses requests of more than 10 topics (`args size >10`). */
export const SPOT_ARGS_PER_REQUEST = 10;

/** Derivatives document no per-request limit; tickgate keeps requests small anyway. */
export const DERIVATIVES_ARGS_PER_REQUEST = 50;

/** The total length of one public connection's topics must stay within this. */
export const MAX_ARGS_CHARS = 21_000;

const PING = '{"op":"ping"}';

/**
 * Whether `frame` is a pong: `{"op":"ping","ret_msg":"pong",…}` (spot,
 * linear, inverse) or `{"op":"pong","args":[…],…}` (private, option).
 */
export function isPong(frame: string): boolean {
  if (frame.length > 512 || !frame.includes("pong")) return false;
  try {
    const m = JSON.parse(frame);
    return m?.op === "pong" || (m?.op === "ping" && m.ret_msg === "pong");
  } catch {
    return false;
  }
}

/** Settings of {@link bybitProtocol}. */
export interface BybitProtocolOptions {
  category: BybitCategory;
  /** e.g. `wss://stream.bybit.com/v5/public/spot`. */
  publicUrl: string;
  /** e.g. `wss://stream.bybit.com/v5/private`. */
  privateUrl: string;
  /** Most streams (topics) on one connection. */
  maxStreamsPerConnection: number;
  /** Shared with the parser, which matches the acks. */
  requests: PendingRequests<BybitRequest>;
  /** API credentials; the private stream needs them. */
  credentials?: Promise<BybitCredentials> | undefined;
  /** Clock ms, for `auth` expiry. */
  now(): number;
}

/**
 * The public topic streams of `symbols` × `topics` (a symbol's topics
 * stay on one connection), plus the private topics when `withPrivate`.
 *
 * @example Usage
 * ```ts
 * bybitStreams("spot", ["BTCUSDT"], ["publicTrade"], false);
 * // [{ key: "publicTrade.BTCUSDT", channel: "publicTrade", symbol: "BTCUSDT" }]
 * ```
 */
export function bybitStreams(
  category: BybitCategory,
  symbols: readonly string[],
  topics: readonly string[],
  withPrivate: boolean,
): StreamSpec[] {
  const out: StreamSpec[] = [];
  for (const symbol of symbols) {
    for (const name of topics) {
      out.push({ key: `${name}.${symbol}`, channel: name, symbol });
    }
  }
  if (withPrivate) {
    for (const topic of privateTopics(category)) {
      out.push({
        key: topic,
        channel: topic,
        symbol: "",
        group: PRIVATE_ENDPOINT,
        endpoint: PRIVATE_ENDPOINT,
      });
    }
  }
  return out;
}

/**
 * The Bybit {@link StreamProtocol}.
 *
 * @example Usage
 * ```ts
 * const protocol = bybitProtocol({
 *   category: "spot",
 *   publicUrl: "wss://stream.bybit.com/v5/public/spot",
 *   privateUrl: "wss://stream.bybit.com/v5/private",
 *   maxStreamsPerConnection: 200,
 *   requests: new PendingRequests(() => Date.now()),
 *   now: () => Date.now(),
 * });
 * ```
 */
export function bybitProtocol(options: BybitProtocolOptions): StreamProtocol {
  const { requests } = options;
  const perRequest = options.category === "spot"
    ? SPOT_ARGS_PER_REQUEST
    : DERIVATIVES_ARGS_PER_REQUEST;
  const frames = (op: BybitRequest["op"], streams: readonly StreamSpec[]) => {
    const out: string[] = [];
    for (let i = 0; i < streams.length; i += perRequest) {
      const args = streams.slice(i, i + perRequest).map((s) => s.key);
      const id = requests.add({ op, args });
      out.push(JSON.stringify({ op, args, req_id: String(id) }));
    }
    return out;
  };
  return {
    url: (streams) =>
      streams[0]?.endpoint === PRIVATE_ENDPOINT
        ? options.privateUrl
        : options.publicUrl,
    subscribe: (streams) => frames("subscribe", streams),
    unsubscribe: (streams) => frames("unsubscribe", streams),
    maxStreamsPerConnection: options.maxStreamsPerConnection,
    budget: { max: MAX_ARGS_CHARS, cost: (s) => s.key.length },
    authenticate: (streams) => {
      if (streams[0]?.endpoint !== PRIVATE_ENDPOINT) return undefined;
      const credentials = options.credentials;
      if (credentials === undefined) {
        return Promise.reject(new Error("no API credentials configured"));
      }
      return credentials.then(async (c) => [await authFrame(c, options.now())]);
    },
    heartbeat: { intervalMs: PING_INTERVAL_MS, message: () => PING, isPong },
  };
}
