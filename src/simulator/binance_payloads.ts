/**
 * Binance Spot WebSocket and REST payload shapes as the simulator renders
 * them (field letters as documented; prices and quantities are 8-decimal
 * strings). Types only, plus the list of kline intervals.
 *
 * @module
 */

import { KLINE_INTERVALS } from "../venues/binance/channels.ts";

/** A book level: `[price, quantity]`; quantity `"0.00000000"` removes it. */
export type Level = [string, string];

/** `<symbol>@trade`. `m`: the buyer was the maker, so the taker SOLD. */
export interface TradePayload {
  e: "trade";
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
  M: true;
}

/** `<symbol>@aggTrade`: trades `f`..`l` of one taker order at one price. */
export interface AggTradePayload {
  e: "aggTrade";
  E: number;
  s: string;
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
  M: true;
}

/** `<symbol>@bookTicker` (no `e`/`E`; `u` is the book update id). */
export interface BookTickerPayload {
  u: number;
  s: string;
  b: string;
  B: string;
  a: string;
  A: string;
}

/** `<symbol>@depth` / `@depth@100ms`: changes of update ids `U`..`u`. */
export interface DepthUpdatePayload {
  e: "depthUpdate";
  E: number;
  s: string;
  U: number;
  u: number;
  b: Level[];
  a: Level[];
}

/** A book snapshot: REST `/api/v3/depth` and `<symbol>@depth<N>` payloads. */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

/** `<symbol>@miniTicker`. */
export interface MiniTickerPayload {
  e: "24hrMiniTicker";
  E: number;
  s: string;
  c: string;
  o: string;
  h: string;
  l: string;
  v: string;
  q: string;
}

/** `<symbol>@ticker` (24 h; `x` is the last price before the window). */
export interface TickerPayload {
  e: "24hrTicker";
  E: number;
  s: string;
  p: string;
  P: string;
  w: string;
  x: string;
  c: string;
  Q: string;
  b: string;
  B: string;
  a: string;
  A: string;
  o: string;
  h: string;
  l: string;
  v: string;
  q: string;
  O: number;
  C: number;
  F: number;
  L: number;
  n: number;
}

/** Kline intervals, as stream names spell them (Binance's documented list). */
export { KLINE_INTERVALS };

/** One of {@link KLINE_INTERVALS}. */
export type KlineInterval = typeof KLINE_INTERVALS[number];

/** `<symbol>@kline_<interval>`; `k.x` tells whether the kline is closed. */
export interface KlinePayload {
  e: "kline";
  E: number;
  s: string;
  k: {
    t: number;
    T: number;
    s: string;
    i: KlineInterval;
    f: number;
    L: number;
    o: string;
    c: string;
    h: string;
    l: string;
    v: string;
    n: number;
    x: boolean;
    q: string;
    V: string;
    Q: string;
    B: "0";
  };
}
