/**
 * Coinbase Exchange ws-feed frames → normalized events.
 *
 * Integrity, as the feed allows it: `sequence` is one number line per
 * product shared by every channel (including the `full` channel a public
 * subscriber never sees), so sequence jumps on `matches` are normal and are
 * not gaps. Trade ids ARE consecutive per product, so a jump in `trade_id`,
 * or a heartbeat announcing a `last_trade_id` tickgate has not received, is
 * a real loss: counted once and reported as a `gap` status event. A trade
 * id or ticker sequence already seen is dropped (reconnect overlap, replays).
 *
 * @module
 */

import {
  type BookLevel,
  type NormalizedEvent,
  type Side,
  type StatusEvent,
} from "../../core/events.ts";
import { integerString } from "../../core/decimal.ts";
import { IsoClock } from "../../core/iso_clock.ts";
import type { FrameParser } from "../../core/pipeline.ts";
import { SequenceLine, STALE } from "../../core/sequence.ts";
import type {
  FrameOutcome,
  SymbolCounter,
  VenueStats,
} from "../../core/stats.ts";
import { parseIsoTimestamp } from "../../core/time.ts";
import {
  isDecimal,
  type Json,
  levels,
  opt,
  parseObject,
  str,
} from "../fields.ts";
import { idRange, reportGap, reportVenueError } from "../report.ts";

const VENUE = "coinbase";

/** What the parser keeps per product, found with one lookup per frame. */
interface ProductState {
  counter: SymbolCounter;
  /** Trade ids: consecutive per product, so jumps are losses. */
  trades: SequenceLine;
  /** Ticker sequences: only for dropping repeats (tickers batch, so they jump). */
  tickers: SequenceLine;
  /** The connection that delivered this product's matches, "" if none yet. */
  armedOn: string;
  /** Last l2update time (µs) and how often it repeated. */
  bookUs: number;
  bookRepeats: number;
  /** Event id prefixes `coinbase:<product>:trade:` and `…:ticker:`. */
  tradeIdPrefix: string;
  tickerIdPrefix: string;
}

/**
 * The Coinbase Exchange frame parser. One instance per venue: its per-product
 * trade-id and ticker-sequence state spans reconnects, so the overlap after a
 * reconnect is dropped and the trades missed during it are counted.
 *
 * @example Usage
 * ```ts
 * const parser = new CoinbaseParser(new VenueStats("coinbase"));
 * const out: NormalizedEvent[] = [];
 * parser.parse(frame, Date.now(), "coinbase-0", out);
 * ```
 */
export class CoinbaseParser implements FrameParser {
  readonly #stats: VenueStats;
  readonly #products = new Map<string, ProductState>();
  readonly #clock = new IsoClock();

  constructor(stats: VenueStats) {
    this.#stats = stats;
  }

  connectionOpened(connection: string): void {
    for (const p of this.#products.values()) {
      if (p.armedOn === connection) p.armedOn = "";
    }
  }

