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

/** The frame being parsed. */
export interface FrameContext {
  readonly stats: VenueStats;
  /** When tickgate read the frame, epoch ms. */
  receivedTs: number;
  /** The envelope `timestamp`, epoch ms (µs as fraction). */
  ts: number;
  /** The envelope `timestamp` as sent (ns digits): unique per message, used in ids. */
  stamp: string;
  connection: string;
  /**
   * Moves on every reconnect and every sequence gap: state last updated at
   * another epoch may have missed messages.
   */
  epoch: number;
  out: NormalizedEvent[];
  /** The state of `product`, counting this frame for it once. */
  product(product: string): ProductState;
}
