/**
 * `market_trades` → trades and `ticker`/`ticker_batch` → tickers.
 *
 * Trade sides: Coinbase documents `side` of `market_trades` as the MAKER's
 * side, so the taker (the event's `side`) is the opposite: `BUY` → `sell`.
 * A message's trades may come newest first; they are emitted oldest first.
 * A trade id among the product's recent ones is a repeat and dropped: the
 * snapshot after a resubscription repeats trades already emitted, and
 * brings back lost ones (emitted then, after newer trades).
 *
 * @module
 */

import type { Side } from "../../core/events.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { parseIsoTimestamp } from "../../core/time.ts";
import { isDecimal, type Json, opt, str } from "../fields.ts";
import { type FrameContext, VENUE } from "./frame_context.ts";

/** The taker side of a `market_trades` trade whose maker side is `side`. */
function takerSide(side: unknown): Side | undefined {
  return side === "BUY" ? "sell" : side === "SELL" ? "buy" : undefined;
}

/** Oldest first: by time, then by id (numeric ids by value). */
function byAge(a: Json, b: Json): number {
  if (a._ts !== b._ts) return a._ts - b._ts;
  const x = a.trade_id as string;
  const y = b.trade_id as string;
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

/** Parses the `events` of a `market_trades` frame. */
export function parseTrades(ctx: FrameContext, events: Json[]): FrameOutcome {
  const trades: Json[] = [];
  for (let e = 0; e < events.length; e++) {
    const list = events[e]?.trades;
    if (!Array.isArray(list)) return "invalid";
    for (let i = 0; i < list.length; i++) {
      const t = list[i];
      const ts = typeof t?.time === "string" ? parseIsoTimestamp(t.time) : NaN;
      if (
        typeof t?.product_id !== "string" || typeof t.trade_id !== "string" ||
        t.trade_id === "" || !isDecimal(t.price) || !isDecimal(t.size) ||
        takerSide(t.side) === undefined || ts !== ts
      ) return "invalid";
      t._ts = ts; // the decoded frame is ours to annotate
      trades.push(t);
    }
  }
  if (trades.length > 1) trades.sort(byAge);
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i];
    const st = ctx.product(t.product_id);
    if (!st.trades.add(t.trade_id)) {
      ctx.stats.duplicates++;
      continue;
    }
    ctx.out.push({
      id: `${VENUE}:${t.product_id}:trade:${t.trade_id}`,
      kind: "trade",
      venue: VENUE,
      symbol: t.product_id,
      nativeSymbol: t.product_id,
      exchangeTs: t._ts,
      receivedTs: ctx.receivedTs,
      tradeId: t.trade_id,
      price: t.price,
      size: t.size,
      side: takerSide(t.side)!,
    });
  }
  return "ok";
}

/** Parses the `events` of a `ticker` or (`batch`) `ticker_batch` frame. */
export function parseTickers(
  ctx: FrameContext,
  events: Json[],
  batch: boolean,
): FrameOutcome {
  for (let e = 0; e < events.length; e++) {
    const tickers = events[e]?.tickers;
    if (!Array.isArray(tickers)) return "invalid";
    for (let i = 0; i < tickers.length; i++) {
      const t = tickers[i];
      if (typeof t?.product_id !== "string" || !isDecimal(t.price)) {
        return "invalid";
      }
      ctx.product(t.product_id);
      ctx.out.push({
        id: `${VENUE}:${t.product_id}:ticker:${
          batch ? "batch:" : ""
        }${ctx.stamp}${i > 0 ? `:${i}` : ""}`,
        kind: "ticker",
        venue: VENUE,
        symbol: t.product_id,
        nativeSymbol: t.product_id,
        exchangeTs: ctx.ts,
        receivedTs: ctx.receivedTs,
        bid: str(t.best_bid),
        bidSize: str(t.best_bid_quantity),
        ask: str(t.best_ask),
        askSize: str(t.best_ask_quantity),
        last: t.price,
        volume24h: str(t.volume_24_h),
        high24h: opt(t.high_24_h),
        low24h: opt(t.low_24_h),
      });
    }
  }
  return "ok";
}
