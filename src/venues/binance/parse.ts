/**
 * Binance Spot combined-stream frames → normalized events.
 *
 * Frames are `{"stream":"btcusdt@trade","data":{…}}`; the stream name is
 * looked up once and says both the symbol and the payload kind, so partial
 * depth payloads (which carry no symbol) are attributed too. Integrity:
 * trade ids and aggregate ids are consecutive per symbol, so a jump is a
 * loss (counted, and reported as a `gap` status event) and a repeat is the
 * overlap of a reconnect or renewal (dropped); book tickers drop repeated
 * update ids, tickers and klines repeated event times; the diff-depth stream
 * drives a {@link DepthSync} per symbol. Replies to control requests are
 * matched to their request by id. Hot frames are first offered to the fast
 * path of ./scan.ts, which reads them without `JSON.parse` and hands their
 * fields to the same checked code (`pushTrade`, `DepthParser.update`, …).
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameParser } from "../../core/pipeline.ts";
import { SequenceLine } from "../../core/sequence.ts";
import { StringTable } from "../../core/string_table.ts";
import type {
  FrameOutcome,
  SymbolCounter,
  VenueStats,
} from "../../core/stats.ts";
import { parseObject } from "../fields.ts";
import type { Pair } from "../types.ts";
import { kindOf, type StreamKind, streamName } from "./channels.ts";
import { DepthParser, parsePartialDepth } from "./parse_depth.ts";
import {
  parseKline,
  parseTicker,
  parseTrade,
  pushBookTicker,
  pushTrade,
} from "./parse_market.ts";
import type { DepthSnapshot } from "./depth_sync.ts";
import { ReplyHandler } from "./replies.ts";
import { BinanceScan } from "./scan.ts";
import type { RequestLog } from "./requests.ts";

/** What the parser keeps per symbol. */
export interface SymbolState {
  readonly nativeSymbol: string;
  readonly symbol: string;
  readonly counter: SymbolCounter;
  readonly trades: SequenceLine;
  readonly aggTrades: SequenceLine;
  /** Event id prefixes: `binance:<symbol>:trade:` and `…:aggTrade:`. */
  readonly tradeIdPrefix: string;
  readonly aggIdPrefix: string;
  /** `binance:<symbol>:book:`, the prefix of book delta ids. */
  readonly bookIdPrefix: string;
}

/** One subscribed stream: its symbol, payload kind and dedup mark. */
export interface StreamEntry {
  readonly state: SymbolState;
  readonly kind: StreamKind;
  readonly channel: string;
  /** Last update id / event time accepted (book ticker, partial depth, tickers, klines). */
  last: number;
  /** Klines: open time and closed flag of the last accepted update. */
  lastOpen: number;
  closed: boolean;
}

/** Options of {@link BinanceParser}. */
export interface BinanceParserOptions {
  stats: VenueStats;
  /** Shared with the protocol, which registers the requests. */
  requests: RequestLog;
  /** Called when a symbol's local book needs a REST snapshot. */
  onSnapshotNeeded(nativeSymbol: string): void;
  /**
   * Whether hot frames (`trade`, `aggTrade`, `depthUpdate`, `bookTicker`)
   * are read with the fast path of ./scan.ts before `JSON.parse` (default
   * true). Both paths give the same outcomes, events and state; false
   * (`JSON.parse` only) is for tests that compare them.
   */
  fastPath?: boolean;
}

/**
 * The Binance frame parser; one per venue, its per-symbol state spans
 * connections (so overlaps are dropped and losses counted across them).
 *
 * @example Usage
 * ```ts
 * const parser = new BinanceParser({ stats, requests, onSnapshotNeeded: () => {} });
 * parser.setPairs([{ symbol: "BTC-USDT", nativeSymbol: "BTCUSDT" }], ["trade"]);
 * parser.parse('{"stream":"btcusdt@trade","data":{…}}', Date.now(), "binance-0", out);
 * ```
 */
export class BinanceParser implements FrameParser {
  readonly #stats: VenueStats;
  readonly #symbols = new Map<string, SymbolState>();
  readonly #streams = new Map<string, StreamEntry>();
  /** The same entries, for the per-frame lookup of a freshly decoded name. */
  readonly #index = new StringTable<StreamEntry>();
  readonly #depth: DepthParser;
  readonly #replies: ReplyHandler;
  /** The fast path's reader; `undefined` when it is switched off. */
  readonly #scan: BinanceScan | undefined;
  #fastFrames = 0;

