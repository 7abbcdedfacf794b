/**
 * Binance trades, ticker-like payloads (`24hrTicker`, `24hrMiniTicker`,
 * `bookTicker`) and klines → trade, ticker and candle events, each dropped
 * when it repeats its line's last id or the stream's last event time. The
 * hot kinds split in two: a `parse…` function checks a `JSON.parse`d
 * payload and hands its fields to the `push…` function that the fast path
 * (./scan.ts) calls directly.
 *
 * @module
 */

import { integerString } from "../../core/decimal.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import { STALE } from "../../core/sequence.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { isDecimal, type Json, str } from "../fields.ts";
import { idRange, reportGap } from "../report.ts";
import type { StreamEntry } from "./parse.ts";

/** A frame outcome, or `"duplicate"` when the payload was already seen. */
export type MarketOutcome = FrameOutcome | "duplicate";

/**
 * A `trade` or `aggTrade` payload, as decoded by `JSON.parse`; the id is
 * `t` or, for an aggregate, `a`.
 */
export function parseTrade(
  stats: VenueStats,
  entry: StreamEntry,
  d: Json,
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
): FrameOutcome {
  const id = entry.kind === "aggTrade" ? d.a : d.t;
  if (
    typeof id !== "number" || typeof d.p !== "string" ||
    typeof d.q !== "string" || typeof d.m !== "boolean" ||
    typeof d.T !== "number"
  ) return "invalid";
  return pushTrade(
    stats,
    entry,
    id,
    d.p,
    d.q,
    d.m,
    d.T,
    receivedTs,
    connection,
    out,
  );
}

/**
 * A trade of `entry`'s stream from its fields, whichever way they were
 * read: dropped when its id repeats, after a `gap` status event when ids
 * were skipped.
 */
export function pushTrade(
  stats: VenueStats,
  entry: StreamEntry,
  id: number,
  price: string,
  size: string,
  buyerMaker: boolean,
  tradeTs: number,
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
): FrameOutcome {
  if (price === "" || size === "") return "invalid";
  const s = entry.state;
  const aggregate = entry.kind === "aggTrade";
  const missed = (aggregate ? s.aggTrades : s.trades).next(id);
  if (missed === STALE) {
    stats.duplicates++;
    return "ok";
  }
  const what = aggregate ? "aggTrade" : "trade";
  if (missed > 0) {
    out.push(reportGap(stats, {
      venue: "binance",
      symbol: s.symbol,
      nativeSymbol: s.nativeSymbol,
      connection,
      ts: receivedTs,
      missed,
      detail: `missed ${missed} ${what}${missed === 1 ? "" : "s"} (${
        aggregate ? "a" : "t"
      } ${idRange(id - missed, missed)})`,
    }));
  }
  const tradeId = integerString(id);
  out.push({
    id: (aggregate ? s.aggIdPrefix : s.tradeIdPrefix) + tradeId,
    kind: "trade",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: tradeTs,
    receivedTs,
    tradeId,
    price,
    size,
    // m: the buyer was the maker, so the taker sold.
    side: buyerMaker ? "sell" : "buy",
  });
  return "ok";
}

/**
 * `ticker`, `miniTicker` and `bookTicker` payloads, as decoded by
 * `JSON.parse` → a ticker event; fields a payload does not carry are `""`.
 */
export function parseTicker(
  entry: StreamEntry,
  d: Json,
  receivedTs: number,
  out: NormalizedEvent[],
): MarketOutcome {
  if (entry.kind === "bookTicker") {
    if (
      typeof d.u !== "number" || typeof d.b !== "string" ||
      typeof d.a !== "string"
    ) return "invalid";
    return pushBookTicker(
      entry,
      d.u,
      d.b,
      str(d.B),
      d.a,
      str(d.A),
      receivedTs,
      out,
    );
  }
  const s = entry.state;
  // Tickers carry an event time and no update id.
  const mark = d.E;
  if (typeof mark !== "number") return "invalid";
  if (!isDecimal(d.c)) return "invalid";
  if (mark <= entry.last) return "duplicate";
  entry.last = mark;
  const full = entry.kind === "ticker";
  out.push({
    id: `binance:${s.symbol}:${entry.kind}:${mark}`,
    kind: "ticker",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: mark,
    receivedTs,
    bid: full ? str(d.b) : "",
    bidSize: full ? str(d.B) : "",
    ask: full ? str(d.a) : "",
    askSize: full ? str(d.A) : "",
    last: d.c,
    volume24h: str(d.v),
    open24h: str(d.o),
    high24h: str(d.h),
    low24h: str(d.l),
    volume30d: undefined,
    lastSize: full ? str(d.Q) : undefined,
    lastTradeId: full && typeof d.L === "number" && d.L >= 0
      ? String(d.L)
      : undefined,
    sequence: undefined,
  });
  return "ok";
}

/**
 * A book ticker (update id `u`, no event time) from its fields, whichever
 * way they were read; a repeated or older update id is a duplicate.
 */
export function pushBookTicker(
  entry: StreamEntry,
  updateId: number,
  bid: string,
  bidSize: string,
  ask: string,
  askSize: string,
  receivedTs: number,
  out: NormalizedEvent[],
): MarketOutcome {
  if (bid === "" || ask === "") return "invalid";
  if (updateId <= entry.last) return "duplicate";
  entry.last = updateId;
  const s = entry.state;
  out.push({
    id: `binance:${s.symbol}:bookTicker:${updateId}`,
    kind: "ticker",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: receivedTs,
    receivedTs,
    bid,
    bidSize,
    ask,
    askSize,
    last: "",
    volume24h: "",
    open24h: undefined,
    high24h: undefined,
    low24h: undefined,
    volume30d: undefined,
    lastSize: undefined,
    lastTradeId: undefined,
    sequence: updateId,
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
