/**
 * Binance ticker-like payloads (`24hrTicker`, `24hrMiniTicker`,
 * `bookTicker`) and klines → ticker and candle events, each dropped when it
 * repeats the stream's last update id or event time.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { isDecimal, type Json, str } from "../fields.ts";
import type { StreamEntry } from "./parse.ts";

/** A frame outcome, or `"duplicate"` when the payload was already seen. */
export type MarketOutcome = FrameOutcome | "duplicate";

/**
 * `ticker`, `miniTicker` and `bookTicker` payloads → a ticker event; fields
 * a payload does not carry are `""`.
 */
export function parseTicker(
  entry: StreamEntry,
  d: Json,
  receivedTs: number,
  out: NormalizedEvent[],
): MarketOutcome {
  const s = entry.state;
  const book = entry.kind === "bookTicker";
  // Book tickers carry an update id and no event time; tickers the reverse.
  const mark = book ? d.u : d.E;
  if (typeof mark !== "number") return "invalid";
  if (book ? !isDecimal(d.b) || !isDecimal(d.a) : !isDecimal(d.c)) {
    return "invalid";
  }
  if (mark <= entry.last) return "duplicate";
  entry.last = mark;
  const full = entry.kind === "ticker";
  out.push({
    id: `binance:${s.symbol}:${entry.kind}:${mark}`,
    kind: "ticker",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: book ? receivedTs : mark,
    receivedTs,
    bid: book || full ? str(d.b) : "",
    bidSize: book || full ? str(d.B) : "",
    ask: book || full ? str(d.a) : "",
    askSize: book || full ? str(d.A) : "",
    last: book ? "" : d.c,
    volume24h: book ? "" : str(d.v),
    open24h: book ? undefined : str(d.o),
    high24h: book ? undefined : str(d.h),
    low24h: book ? undefined : str(d.l),
    volume30d: undefined,
    lastSize: full ? str(d.Q) : undefined,
    lastTradeId: full && typeof d.L === "number" && d.L >= 0
      ? String(d.L)
      : undefined,
    sequence: book ? mark : undefined,
  });
  return "ok";
}

/** A `kline` payload → a candle event (closed when `k.x`). */
export function parseKline(
  entry: StreamEntry,
  d: Json,
  receivedTs: number,
  out: NormalizedEvent[],
): MarketOutcome {
  const k = d.k;
  if (
    typeof d.E !== "number" || typeof k !== "object" || k === null ||
    typeof k.t !== "number" || typeof k.i !== "string" ||
    typeof k.x !== "boolean" || !isDecimal(k.o) || !isDecimal(k.h) ||
    !isDecimal(k.l) || !isDecimal(k.c) || !isDecimal(k.v)
  ) return "invalid";
  // Ordered by (open time, event time, closed): a candle's closing update
  // may share its event time with the last open one.
  if (
    k.t < entry.lastOpen ||
    (k.t === entry.lastOpen &&
      (d.E < entry.last || (d.E === entry.last && (!k.x || entry.closed))))
  ) return "duplicate";
  entry.lastOpen = k.t;
  entry.last = d.E;
  entry.closed = k.x;
  const s = entry.state;
  out.push({
    // The closing update may share its event time with the last open one.
    id: `binance:${s.symbol}:candle:${k.i}:${k.t}:${d.E}${
      k.x ? ":closed" : ""
    }`,
    kind: "candle",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: d.E,
    receivedTs,
    interval: k.i,
    openTime: k.t,
    open: k.o,
    high: k.h,
    low: k.l,
    close: k.c,
    volume: k.v,
    closed: k.x,
  });
  return "ok";
}
