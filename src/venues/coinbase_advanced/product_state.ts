/**
 * What the Coinbase Advanced Trade parser keeps per product (one shape for
 * every channel, so the hot path stays monomorphic): its frame counter, the
 * trade-id line for dropping repeats, the open candle, and the book's
 * resync marks.
 *
 * @module
 */

import { SequenceLine } from "../../core/sequence.ts";
import type { SymbolCounter, VenueStats } from "../../core/stats.ts";

/** Per-product parser state. */
export interface ProductState {
  readonly product: string;
  readonly counter: SymbolCounter;
  /** The parser frame number last counted for this product (one count per frame). */
  countedFrame: number;
  /** Numeric trade ids accepted: a snapshot after a resubscribe repeats recent trades. */
  readonly trades: SequenceLine;
  /** The open candle: start (epoch s, -1 before any) and its latest values. */
  candleStart: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  /** The frame-context epoch of the open candle's latest update. */
  candleEpoch: number;
  /** Books: whether a snapshot started the book; deltas wait for one. */
  hasBook: boolean;
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
    trades: new SequenceLine(),
    candleStart: -1,
    open: "",
    high: "",
    low: "",
    close: "",
    volume: "",
    candleEpoch: -1,
    hasBook: false,
    awaitingSnapshot: false,
  };
}
