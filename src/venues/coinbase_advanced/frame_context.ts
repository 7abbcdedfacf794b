/**
 * What the channel parsers of Coinbase Advanced Trade get for one frame:
 * the envelope's time, where the frame came from, the output, and the
 * per-product state. One object, refilled for every frame.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { VenueStats } from "../../core/stats.ts";
import type { ProductState } from "./product_state.ts";

/** The venue name every event carries. */
export const VENUE = "coinbase-advanced";

/**
 * One socket of a connection (a reconnect makes a new one). Its `epoch`
 * moves on every sequence gap: state last updated at another link or epoch
 * may have missed messages.
 */
export interface ConnectionLink {
  epoch: number;
}

/** The frame being parsed. */
export interface FrameContext {
  /** The venue's counters. */
  readonly stats: VenueStats;
  /** When tickgate read the frame, epoch ms. */
  receivedTs: number;
  /** The envelope `timestamp`, epoch ms (µs as fraction). */
  ts: number;
  /** The envelope `timestamp` as sent (ns digits): unique per message, used in ids. */
  stamp: string;
  /** The connection id, e.g. `coinbase-advanced-0`. */
  connection: string;
  /** The socket the frame came on. */
  link: ConnectionLink;
  /** Where events go. */
  out: NormalizedEvent[];
  /** The state of `product`, counting this frame for it once. */
  product(product: string): ProductState;
}
