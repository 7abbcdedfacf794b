/**
 * Coinbase Advanced Trade frames → normalized events.
 *
 * Every frame but `error` is an envelope `{channel, client_id, timestamp,
 * sequence_num, events[]}`. `sequence_num` counts every message of a
 * connection (heartbeats and acks too), so a jump is a real loss: it is
 * counted once, reported as a `gap` status event, and the connection's
 * channels are resubscribed for fresh snapshots (at most once per
 * {@link RESUBSCRIBE_INTERVAL_MS}; a gap inside that interval resubscribes
 * when it has passed). A number not above the latest is a repeat and
 * dropped. An invalid frame emits nothing. The channel parsers live beside
 * this file.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameParser } from "../../core/pipeline.ts";
import { SequenceLine, STALE } from "../../core/sequence.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { parseIsoTimestamp } from "../../core/time.ts";
import { type Json, parseObject } from "../fields.ts";
import { idRange, reportGap, reportVenueError } from "../report.ts";
import {
  type ConnectionLink,
  type FrameContext,
  VENUE,
} from "./frame_context.ts";
import { parseBook } from "./parse_book.ts";
import { closeDueCandles, parseCandles } from "./parse_candles.ts";
import { parseTickers, parseTrades } from "./parse_market.ts";
import { type ProductState, productState } from "./product_state.ts";

/** A connection's channels are resubscribed after a gap at most this often. */
export const RESUBSCRIBE_INTERVAL_MS = 5_000;

/** What the parser tells its venue. */
export interface AdvancedParserOptions {
  stats: VenueStats;
  /** Subscribe these stream keys again (for snapshots after a gap). */
  resubscribe?(keys: string[]): void;
  /** The venue refused a JWT with `message`. */
  onAuthFailure?(connection: string, message: string): void;
  /** The venue acknowledged subscriptions on `connection`. */
  onAck?(connection: string): void;
  /** Removes secrets from venue text before it is kept or shown. */
  redact?(text: string): string;
}

/** Per socket: its sequence line, and what it was last acknowledged to carry. */
interface ConnectionState extends ConnectionLink {
  line: SequenceLine;
  /** Stream keys (`channel:product`) of the latest `subscriptions` ack. */
  keys: string[];
  /** receivedTs of the latest gap resubscription, 0 when none. */
  resubscribedAt: number;
  /** A gap came within the interval: resubscribe once it has passed. */
  resubscribeDue: boolean;
}

/**
 * The Coinbase Advanced Trade frame parser. One instance per venue.
 *
 * @example Usage
 * ```ts
 * const parser = new AdvancedParser({ stats: new VenueStats("coinbase-advanced") });
 * const out: NormalizedEvent[] = [];
 * parser.parse(frame, Date.now(), "coinbase-advanced-0", out);
 * ```
 */
export class AdvancedParser implements FrameParser {
  readonly #opts: AdvancedParserOptions;
  readonly #stats: VenueStats;
  readonly #products = new Map<string, ProductState>();
  readonly #connections = new Map<string, ConnectionState>();
  #frame = 0;
  readonly #ctx: FrameContext;

