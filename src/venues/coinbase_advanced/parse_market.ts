/**
 * `market_trades` → trades and `ticker`/`ticker_batch` → tickers.
 *
 * Trade sides: Coinbase documents `side` of `market_trades` as the MAKER's
 * side, so the taker (the event's `side`) is the opposite: `BUY` → `sell`.
 * A message's trades may come newest first; they are emitted oldest first,
 * and a numeric trade id not newer than the product's latest is a repeat
 * (the snapshot after a resubscribe) and dropped.
 *
 * @module
 */

import type { Side } from "../../core/events.ts";
import { STALE } from "../../core/sequence.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { parseIsoTimestamp } from "../../core/time.ts";
import { isDecimal, type Json, opt, str } from "../fields.ts";
import { type FrameContext, VENUE } from "./frame_context.ts";

const NUMERIC_ID = /^\d{1,15}$/;

/** The taker side of a `market_trades` trade whose maker side is `side`. */
function takerSide(side: unknown): Side | undefined {
  return side === "BUY" ? "sell" : side === "SELL" ? "buy" : undefined;
}

/** Oldest first: by time, then by numeric id. */
function byAge(a: Json, b: Json): number {
  return a.ts - b.ts || Number(a.trade_id) - Number(b.trade_id);
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
      trades.push({ ...t, ts });
    }
  }
  if (trades.length > 1) trades.sort(byAge);
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i];
    const st = ctx.product(t.product_id);
    if (NUMERIC_ID.test(t.trade_id)) {
      if (st.trades.next(Number(t.trade_id)) === STALE) {
        ctx.stats.duplicates++;
        continue;
      }
    }
    ctx.out.push({
      id: `${VENUE}:${t.product_id}:trade:${t.trade_id}`,
      kind: "trade",
      venue: VENUE,
      symbol: t.product_id,
      nativeSymbol: t.product_id,
      exchangeTs: t.ts,
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
