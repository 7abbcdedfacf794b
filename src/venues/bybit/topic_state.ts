/**
 * What the Bybit parser keeps per public topic (one shape for every kind,
 * so the hot path stays monomorphic): the topic's symbols, its frame
 * counter, and the dedup and integrity marks of its kind.
 *
 * @module
 */

import type { SymbolCounter, VenueStats } from "../../core/stats.ts";
import { unifiedSymbol } from "./symbols.ts";
import type { TopicParts } from "./topics.ts";

/** Per-topic parser state. */
export interface TopicState {
  readonly topic: string;
  readonly parts: TopicParts;
  readonly symbol: string;
  readonly nativeSymbol: string;
  readonly counter: SymbolCounter;
  /** The connection that delivered the topic's latest frame. */
  connection: string;
  /**
   * Event id prefix: `bybit:<symbol>:trade:`, `…:book:<depth>:`,
   * `…:ticker:` or `…:candle:<interval>:`.
   */
  readonly idPrefix: string;
  /**
   * Trades: the highest `seq` accepted, and the trade ids accepted at it:
   * the first `seqCount` of `seqIds` (a match is a handful of trades, so a
   * scan beats hashing each fresh id string), and past
   * {@link SEQ_SET_FROM} of them also `seqSet`.
   */
  lastSeq: number;
  readonly seqIds: string[];
  seqCount: number;
  seqSet: Set<string> | undefined;
  /** Tickers: the merged ticker, and `ts`/`cs` of the latest accepted push. */
  merged: Record<string, unknown> | undefined;
  lastTs: number;
  lastCs: number;
  /** Klines: start, timestamp and confirm flag of the latest accepted update. */
  lastStart: number;
  lastConfirm: boolean;
  /** Books: whether a snapshot started the book, its `u` and `seq`. */
  hasBook: boolean;
  u: number;
  bookSeq: number;
  /** Books: receivedTs of the pending resubscription, 0 when none. */
  resyncAt: number;
}

/** How many trade ids at one `seq` a linear scan handles before a set takes over. */
export const SEQ_SET_FROM = 32;

/** A fresh state for `topic` (split into `parts`) of `category`. */
export function topicState(
  topic: string,
  parts: TopicParts,
  category: string,
  stats: VenueStats,
): TopicState {
  const symbol = unifiedSymbol(parts.nativeSymbol, category);
  return {
    topic,
    parts,
    symbol,
    nativeSymbol: parts.nativeSymbol,
    counter: stats.symbol(parts.nativeSymbol),
    connection: "",
    idPrefix: parts.kind === "book"
      ? `bybit:${symbol}:book:${parts.depth}:`
      : parts.kind === "kline"
      ? `bybit:${symbol}:candle:${parts.interval}:`
      : `bybit:${symbol}:${parts.kind}:`,
    lastSeq: -1,
    seqIds: [],
    seqCount: 0,
    seqSet: undefined,
    merged: undefined,
    lastTs: -1,
    lastCs: -1,
    lastStart: -1,
    lastConfirm: false,
    hasBook: false,
    u: 0,
    bookSeq: -1,
    resyncAt: 0,
  };
}
