/**
 * Bybit v5 frames → normalized events. Public data frames are
 * `{"topic","type","ts","data"}`: the topic is looked up once (its state is
 * created on first sight) and says the kind and symbol; private frames
 * (`order`, `execution`, `wallet`, `position`) go to the private
 * normalizer; frames with an `op` and no topic are replies (acks, pongs,
 * auth). `publicTrade` and `orderbook` frames first try the fast path
 * (`scan.ts`, no `JSON.parse`), which hands any frame it does not read
 * whole back to this JSON.parse path before touching any state.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameParser } from "../../core/pipeline.ts";
import { StringTable } from "../../core/string_table.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { type Json, parseObject } from "../fields.ts";
import type { PendingRequests } from "../pending_requests.ts";
import { applyBook, parseBook, type Resubscribe } from "./parse_book.ts";
import { parseKlines, parseTicker, parseTrades } from "./parse_market.ts";
import { parsePrivate } from "./parse_private.ts";
import { BybitReplies, type BybitRequest } from "./replies.ts";
import { BybitScan, SCAN_NONE, SCAN_TRADES, scannedTrades } from "./scan.ts";
import { unifiedSymbol } from "./symbols.ts";
import { type TopicState, topicState } from "./topic_state.ts";
import { splitTopic } from "./topics.ts";

/** Heads of private topics (`order`, `order.spot`, …). */
const PRIVATE_HEADS = new Set(["order", "execution", "wallet", "position"]);

/** Options of {@link BybitParser}. */
export interface BybitParserOptions {
  stats: VenueStats;
  category: string;
  /** Shared with the protocol, which registers the requests. */
  requests: PendingRequests<BybitRequest>;
  /** Asks for a topic to be resubscribed (book resync). */
  resubscribe: Resubscribe;
  /** Removes secrets from venue text before it is kept or shown. */
  redact?(text: string): string;
  /** The private stream accepted the credentials. */
  onAuthenticated?(connection: string): void;
  /**
   * Read `publicTrade` and `orderbook` frames without `JSON.parse` when
   * they allow it (default true). False sends every frame through
   * `JSON.parse`: the reference the fast path is tested against, and a way
   * out should it ever misbehave. Both give the same outcome, events and
   * state for every frame.
   */
  fastPath?: boolean;
}

/**
 * The Bybit frame parser; one per venue.
 *
 * @example Usage
 * ```ts
 * const parser = new BybitParser({ stats, category: "spot", requests, resubscribe: () => {} });
 * parser.parse('{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[…]}', Date.now(), "bybit-0", out);
 * ```
 */
export class BybitParser implements FrameParser {
  readonly #stats: VenueStats;
  readonly #category: string;
  /**
   * The state of each topic. Not a `Map`: a frame's topic is a freshly
   * decoded string, which `Map.get` would hash in the runtime.
   */
  readonly #index = new StringTable<TopicState>();
  readonly #replies: BybitReplies;
  readonly #resubscribe: Resubscribe;
  readonly #unify = unifiedSymbol;
  /** The fast path's reader; undefined when it is switched off. */
  readonly #scan: BybitScan | undefined;
  #fastFrames = 0;

  /** How many frames the fast path has read (for tests and profiling). */
  get fastFrames(): number {
    return this.#fastFrames;
  }

  constructor(options: BybitParserOptions) {
    this.#stats = options.stats;
    this.#scan = options.fastPath === false ? undefined : new BybitScan();
    this.#category = options.category;
    this.#resubscribe = options.resubscribe;
    this.#replies = new BybitReplies({
      stats: options.stats,
      requests: options.requests,
      redact: options.redact ?? ((t) => t),
      ...(options.onAuthenticated
        ? { onAuthenticated: options.onAuthenticated }
        : {}),
    });
  }

  /** Why the private stream's latest `auth` was refused, if it was. */
  get authFailure(): string | undefined {
    return this.#replies.authFailure;
  }

  /** The merged ticker or book marks of a topic (for tests and stats). */
  topic(topic: string): Readonly<TopicState> | undefined {
    return this.#index.get(topic);
  }

  parse(
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    if (this.#scan !== undefined) {
      const outcome = this.#fast(
        this.#scan,
        frame,
        receivedTs,
        connection,
        out,
      );
      if (outcome !== undefined) return outcome;
    }
    const m = parseObject(frame);
    if (m === undefined) return "malformed";
    const topic = m.topic;
    if (typeof topic !== "string") {
      return typeof m.op === "string"
        ? this.#replies.handle(m, receivedTs, connection, out)
        : "unknown";
    }
    const st = this.#index.get(topic) ?? this.#create(topic);
    if (st === undefined) return this.#private(topic, m, receivedTs, out);
    st.counter.frames++;
    switch (st.parts.kind) {
      case "trade":
        return parseTrades(st, m, receivedTs, out, this.#stats);
      case "book":
        return parseBook(
          st,
          m,
          receivedTs,
          connection,
          out,
          this.#stats,
          this.#resubscribe,
        );
      case "ticker":
        return parseTicker(st, m, receivedTs, out, this.#stats);
      case "kline":
        return parseKlines(st, m, receivedTs, out, this.#stats);
    }
  }

  /** A (re)opened connection's books need a new snapshot; nothing is acked. */
  connectionOpened(connection: string): void {
    this.#replies.connectionOpened(connection);
    for (const st of this.#index.values()) {
      if (st.connection === connection) st.hasBook = false;
    }
  }

  /**
   * The fast path: the outcome, or `undefined` (nothing touched but a
   * topic state the JSON.parse path would create all the same) when the
   * frame is not one it reads whole.
   */
  #fast(
    scan: BybitScan,
    frame: string,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome | undefined {
    const kind = scan.frame(frame);
    if (kind === SCAN_NONE) return undefined;
    const st = this.#index.get(scan.topic) ?? this.#create(scan.topic);
    if (
      st === undefined ||
      st.parts.kind !== (kind === SCAN_TRADES ? "trade" : "book")
    ) return undefined;
    this.#fastFrames++;
    st.counter.frames++;
    if (kind === SCAN_TRADES) {
      return scannedTrades(st, scan, receivedTs, out, this.#stats);
    }
    return applyBook(
      st,
      scan.type,
      scan.u,
      scan.seq,
      scan.hasTs ? scan.ts : receivedTs,
      scan.bids!,
      scan.asks!,
      receivedTs,
      connection,
      out,
      this.#stats,
      this.#resubscribe,
    );
  }

  #create(topic: string): TopicState | undefined {
    const parts = splitTopic(topic);
    if (parts === undefined) return undefined;
    const st = topicState(topic, parts, this.#category, this.#stats);
    this.#index.set(topic, st);
    return st;
  }

  #private(
    topic: string,
    m: Json,
    receivedTs: number,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const dot = topic.indexOf(".");
    const head = dot < 0 ? topic : topic.slice(0, dot);
    if (!PRIVATE_HEADS.has(head)) return "unknown";
    return parsePrivate(m, receivedTs, out, this.#unify);
  }
}
