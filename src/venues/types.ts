/**
 * What a venue contributes to the gateway: its wire protocol for the
 * transport, its frame parser for the pipeline, and the streams the
 * configuration asks for.
 *
 * @module
 */

import type { VenueName } from "../core/events.ts";
import type { FrameParser } from "../core/pipeline.ts";
import type { StreamProtocol, StreamSpec } from "../transport/types.ts";

/** A monitored pair: the unified and the venue's own symbol. */
export interface Pair {
  symbol: string;
  nativeSymbol: string;
}

/** One venue, ready to be wired. */
export interface VenueDefinition {
  readonly name: VenueName;
  readonly protocol: StreamProtocol;
  readonly parser: FrameParser;
  /** The streams to subscribe to at startup. */
  readonly streams: readonly StreamSpec[];
  /** The pairs those streams cover. */
  readonly pairs: readonly Pair[];
}
