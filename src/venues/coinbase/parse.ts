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
 * The hot frames take a fast path that reads them without `JSON.parse`
 * (see `scan.ts`); both paths end in the same per-kind methods, so they
 * give the same outcome, events and counters.
 *
 * @module
 */

import type { BookLevel, NormalizedEvent, Side } from "../../core/events.ts";
import { integerString } from "../../core/decimal.ts";
import { IsoClock } from "../../core/iso_clock.ts";
import type { FrameParser } from "../../core/pipeline.ts";
import { STALE } from "../../core/sequence.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { parseIsoTimestamp } from "../../core/time.ts";
import {
  isDecimal,
  type Json,
  levels,
  opt,
  parseObject,
  str,
} from "../fields.ts";
import {
  ackFrame,
  errorFrame,
  heartbeatFrame,
  statusFrame,
} from "./control.ts";
import { CoinbaseScan, L2UPDATE, MATCH, type ScannedTicker } from "./scan.ts";
import { bookId, ProductStates, sortChanges, tradeGap } from "./state.ts";

const VENUE = "coinbase";

/** Options of {@link CoinbaseParser}. */
export interface CoinbaseParserOptions {
  /**
   * Read the hot frames (match, ticker, l2update) without `JSON.parse`
   * (default true). False decodes every frame with `JSON.parse`: for the
   * tests that compare the two paths.
   */
  fastPath?: boolean;
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
  readonly #products: ProductStates;
  readonly #clock = new IsoClock();
  readonly #scan: CoinbaseScan | undefined;
  #fastFrames = 0;

  constructor(stats: VenueStats, options: CoinbaseParserOptions = {}) {
    this.#stats = stats;
    this.#products = new ProductStates(stats);
    this.#scan = options.fastPath === false ? undefined : new CoinbaseScan();
  }

  /** How many frames the fast path has read (for tests and profiling). */
  get fastFrames(): number {
    return this.#fastFrames;
  }

  connectionOpened(connection: string): void {
    this.#products.disarm(connection);
  }

  parse(
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const f = this.#scan?.read(frame);
    if (f !== undefined) {
      this.#fastFrames++;
      if (f.kind === L2UPDATE) {
        return this.#bookEvent(f, false, f.bids, f.asks, receivedTs, out);
      }
      const ts = this.#clock.parseParts(f.date, f.timeOfDay, f.micros);
      return f.kind === MATCH
        ? this.#match(f, receivedTs, connection, out, ts, f.tradeIdText)
        : this.#ticker(f, receivedTs, out, ts, f);
    }
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
        return heartbeatFrame(this.#products, m, receivedTs, connection, out);
      case "snapshot":
      case "l2update":
        return this.#book(m, receivedTs, out);
      case "subscriptions":
        return ackFrame(this.#stats, m, connection);
      case "error":
        return errorFrame(this.#stats, m, receivedTs, connection, out);
      case "status":
        return statusFrame(this.#stats, m);
      default:
        return "unknown";
    }
  }

  /**
   * A match from a decoded frame, or from the fast reader's fields with
   * the event time it read and the trade id's text (`String` of the id).
   */
  #match(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
    fastTs?: number,
    fastId?: string,
  ): FrameOutcome {
    const product = m.product_id;
    const tradeId = m.trade_id;
    const maker = m.side;
    if (
      typeof product !== "string" || typeof tradeId !== "number" ||
      !isDecimal(m.price) || !isDecimal(m.size) ||
      (maker !== "buy" && maker !== "sell")
    ) return "invalid";
    const exchangeTs = fastTs ?? this.#time(m.time);
    if (exchangeTs !== exchangeTs) return "invalid"; // NaN
    const state = this.#products.touch(product);
    state.armedOn = connection;
    const missed = state.trades.next(tradeId);
    if (missed === STALE) {
      this.#stats.duplicates++;
      return "ok";
    }
    if (missed > 0) {
      out.push(
        tradeGap(this.#stats, product, connection, receivedTs, missed, tradeId),
      );
    }
    const id = fastId ?? integerString(tradeId);
    out.push({
      id: state.tradeIdPrefix + id,
      kind: "trade",
      venue: VENUE,
      symbol: state.symbol,
      nativeSymbol: state.symbol,
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

  /** A ticker from a decoded frame or from the fast reader (as `#match`). */
  #ticker(
    m: Json,
    receivedTs: number,
    out: NormalizedEvent[],
    fastTs?: number,
    fast?: ScannedTicker,
  ): FrameOutcome {
    const product = m.product_id;
    const seq = m.sequence;
    if (
      typeof product !== "string" || typeof seq !== "number" ||
      !isDecimal(m.price)
    ) return "invalid";
    const exchangeTs = fastTs ?? this.#time(m.time);
    if (exchangeTs !== exchangeTs) return "invalid";
    const state = this.#products.touch(product);
    if (state.tickers.next(seq) === STALE) {
      this.#stats.duplicates++;
      return "ok";
    }
    out.push({
      id: state.tickerIdPrefix + (fast?.sequenceText ?? integerString(seq)),
      kind: "ticker",
      venue: VENUE,
      symbol: state.symbol,
      nativeSymbol: state.symbol,
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
      lastTradeId: fast?.tradeIdText ??
        (typeof m.trade_id === "number"
          ? integerString(m.trade_id)
          : undefined),
      sequence: seq,
    });
    return "ok";
  }

  /** Epoch ms of a decoded frame's `time`; `NaN` when it is not a timestamp. */
  #time(time: unknown): number {
    return typeof time === "string" ? this.#clock.parse(time) : NaN;
  }

  #book(m: Json, receivedTs: number, out: NormalizedEvent[]): FrameOutcome {
    if (m.type === "snapshot") {
      const bids = levels(m.bids);
      return this.#bookEvent(m, true, bids, levels(m.asks), receivedTs, out);
    }
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    if (!sortChanges(m.changes, bids, asks)) return "invalid";
    return this.#bookEvent(m, false, bids, asks, receivedTs, out);
  }

  /**
   * A book snapshot or delta (`product_id` and `time` from `m`, a decoded
   * frame or the fast reader); `bids`/`asks` are `undefined` when invalid.
   */
  #bookEvent(
    m: Json,
    snapshot: boolean,
    bids: BookLevel[] | undefined,
    asks: BookLevel[] | undefined,
    receivedTs: number,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const product = m.product_id;
    const time = m.time;
    if (
      typeof product !== "string" || bids === undefined || asks === undefined
    ) return "invalid";
    let exchangeTs = receivedTs;
    if (typeof time === "string") {
      exchangeTs = parseIsoTimestamp(time);
      if (exchangeTs !== exchangeTs) return "invalid";
    } else if (!snapshot) {
      return "invalid";
    }
    const state = this.#products.touch(product);
    out.push({
      id: bookId(state, product, snapshot, exchangeTs),
      kind: "book",
      venue: VENUE,
      symbol: state.symbol,
      nativeSymbol: state.symbol,
      exchangeTs,
      receivedTs,
      type: snapshot ? "snapshot" : "delta",
      bids,
      asks,
      sequence: undefined,
    });
    return "ok";
  }
}
