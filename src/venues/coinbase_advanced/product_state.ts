/**
 * What the Coinbase Advanced Trade parser keeps per product (one shape for
 * every channel, so the hot path stays monomorphic): its frame counter, the
 * recent trade ids for dropping repeats, the open candle, and the book's
 * resync marks.
 *
 * @module
 */

import { RecentIds } from "../../core/recent_ids.ts";
import type { SymbolCounter, VenueStats } from "../../core/stats.ts";
import type { ConnectionLink } from "./frame_context.ts";

/**
 * Trade ids remembered per product: far more than the 50 trades a
 * `market_trades` snapshot repeats.
 */
const RECENT_TRADE_IDS = 1024;

/** Per-product parser state. */
export interface ProductState {
  /** The product id, e.g. `BTC-USD`. */
  readonly product: string;
  /** Frames that carried this product (`websocket_messages_by_symbol`). */
  readonly counter: SymbolCounter;
  /** The parser frame number last counted for this product (one count per frame). */
  countedFrame: number;
  /**
   * Trade ids emitted lately. Not a number line: the snapshot after a
   * resubscription brings lost trades back after newer ones arrived.
   */
  readonly trades: RecentIds;
  /** The latest candle: start (epoch s, -1 before any) and its latest values. */
  candleStart: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  /** Whether the candle of `candleStart` was emitted closed already. */
  candleClosed: boolean;
  /** The connection, and its epoch, of the candle's latest update. */
  candleLink: ConnectionLink | undefined;
  candleEpoch: number;
  /** Books: whether a snapshot started the book; deltas wait for one. */
  hasBook: boolean;
  /** Books: the connection of the latest snapshot; deltas from others are dropped. */
  bookConnection: string;
  /** Books: a gap made the book unreliable until the next snapshot. */
  awaitingSnapshot: boolean;
}

/** A fresh state for `product`. */
export function productState(
  product: string,
  stats: VenueStats,
): ProductState {
  return {
    product,
    counter: stats.symbol(product),
    countedFrame: -1,
    trades: new RecentIds(RECENT_TRADE_IDS),
    candleStart: -1,
    open: "",
    high: "",
    low: "",
    close: "",
    volume: "",
    candleClosed: false,
    candleLink: undefined,
    candleEpoch: 0,
    hasBook: false,
    bookConnection: "",
    awaitingSnapshot: false,
  };
}
