/**
 * `candles` → candle events. Coinbase sends the open five-minute candle of
 * each product about every second; a candle closes when the first update
 * of a later bucket arrives, so every bucket yields exactly one closed
 * candle (id `…:candle:5m:<openTime>:closed`), carrying the values of the
 * bucket's last update. A bucket older than the open one is a repeat and is
 * dropped. When the open candle's latest update came before a reconnect or
 * a sequence gap, its close may lack the bucket's final updates: a `gap`
 * status says so.
 *
 * @module
 */

import type { CandleEvent } from "../../core/events.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { isDecimal, type Json } from "../fields.ts";
import { reportGap } from "../report.ts";
import { type FrameContext, VENUE } from "./frame_context.ts";
import type { ProductState } from "./product_state.ts";

/** The one granularity of the channel. */
export const CANDLE_INTERVAL = "5m";

/** Parses the `events` of a `candles` frame. */
export function parseCandles(ctx: FrameContext, events: Json[]): FrameOutcome {
  for (let e = 0; e < events.length; e++) {
    const candles = events[e]?.candles;
    if (!Array.isArray(candles)) return "invalid";
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i];
      const start = typeof c?.start === "string" ? Number(c.start) : NaN;
      if (
        typeof c?.product_id !== "string" || !Number.isInteger(start) ||
        !isDecimal(c.open) || !isDecimal(c.high) || !isDecimal(c.low) ||
        !isDecimal(c.close) || !isDecimal(c.volume)
      ) return "invalid";
      const st = ctx.product(c.product_id);
      if (start < st.candleStart) {
        ctx.stats.duplicates++;
        continue;
      }
      if (start > st.candleStart && st.candleStart >= 0) close(ctx, st);
      st.candleStart = start;
      st.open = c.open;
      st.high = c.high;
      st.low = c.low;
      st.close = c.close;
      st.volume = c.volume;
      st.candleEpoch = ctx.epoch;
      ctx.out.push(candle(ctx, st, false));
    }
  }
  return "ok";
}

/** Emits the open candle of `st` as closed: a candle of a later bucket arrived. */
function close(ctx: FrameContext, st: ProductState): void {
  if (st.candleEpoch !== ctx.epoch) {
    ctx.out.push(reportGap(ctx.stats, {
      venue: VENUE,
      symbol: st.product,
      nativeSymbol: st.product,
      connection: ctx.connection,
      ts: ctx.receivedTs,
      missed: 0,
      detail: `candle ${CANDLE_INTERVAL} at ${
        new Date(st.candleStart * 1000).toISOString()
      } closed from an update older than a reconnect or sequence gap: it may miss its last trades`,
    }));
  }
  ctx.out.push(candle(ctx, st, true));
}

function candle(
  ctx: FrameContext,
  st: ProductState,
  closed: boolean,
): CandleEvent {
  const openTime = st.candleStart * 1000;
  return {
    id: `${VENUE}:${st.product}:candle:${CANDLE_INTERVAL}:${openTime}:${
      closed ? "closed" : ctx.stamp
    }`,
    kind: "candle",
    venue: VENUE,
    symbol: st.product,
    nativeSymbol: st.product,
    exchangeTs: ctx.ts,
    receivedTs: ctx.receivedTs,
    interval: CANDLE_INTERVAL,
    openTime,
    open: st.open,
    high: st.high,
    low: st.low,
    close: st.close,
    volume: st.volume,
    closed,
  };
}