  /** The state of `product`, counting one frame for it. */
  #product(product: string): ProductState {
    let p = this.#products.get(product);
    if (p === undefined) {
      p = {
        counter: this.#stats.symbol(product),
        trades: new SequenceLine(),
        tickers: new SequenceLine(),
        armedOn: "",
        bookUs: 0,
        bookRepeats: 0,
        tradeIdPrefix: `coinbase:${product}:trade:`,
        tickerIdPrefix: `coinbase:${product}:ticker:`,
      };
      this.#products.set(product, p);
    }
    p.counter.frames++;
    return p;
  }

  parse(
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const m = parseObject(frame);
    if (m === undefined) return "malformed";
    switch (m.type) {
      case "match":
      case "last_match":
        return this.#match(m, receivedTs, connection, out);
      case "ticker":
      case "ticker_batch":
        return this.#ticker(m, receivedTs, out);
      case "heartbeat":
        return this.#heartbeat(m, receivedTs, connection, out);
      case "snapshot":
      case "l2update":
        return this.#book(m, receivedTs, out);
      case "subscriptions":
        return this.#ack(m, connection);
      case "error":
        return this.#error(m, receivedTs, connection, out);
      case "status":
        return this.#status(m);
      default:
        return "unknown";
    }
  }

  #match(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const product = m.product_id;
    const tradeId = m.trade_id;
    const maker = m.side;
    if (
      typeof product !== "string" || typeof tradeId !== "number" ||
      !isDecimal(m.price) || !isDecimal(m.size) ||
      (maker !== "buy" && maker !== "sell") || typeof m.time !== "string"
    ) return "invalid";
    const exchangeTs = this.#clock.parse(m.time);
    if (exchangeTs !== exchangeTs) return "invalid"; // NaN
    const state = this.#product(product);
    state.armedOn = connection;
    const missed = state.trades.next(tradeId);
    if (missed === STALE) {
      this.#stats.duplicates++;
      return "ok";
    }
    if (missed > 0) {
      out.push(this.#gap(product, connection, receivedTs, missed, tradeId));
    }
    const id = integerString(tradeId);
    out.push({
      id: state.tradeIdPrefix + id,
      kind: "trade",
      venue: VENUE,
      symbol: product,
      nativeSymbol: product,
      exchangeTs,
      receivedTs,
      tradeId: id,
      price: m.price,
      size: m.size,
      // `side` is the maker's side; the taker took the other one.
      side: (maker === "buy" ? "sell" : "buy") as Side,
    });
    return "ok";
  }

  #ticker(m: Json, receivedTs: number, out: NormalizedEvent[]): FrameOutcome {
    const product = m.product_id;
    const seq = m.sequence;
    if (
      typeof product !== "string" || typeof seq !== "number" ||
      !isDecimal(m.price) || typeof m.time !== "string"
    ) return "invalid";
    const exchangeTs = this.#clock.parse(m.time);
    if (exchangeTs !== exchangeTs) return "invalid";
    const state = this.#product(product);
    if (state.tickers.next(seq) === STALE) {
      this.#stats.duplicates++;
      return "ok";
    }
    out.push({
      id: state.tickerIdPrefix + integerString(seq),
      kind: "ticker",
      venue: VENUE,
      symbol: product,
      nativeSymbol: product,
      exchangeTs,
      receivedTs,
      bid: str(m.best_bid),
      bidSize: str(m.best_bid_size),
      ask: str(m.best_ask),
      askSize: str(m.best_ask_size),
      last: m.price,
      volume24h: str(m.volume_24h),
      open24h: opt(m.open_24h),
      high24h: opt(m.high_24h),
      low24h: opt(m.low_24h),
      volume30d: opt(m.volume_30d),
      lastSize: opt(m.last_size),
      lastTradeId: typeof m.trade_id === "number"
        ? integerString(m.trade_id)
        : undefined,
      sequence: seq,
    });
    return "ok";
  }

  #heartbeat(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const product = m.product_id;
    const lastTradeId = m.last_trade_id;
    if (typeof product !== "string" || typeof lastTradeId !== "number") {
      return "invalid";
    }
    const state = this.#product(product);
    // Only judge trades on a connection that has delivered this product's
    // matches: right after (re)subscribing, `last_match` may still be on its
    // way. A zero last_trade_id is a known feed quirk; ignore it.
    if (lastTradeId > 0 && state.armedOn === connection) {
      const missed = state.trades.expectUpTo(lastTradeId);
      if (missed > 0) {
        out.push(
          this.#gap(product, connection, receivedTs, missed, lastTradeId + 1),
        );
      }
    }
    return "control";
  }

  #book(m: Json, receivedTs: number, out: NormalizedEvent[]): FrameOutcome {
    const product = m.product_id;
    if (typeof product !== "string") return "invalid";
    let bids: BookLevel[] | undefined;
    let asks: BookLevel[] | undefined;
    const snapshot = m.type === "snapshot";
    if (snapshot) {
      bids = levels(m.bids);
      asks = levels(m.asks);
    } else {
      const changes = m.changes;
      if (!Array.isArray(changes)) return "invalid";
      bids = [];
      asks = [];
      for (let i = 0; i < changes.length; i++) {
        const c = changes[i];
        if (!Array.isArray(c) || !isDecimal(c[1]) || !isDecimal(c[2])) {
          return "invalid";
        }
        if (c[0] === "buy") bids.push([c[1], c[2]]);
        else if (c[0] === "sell") asks.push([c[1], c[2]]);
        else return "invalid";
      }
    }
    if (bids === undefined || asks === undefined) return "invalid";
    let exchangeTs = receivedTs;
    if (typeof m.time === "string") {
      exchangeTs = parseIsoTimestamp(m.time);
      if (exchangeTs !== exchangeTs) return "invalid";
    } else if (!snapshot) {
      return "invalid";
    }
    const state = this.#product(product);
    out.push({
      id: bookId(state, product, snapshot, exchangeTs),
      kind: "book",
      venue: VENUE,
      symbol: product,
      nativeSymbol: product,
      exchangeTs,
      receivedTs,
      type: snapshot ? "snapshot" : "delta",
      bids,
      asks,
      sequence: undefined,
    });
    return "ok";
  }

  #ack(m: Json, connection: string): FrameOutcome {
    if (!Array.isArray(m.channels)) return "invalid";
    const channels: Record<string, string[]> = {};
    for (const c of m.channels) {
      if (typeof c === "string") channels[c] = [];
      else if (c && typeof c.name === "string") {
        channels[c.name] = Array.isArray(c.product_ids)
          ? c.product_ids.filter((p: unknown) => typeof p === "string")
          : [];
      }
    }
    this.#stats.acks++;
    this.#stats.acked.set(connection, channels);
    return "ack";
  }

  #error(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const message = typeof m.message === "string" ? m.message : "error";
    const reason = typeof m.reason === "string" ? `: ${m.reason}` : "";
    out.push(reportVenueError(
      this.#stats,
      VENUE,
      connection,
      receivedTs,
      `${message}${reason}`,
    ));
    return "control";
  }

  #status(m: Json): FrameOutcome {
    if (!Array.isArray(m.products)) return "invalid";
    for (const p of m.products) {
      if (p && typeof p.id === "string" && typeof p.status === "string") {
        this.#stats.symbolStatus.set(p.id, p.status);
      }
    }
    return "control";
  }

  #gap(
    product: string,
    connection: string,
    ts: number,
    missed: number,
    before: number,
  ): StatusEvent {
    const plural = missed === 1 ? "" : "s";
    return reportGap(this.#stats, {
      venue: VENUE,
      symbol: product,
      nativeSymbol: product,
      connection,
      ts,
      missed,
      detail: `missed ${missed} trade${plural} (trade_id ${
        idRange(before - missed, missed)
      })`,
    });
  }
}

/** l2 frames carry no sequence: the id is the event time, disambiguated. */
function bookId(
  p: ProductState,
  product: string,
  snapshot: boolean,
  ts: number,
): string {
  const us = Math.round(ts * 1000);
  let suffix = "";
  if (p.bookUs === us) suffix = `.${++p.bookRepeats}`;
  else {
    p.bookUs = us;
    p.bookRepeats = 0;
  }
  return `coinbase:${product}:book:${
    snapshot ? "snapshot" : "delta"
  }:${us}${suffix}`;
}