  constructor(options: BinanceParserOptions) {
    this.#stats = options.stats;
    this.#scan = options.fastPath === false ? undefined : new BinanceScan();
    this.#depth = new DepthParser(options.stats, options.onSnapshotNeeded);
    this.#replies = new ReplyHandler(
      options.stats,
      options.requests,
      this.#streams,
    );
  }

  /**
   * Registers the streams of `pairs` × `channels`. Entries of pairs no
   * longer listed are kept, so frames still in flight are attributed.
   */
  setPairs(pairs: readonly Pair[], channels: readonly string[]): void {
    for (const p of pairs) {
      let state = this.#symbols.get(p.nativeSymbol);
      if (state === undefined || state.symbol !== p.symbol) {
        state = {
          nativeSymbol: p.nativeSymbol,
          symbol: p.symbol,
          counter: this.#stats.symbol(p.nativeSymbol),
          trades: new SequenceLine(),
          aggTrades: new SequenceLine(),
          tradeIdPrefix: `binance:${p.symbol}:trade:`,
          aggIdPrefix: `binance:${p.symbol}:aggTrade:`,
          bookIdPrefix: `binance:${p.symbol}:book:`,
        };
        this.#symbols.set(p.nativeSymbol, state);
      }
      for (const channel of channels) {
        const name = streamName(p.nativeSymbol, channel);
        if (this.#streams.get(name)?.state === state) continue;
        const entry: StreamEntry = {
          state,
          kind: kindOf(channel),
          channel,
          last: 0,
          lastOpen: 0,
          closed: false,
        };
        this.#streams.set(name, entry);
        this.#index.set(name, entry);
      }
    }
  }

  /** Forgets a symbol's local book (its depth stream was unsubscribed). */
  resetBook(nativeSymbol: string): void {
    this.#depth.reset(nativeSymbol);
  }

  /** Offers a REST snapshot for a symbol's book; see {@link DepthParser.applySnapshot}. */
  applySnapshot(
    nativeSymbol: string,
    snapshot: DepthSnapshot,
    receivedTs: number,
    out: NormalizedEvent[],
  ): "synced" | "retry" | "ignored" {
    const state = this.#symbols.get(nativeSymbol);
    if (state === undefined) return "ignored";
    return this.#depth.applySnapshot(state, snapshot, receivedTs, out);
  }

  connectionOpened(connection: string): void {
    this.#replies.connectionOpened(connection);
  }

  /** Frames the fast path read (for tests: it must not always fall back). */
  get fastFrames(): number {
    return this.#fastFrames;
  }

  parse(
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    if (this.#scan !== undefined) {
      const entry = this.#scan.read(frame, this.#index);
      if (entry !== undefined) {
        return this.#scanned(entry, receivedTs, connection, out);
      }
    }
    const m = parseObject(frame);
    if (m === undefined) return "malformed";
    const name = m.stream;
    if (typeof name !== "string") {
      if (m.e === "serverShutdown") return "renew";
      if ("id" in m) {
        return this.#replies.handle(m, receivedTs, connection, out);
      }
      return "unknown";
    }
    const d = m.data;
    if (typeof d !== "object" || d === null) return "invalid";
    const entry = this.#index.get(name);
    if (entry === undefined) {
      return d.e === "serverShutdown" ? "renew" : "unknown";
    }
    entry.state.counter.frames++;
    switch (entry.kind) {
      case "trade":
      case "aggTrade":
        return parseTrade(this.#stats, entry, d, receivedTs, connection, out);
      case "depth":
        return this.#depth.diff(entry.state, d, receivedTs, connection, out);
      case "partialDepth":
        return this.#deduped(parsePartialDepth(entry, d, receivedTs, out));
      case "kline":
        return this.#deduped(parseKline(entry, d, receivedTs, out));
      default:
        return this.#deduped(parseTicker(entry, d, receivedTs, out));
    }
  }

  /** A frame the fast path read whole: the checked code, as after JSON.parse. */
  #scanned(
    entry: StreamEntry,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const f = this.#scan!;
    this.#fastFrames++;
    const s = entry.state;
    s.counter.frames++;
    switch (entry.kind) {
      case "depth":
        return this.#depth.update(
          s,
          f.firstId,
          f.lastId,
          f.eventTs,
          f.bids,
          f.asks,
          receivedTs,
          connection,
          out,
        );
      case "bookTicker":
        return this.#deduped(
          pushBookTicker(
            entry,
            f.lastId,
            f.bid,
            f.bidSize,
            f.ask,
            f.askSize,
            receivedTs,
            out,
          ),
        );
      default:
        return pushTrade(
          this.#stats,
          entry,
          f.id,
          f.price,
          f.size,
          f.buyerMaker,
          f.tradeTs,
          receivedTs,
          connection,
          out,
        );
    }
  }

  #deduped(outcome: FrameOutcome | "duplicate"): FrameOutcome {
    if (outcome !== "duplicate") return outcome;
    this.#stats.duplicates++;
    return "ok";
  }
}
