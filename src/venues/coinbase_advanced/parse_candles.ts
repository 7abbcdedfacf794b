/**
 * `candles` → candle events. Coinbase sends the open five-minute candle of
 * each product about every second. Each update is emitted as an open
 * candle; the bucket is emitted once as closed (id
 * `…:candle:5m:<openTime>:closed`, with the values of its last update) when
 * the first update of a later bucket arrives, or, for a product that went
 * quiet, when the feed's clock (heartbeats) is {@link CLOSE_GRACE_MS} past
 * the bucket's end. So every bucket with trades yields exactly one closed
 * candle. Updates of a bucket already closed, or older, are repeats. When
 * the bucket's latest update came on another socket or before a sequence
 * gap, its close may lack the last trades: a `gap` status says so (the loss
 * itself was counted where it happened).
 *
 * @module
 */

import { statusEvent } from "../../core/events.ts";
import type { CandleEvent } from "../../core/events.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { isDecimal, type Json } from "../fields.ts";
import { type FrameContext, VENUE } from "./frame_context.ts";
import type { ProductState } from "./product_state.ts";

/** The one granularity of the channel. */
export const CANDLE_INTERVAL = "5m";
const BUCKET_MS = 300_000;

/** How long after a bucket's end a quiet product's candle is closed anyway. */
export const CLOSE_GRACE_MS = 5_000;

const UNIX_SECONDS = /^\d{1,12}$/;

function valid(c: Json): boolean {
  return typeof c?.product_id === "string" && typeof c.start === "string" &&
    UNIX_SECONDS.test(c.start) && isDecimal(c.open) && isDecimal(c.high) &&
    isDecimal(c.low) && isDecimal(c.close) && isDecimal(c.volume);
}

/** Parses the `events` of a `candles` frame (checked whole before any is used). */
export function parseCandles(ctx: FrameContext, events: Json[]): FrameOutcome {
  for (let e = 0; e < events.length; e++) {
    const candles = events[e]?.candles;
    if (!Array.isArray(candles)) return "invalid";
    for (let i = 0; i < candles.length; i++) {
      if (!valid(candles[i])) return "invalid";
    }
  }
  for (let e = 0; e < events.length; e++) {
    const candles: Json[] = events[e].candles;
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i];
      const start = Number(c.start);
      const st = ctx.product(c.product_id);
      if (
        start < st.candleStart || (start === st.candleStart && st.candleClosed)
      ) {
        ctx.stats.duplicates++;
        continue;
      }
      if (start > st.candleStart && st.candleStart >= 0 && !st.candleClosed) {
        close(ctx, st);
      }
      st.candleStart = start;
      st.candleClosed = false;
      st.open = c.open;
      st.high = c.high;
      st.low = c.low;
      st.close = c.close;
      st.volume = c.volume;
      st.candleLink = ctx.link;
      st.candleEpoch = ctx.link.epoch;
      ctx.out.push(candle(ctx, st, false));
    }
  }
  return "ok";
}

/**
 * Closes the open candles whose bucket ended {@link CLOSE_GRACE_MS} before
 * the frame's envelope time (called on heartbeats, about once a second).
 */
export function closeDueCandles(
  ctx: FrameContext,
  products: Iterable<ProductState>,
): void {
  for (const st of products) {
    if (
      st.candleStart >= 0 && !st.candleClosed &&
      ctx.ts >= st.candleStart * 1000 + BUCKET_MS + CLOSE_GRACE_MS
    ) close(ctx, st);
  }
}

/** Emits the open candle of `st` as closed. */
function close(ctx: FrameContext, st: ProductState): void {
  st.candleClosed = true;
  if (st.candleLink !== ctx.link || st.candleEpoch !== ctx.link.epoch) {
    ctx.out.push(statusEvent({
      venue: VENUE,
      connection: ctx.connection,
      state: "gap",
      detail: `candle ${CANDLE_INTERVAL} at ${
        new Date(st.candleStart * 1000).toISOString()
      } closed from an update older than a reconnect or sequence gap: it may miss its last trades`,
      symbol: st.product,
      nativeSymbol: st.product,
      ts: ctx.receivedTs,
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
