/**
 * Bybit `orderbook.{depth}` frames → book events, with the integrity rules
 * of the venue:
 *
 * - a `snapshot` replaces the book, and so does any frame with `u=1` (the
 *   service restarted): reported as a `resync` when it replaced a live book
 *   (except level 1, which is all snapshots and re-sends an unchanged book
 *   with the same `u` every 3 s: neither a gap nor a repeat);
 * - Bybit does not promise that `u` grows by exactly 1, so a delta is checked
 *   for order only: the same `u` again is a repeat (dropped); a smaller `u`,
 *   a `seq` going back, or a delta with no book to apply to is a break:
 *   reported as a `gap`, and the topic is resubscribed for a fresh snapshot.
 *   Deltas are dropped until it arrives (the request is repeated if none
 *   came within {@link RESYNC_RETRY_MS}).
 *
 * @module
 */

import { integerString } from "../../core/decimal.ts";
import {
  type BookLevel,
  type NormalizedEvent,
  statusEvent,
} from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { type Json, levelsInPlace } from "../fields.ts";
import { reportGap } from "../report.ts";
import type { TopicState } from "./topic_state.ts";

/** A resubscription that brought no snapshot is repeated after this long. */
export const RESYNC_RETRY_MS = 10_000;

/** Asks for a topic to be resubscribed (a fresh snapshot follows). */
export type Resubscribe = (topic: string) => void;

/** The frame's `type`: neither `snapshot` nor `delta` (or absent). */
export const BOOK_OTHER = 0;
/** The frame's `type` is `snapshot`. */
export const BOOK_SNAPSHOT = 1;
/** The frame's `type` is `delta`. */
export const BOOK_DELTA = 2;

/** `orderbook.{depth}` → a book snapshot or delta event. */
export function parseBook(
  st: TopicState,
  m: Json,
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
  stats: VenueStats,
  resubscribe: Resubscribe,
): FrameOutcome {
  const d = m.data;
  if (typeof d !== "object" || d === null || typeof d.u !== "number") {
    return "invalid";
  }
  const bids = levelsInPlace(d.b);
  const asks = levelsInPlace(d.a);
  if (bids === undefined || asks === undefined) return "invalid";
  return applyBook(
    st,
    m.type === "snapshot"
      ? BOOK_SNAPSHOT
      : m.type === "delta"
      ? BOOK_DELTA
      : BOOK_OTHER,
    d.u,
    typeof d.seq === "number" ? d.seq : -1,
    typeof m.ts === "number" ? m.ts : receivedTs,
    bids,
    asks,
    receivedTs,
    connection,
    out,
    stats,
    resubscribe,
  );
}

/**
 * One well-formed book frame (its fields already read and checked), shared
 * by the JSON.parse path and the scanner's fast path: `type` is one of
 * {@link BOOK_OTHER}, {@link BOOK_SNAPSHOT} or {@link BOOK_DELTA}, `seq` is
 * -1 when the frame has none, `ts` the frame's `ts` or else `receivedTs`.
 */
export function applyBook(
  st: TopicState,
  type: number,
  u: number,
  seq: number,
  ts: number,
  bids: BookLevel[],
  asks: BookLevel[],
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
  stats: VenueStats,
  resubscribe: Resubscribe,
): FrameOutcome {
  const snapshot = type === BOOK_SNAPSHOT || u === 1;
  if (!snapshot && type !== BOOK_DELTA) return "invalid";
  if (snapshot) {
    const replaced = st.hasBook && st.parts.depth > 1 ||
      st.resyncAt !== 0 || (u === 1 && st.u > 1);
    if (replaced) {
      out.push(statusEvent({
        venue: "bybit",
        connection,
        state: "resync",
        detail: `${st.topic}: ${
          u === 1 && st.u > 1
            ? "u=1 (service restart)"
            : st.resyncAt !== 0
            ? "fresh snapshot after resubscribing"
            : "snapshot re-sent by the venue"
        }; book replaced at u=${u}`,
        symbol: st.symbol,
        nativeSymbol: st.nativeSymbol,
        ts: receivedTs,
      }));
    }
    st.hasBook = true;
    st.resyncAt = 0;
  } else {
    if (!st.hasBook || st.connection !== connection) {
      return breakBook(st, receivedTs, connection, out, stats, resubscribe, {
        detail: "delta without a snapshot",
      });
    }
    if (u === st.u) {
      stats.duplicates++;
      return "ok";
    }
    if (u < st.u || seq < st.bookSeq) {
      return breakBook(st, receivedTs, connection, out, stats, resubscribe, {
        detail: `u went from ${st.u} to ${u}, seq from ${st.bookSeq} to ${seq}`,
      });
    }
  }
  st.connection = connection;
  st.u = u;
  st.bookSeq = seq;
  out.push({
    id: st.idPrefix + integerString(u),
    kind: "book",
    venue: "bybit",
    symbol: st.symbol,
    nativeSymbol: st.nativeSymbol,
    exchangeTs: ts,
    receivedTs,
    type: snapshot ? "snapshot" : "delta",
    bids,
    asks,
    sequence: u,
    firstSequence: undefined,
  });
  return "ok";
}

/** Drops the book, reports the break once, and resubscribes the topic. */
function breakBook(
  st: TopicState,
  receivedTs: number,
  connection: string,
  out: NormalizedEvent[],
  stats: VenueStats,
  resubscribe: Resubscribe,
  why: { detail: string },
): FrameOutcome {
  const pending = st.resyncAt !== 0 &&
    receivedTs - st.resyncAt < RESYNC_RETRY_MS;
  if (pending) return "ok";
  if (st.resyncAt === 0) {
    out.push(reportGap(stats, {
      venue: "bybit",
      symbol: st.symbol,
      nativeSymbol: st.nativeSymbol,
      connection,
      ts: receivedTs,
      missed: 0,
      detail: `${st.topic}: ${why.detail}; resubscribing for a fresh snapshot`,
    }));
  }
  st.hasBook = false;
  st.resyncAt = receivedTs;
  resubscribe(st.topic);
  return "ok";
}
