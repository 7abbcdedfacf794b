/**
 * `l2_data` (the data of the `level2` channel) → book events. A `snapshot`
 * replaces the product's book; an `update` changes levels to their new
 * absolute size (`"0"` removes). Sides are `bid` and `offer`. The frames
 * carry no per-book sequence: after a `sequence_num` gap the book is
 * unreliable, so its updates are dropped until the snapshot that the
 * resubscription brings; a snapshot replacing a book
 * already started says `resync`.
 *
 * @module
 */

import { type BookLevel, statusEvent } from "../../core/events.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { isDecimal, type Json } from "../fields.ts";
import { type FrameContext, VENUE } from "./frame_context.ts";

/** Parses the `events` of an `l2_data` frame. */
export function parseBook(ctx: FrameContext, events: Json[]): FrameOutcome {
  for (let e = 0; e < events.length; e++) {
    const ev = events[e];
    const updates = ev?.updates;
    const snapshot = ev?.type === "snapshot";
    if (
      typeof ev?.product_id !== "string" || !Array.isArray(updates) ||
      (!snapshot && ev.type !== "update")
    ) return "invalid";
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i];
      if (!isDecimal(u?.price_level) || !isDecimal(u.new_quantity)) {
        return "invalid";
      }
      if (u.side === "bid") bids.push([u.price_level, u.new_quantity]);
      else if (u.side === "offer" || u.side === "ask") {
        asks.push([u.price_level, u.new_quantity]);
      } else return "invalid";
    }
    const st = ctx.product(ev.product_id);
    if (snapshot) {
      if (st.hasBook) {
        ctx.out.push(statusEvent({
          venue: VENUE,
          connection: ctx.connection,
          state: "resync",
          detail: "level2 snapshot replaces the book",
          symbol: st.product,
          nativeSymbol: st.product,
          ts: ctx.receivedTs,
        }));
      }
      st.hasBook = true;
      st.bookConnection = ctx.connection;
      st.awaitingSnapshot = false;
    } else if (
      !st.hasBook || st.awaitingSnapshot || st.bookConnection !== ctx.connection
    ) {
      // After a gap: covered by the gap reported, the snapshot follows.
      // From another connection (a replacement's overlap): the book follows
      // the connection of its latest snapshot.
      continue;
    }
    ctx.out.push({
      id: `${VENUE}:${st.product}:book:${
        snapshot ? "snapshot" : "delta"
      }:${ctx.stamp}${e > 0 ? `:${e}` : ""}`,
      kind: "book",
      venue: VENUE,
      symbol: st.product,
      nativeSymbol: st.product,
      exchangeTs: ctx.ts,
      receivedTs: ctx.receivedTs,
      type: snapshot ? "snapshot" : "delta",
      bids,
      asks,
      sequence: undefined,
    });
  }
  return "ok";
}
