/**
 * Per-venue counters, written on the hot path as plain fields and read by
 * `/stats`, `/metrics` and the periodic summary.
 *
 * @module
 */

import { EVENT_KINDS, type EventKind, type VenueName } from "./events.ts";

/** Why a frame produced no events (or was only partly used). */
export type FrameOutcome =
  /** Events (possibly none) were produced. */
  | "ok"
  /** A control frame: error, heartbeat, status. */
  | "control"
  /** A subscription acknowledgement, recorded in `VenueStats.acked`. */
  | "ack"
  /** Not JSON, or not a JSON object. */
  | "malformed"
  /** JSON of a known type with missing or mistyped fields. */
  | "invalid"
  /** A message type tickgate does not handle; ignored. */
  | "unknown"
  /** The venue announced this connection will close: replace it now. */
  | "renew"
  /** The venue refused this connection's credentials: stop retrying for a while. */
  | "unauthorized";

/** A per-symbol frame counter: resolve it once, then bump it in place. */
export interface SymbolCounter {
  frames: number;
}

/** Counters for one venue. */
export class VenueStats {
  frames = 0;
  malformed = 0;
  invalid = 0;
  unknown = 0;
  /** Messages dropped because their sequence was already seen or older. */
  duplicates = 0;
  /** Sequence gaps detected (events), and how many messages they cover. */
  gaps = 0;
  missed = 0;
  /** `error` frames from the venue. */
  venueErrors = 0;
  /** Subscribe/unsubscribe acknowledgements. */
  acks = 0;
  /** Epoch ms of the last frame, 0 before any. */
  lastFrameTs = 0;
  lastVenueError: string | undefined;
  /** Events emitted, by kind. */
  readonly events: Record<EventKind, number>;
  /** Frames per native symbol. */
  readonly bySymbol = new Map<string, SymbolCounter>();
  /** Channels per connection as last acknowledged by the venue. */
  readonly acked = new Map<string, Record<string, string[]>>();
  /** Streams the venue refused to subscribe, with its reason. */
  readonly rejected = new Map<string, string>();
  /** Venue-reported trading status per native symbol (e.g. `online`). */
  readonly symbolStatus = new Map<string, string>();

  constructor(readonly venue: VenueName) {
    this.events = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<
      EventKind,
      number
    >;
  }

  /** The frame counter of `symbol` (created on first use). */
  symbol(symbol: string): SymbolCounter {
    let c = this.bySymbol.get(symbol);
    if (c === undefined) this.bySymbol.set(symbol, c = { frames: 0 });
    return c;
  }
}