  constructor(options: AdvancedParserOptions) {
    this.#opts = options;
    this.#stats = options.stats;
    this.#ctx = {
      stats: options.stats,
      receivedTs: 0,
      ts: 0,
      stamp: "",
      connection: "",
      link: { epoch: 0 },
      out: [],
      product: (product) => this.#product(product),
    };
  }

  connectionOpened(connection: string): void {
    this.#connections.delete(connection);
  }

  #product(product: string): ProductState {
    let st = this.#products.get(product);
    if (st === undefined) {
      st = productState(product, this.#stats);
      this.#products.set(product, st);
    }
    if (st.countedFrame !== this.#frame) {
      st.countedFrame = this.#frame;
      st.counter.frames++;
    }
    return st;
  }

  #connection(connection: string): ConnectionState {
    let c = this.#connections.get(connection);
    if (c === undefined) {
      c = {
        epoch: 0,
        line: new SequenceLine(),
        keys: [],
        resubscribedAt: 0,
        resubscribeDue: false,
      };
      this.#connections.set(connection, c);
    }
    return c;
  }

  parse(
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const m = parseObject(frame);
    if (m === undefined) return "malformed";
    if (m.type === "error") return this.#error(m, receivedTs, connection, out);
    const channel = m.channel;
    const events = m.events;
    const seq = m.sequence_num;
    if (
      typeof channel !== "string" || !Array.isArray(events) ||
      typeof seq !== "number" || typeof m.timestamp !== "string"
    ) return "invalid";
    const ts = parseIsoTimestamp(m.timestamp);
    if (ts !== ts) return "invalid";
    const conn = this.#connection(connection);
    const missed = conn.line.next(seq);
    if (missed === STALE) {
      this.#stats.duplicates++;
      return "ok";
    }
    if (missed > 0) this.#gap(conn, seq, missed, receivedTs, connection, out);
    else if (
      conn.resubscribeDue &&
      receivedTs - conn.resubscribedAt >= RESUBSCRIBE_INTERVAL_MS
    ) this.#resubscribe(conn, receivedTs);
    const ctx = this.#ctx;
    this.#frame++;
    ctx.receivedTs = receivedTs;
    ctx.ts = ts;
    ctx.stamp = m.timestamp;
    ctx.connection = connection;
    ctx.link = conn;
    ctx.out = out;
    const mark = out.length;
    const outcome = this.#channel(ctx, channel, events, conn, connection);
    if (outcome === "invalid") out.length = mark;
    return outcome;
  }

  #channel(
    ctx: FrameContext,
    channel: string,
    events: Json[],
    conn: ConnectionState,
    connection: string,
  ): FrameOutcome {
    switch (channel) {
      case "candles":
        return parseCandles(ctx, events);
      case "market_trades":
        return parseTrades(ctx, events);
      case "ticker":
        return parseTickers(ctx, events, false);
      case "ticker_batch":
        return parseTickers(ctx, events, true);
      case "l2_data":
        return parseBook(ctx, events);
      case "heartbeats":
        closeDueCandles(ctx, this.#products.values());
        return "control";
      case "subscriptions":
        return this.#ack(conn, events, connection);
      case "status":
        return this.#status(events);
      default:
        return "unknown";
    }
  }

  /** Counts and reports `missed` lost messages; resubscribes for snapshots. */
  #gap(
    conn: ConnectionState,
    seq: number,
    missed: number,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): void {
    conn.epoch++;
    out.push(reportGap(this.#stats, {
      venue: VENUE,
      symbol: "*",
      nativeSymbol: "*",
      connection,
      ts: receivedTs,
      missed,
      detail: `missed ${missed} message${
        missed === 1 ? "" : "s"
      } (sequence_num ${
        idRange(seq - missed, missed)
      }); resubscribing for snapshots`,
    }));
    for (const key of conn.keys) {
      const product = key.slice(key.indexOf(":") + 1);
      if (key.startsWith("level2:")) {
        const st = this.#products.get(product);
        if (st !== undefined) st.awaitingSnapshot = true;
      }
    }
    if (receivedTs - conn.resubscribedAt < RESUBSCRIBE_INTERVAL_MS) {
      conn.resubscribeDue = true;
      return;
    }
    this.#resubscribe(conn, receivedTs);
  }

  #resubscribe(conn: ConnectionState, receivedTs: number): void {
    conn.resubscribedAt = receivedTs;
    conn.resubscribeDue = false;
    if (conn.keys.length > 0) this.#opts.resubscribe?.(conn.keys);
  }

  #ack(
    conn: ConnectionState,
    events: Json[],
    connection: string,
  ): FrameOutcome {
    const subs = events[0]?.subscriptions;
    if (typeof subs !== "object" || subs === null || Array.isArray(subs)) {
      return "invalid";
    }
    const acked: Record<string, string[]> = {};
    const keys: string[] = [];
    for (const [channel, products] of Object.entries(subs)) {
      const ids = Array.isArray(products)
        ? products.filter((p): p is string => typeof p === "string")
        : [];
      acked[channel] = ids;
      if (channel === "heartbeats") continue;
      for (const id of ids) keys.push(`${channel}:${id}`);
    }
    conn.keys = keys;
    this.#stats.acks++;
    this.#stats.acked.set(connection, acked);
    this.#opts.onAck?.(connection);
    return "ack";
  }

  #status(events: Json[]): FrameOutcome {
    for (const ev of events) {
      if (!Array.isArray(ev?.products)) return "invalid";
      for (const p of ev.products) {
        if (typeof p?.id === "string" && typeof p.status === "string") {
          this.#stats.symbolStatus.set(p.id, p.status);
        }
      }
    }
    return "control";
  }

  #error(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const raw = typeof m.message === "string" ? m.message : "error";
    const message = this.#opts.redact?.(raw) ?? raw;
    out.push(
      reportVenueError(this.#stats, VENUE, connection, receivedTs, message),
    );
    if (/auth/i.test(message)) this.#opts.onAuthFailure?.(connection, message);
    return "control";
  }
}
