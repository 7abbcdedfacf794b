/**
 * Bybit `publicTrade`, `tickers` and `kline` frames → trade, ticker and
 * candle events.
 *
 * - Trades: `S` is the taker side. A frame holds up to 1024 trades and the
 *   trades of one match share a `seq` (possibly across frames), so a trade
 *   is a repeat when its `seq` is below the latest or its id was already
 *   seen at that `seq`.
 * - Tickers: linear/inverse send a snapshot then deltas that carry only the
 *   fields that changed; each is merged into the last snapshot and the full
 *   ticker is emitted. Spot sends snapshots only.
 * - Klines: `confirm: true` is the closed candle.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { isDecimal, type Json, opt, str } from "../fields.ts";
import { SEQ_SET_FROM, type TopicState } from "./topic_state.ts";

/** `publicTrade` → trade events; repeats are counted and dropped. */
export function parseTrades(
  st: TopicState,
  m: Json,
  receivedTs: number,
  out: NormalizedEvent[],
  stats: VenueStats,
): FrameOutcome {
  const data = m.data;
  if (!Array.isArray(data)) return "invalid";
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const t = data[i];
    if (
      typeof t !== "object" || t === null || typeof t.i !== "string" ||
      typeof t.T !== "number" || !isDecimal(t.p) || !isDecimal(t.v) ||
      (t.S !== "Buy" && t.S !== "Sell")
    ) {
      bad++;
      continue;
    }
    const seq = typeof t.seq === "number" ? t.seq : t.T;
    acceptTrade(
      st,
      t.i,
      t.T,
      seq,
      t.p,
      t.v,
      t.S === "Buy",
      receivedTs,
      out,
      stats,
    );
  }
  return bad > 0 ? "invalid" : "ok";
}

/**
 * One well-formed trade (its fields already checked), shared by the
 * JSON.parse path and the scanner's fast path: a repeat (`seq` below the
 * latest, or `id` already accepted at it) is counted and dropped, anything
 * else is recorded and emitted.
 */
export function acceptTrade(
  st: TopicState,
  id: string,
  exchangeTs: number,
  seq: number,
  price: string,
  size: string,
  buy: boolean,
  receivedTs: number,
  out: NormalizedEvent[],
  stats: VenueStats,
): void {
  if (seq < st.lastSeq || (seq === st.lastSeq && seenAtSeq(st, id))) {
    stats.duplicates++;
    return;
  }
  if (seq > st.lastSeq) {
    st.lastSeq = seq;
    st.seqCount = 0;
    st.seqSet = undefined;
  }
  acceptAtSeq(st, id);
  out.push({
    id: st.idPrefix + id,
    kind: "trade",
    venue: "bybit",
    symbol: st.symbol,
    nativeSymbol: st.nativeSymbol,
    exchangeTs,
    receivedTs,
    tradeId: id,
    price,
    size,
    side: buy ? "buy" : "sell",
  });
}

/** Whether trade `id` was accepted at the topic's latest `seq`. */
function seenAtSeq(st: TopicState, id: string): boolean {
  if (st.seqSet !== undefined) return st.seqSet.has(id);
  const ids = st.seqIds;
  for (let i = 0; i < st.seqCount; i++) if (ids[i] === id) return true;
  return false;
}

/** Records trade `id` as accepted at the topic's latest `seq`. */
function acceptAtSeq(st: TopicState, id: string): void {
  if (st.seqSet !== undefined) {
    st.seqSet.add(id);
    return;
  }
  st.seqIds[st.seqCount++] = id;
  if (st.seqCount > SEQ_SET_FROM) {
    st.seqSet = new Set(st.seqIds.slice(0, st.seqCount));
  }
}

/**
 * `tickers` → a full ticker event. A delta before any snapshot cannot be
 * completed: `"invalid"` (the next snapshot, after a reconnect, repairs it).
 */
export function parseTicker(
  st: TopicState,
  m: Json,
  receivedTs: number,
  out: NormalizedEvent[],
  stats: VenueStats,
): FrameOutcome {
  const d = m.data;
  const ts = m.ts;
  if (typeof d !== "object" || d === null || typeof ts !== "number") {
    return "invalid";
  }
  const cs = typeof m.cs === "number" ? m.cs : -1;
  if (ts < st.lastTs || (ts === st.lastTs && cs <= st.lastCs)) {
    stats.duplicates++;
    return "ok";
  }
  let t: Record<string, unknown>;
  if (m.type !== "delta") st.merged = t = { ...d };
  else if (st.merged === undefined) return "invalid";
  else t = Object.assign(st.merged, d);
  st.lastTs = ts;
  st.lastCs = cs;
  out.push({
    id: `bybit:${st.symbol}:ticker:${ts}:${cs}`,
    kind: "ticker",
    venue: "bybit",
    symbol: st.symbol,
    nativeSymbol: st.nativeSymbol,
    exchangeTs: ts,
    receivedTs,
    bid: str(t.bid1Price),
    bidSize: str(t.bid1Size),
    ask: str(t.ask1Price),
    askSize: str(t.ask1Size),
    last: str(t.lastPrice),
    volume24h: str(t.volume24h),
    open24h: opt(t.prevPrice24h),
    high24h: opt(t.highPrice24h),
    low24h: opt(t.lowPrice24h),
    volume30d: undefined,
    lastSize: undefined,
    lastTradeId: undefined,
    sequence: cs >= 0 ? cs : undefined,
    markPrice: opt(t.markPrice),
    indexPrice: opt(t.indexPrice),
    openInterest: opt(t.openInterest),
    fundingRate: opt(t.fundingRate),
    nextFundingTime: t.nextFundingTime === undefined
      ? undefined
      : Number(t.nextFundingTime) || undefined,
  });
  return "ok";
}

/** `kline.{interval}` → candle events, in (start, timestamp, confirm) order. */
export function parseKlines(
  st: TopicState,
  m: Json,
  receivedTs: number,
  out: NormalizedEvent[],
  stats: VenueStats,
): FrameOutcome {
  const data = m.data;
  if (!Array.isArray(data)) return "invalid";
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const k = data[i];
    if (
      typeof k !== "object" || k === null || typeof k.start !== "number" ||
      typeof k.timestamp !== "number" || typeof k.confirm !== "boolean" ||
      !isDecimal(k.open) || !isDecimal(k.high) || !isDecimal(k.low) ||
      !isDecimal(k.close) || !isDecimal(k.volume)
    ) {
      bad++;
      continue;
    }
    if (
      k.start < st.lastStart ||
      (k.start === st.lastStart &&
        (k.timestamp < st.lastTs ||
          (k.timestamp === st.lastTs && (!k.confirm || st.lastConfirm))))
    ) {
      stats.duplicates++;
      continue;
    }
    st.lastStart = k.start;
    st.lastTs = k.timestamp;
    st.lastConfirm = k.confirm;
    const interval = st.parts.interval;
    out.push({
      // The closing update may share its timestamp with the last open one.
      id: `bybit:${st.symbol}:candle:${interval}:${k.start}:${k.timestamp}${
        k.confirm ? ":closed" : ""
      }`,
      kind: "candle",
      venue: "bybit",
      symbol: st.symbol,
      nativeSymbol: st.nativeSymbol,
      exchangeTs: k.timestamp,
      receivedTs,
      interval,
      openTime: k.start,
      open: k.open,
      high: k.high,
      low: k.low,
      close: k.close,
      volume: k.volume,
      closed: k.confirm,
    });
  }
  return bad > 0 ? "invalid" : "ok";
}
