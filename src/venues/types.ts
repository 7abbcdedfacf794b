/**
 * What a venue contributes to the gateway: its wire protocol for the
 * transport, its frame parser for the pipeline, the streams the
 * configuration asks for, and (for venues with a life of their own, such as
 * pair discovery or REST book snapshots) a start/stop lifecycle.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { NormalizedEvent, VenueName } from "../core/events.ts";
import type { FrameParser } from "../core/pipeline.ts";
import type { StreamProtocol, StreamSpec } from "../transport/types.ts";

/** Where a monitored pair comes from. */
export type PairSource = "explicit" | "discovery" | "fallback";

/** A monitored pair: the unified and the venue's own symbol. */
export interface Pair {
  symbol: string;
  nativeSymbol: string;
  /** @default {"explicit"} */
  source?: PairSource;
  /** Market-cap rank, for discovered pairs. */
  rank?: number;
}

/** What the gateway lends a venue that starts work of its own. */
export interface VenueContext {
  readonly clock: Clock;
  /** Makes `streams` the desired set; the session sends only the difference. */
  setStreams(streams: readonly StreamSpec[]): void;
  /** Events that did not come from a frame (e.g. a REST book snapshot). */
  emit(events: NormalizedEvent[]): void;
  /** Unsubscribes and subscribes streams again on their connection (e.g. for a fresh book snapshot). */
  resubscribe(keys: readonly string[]): void;
  /**
   * Replaces connection `connectionId` make-before-break (e.g. to subscribe
   * everything again differently); false when it is unknown or already
   * being replaced.
   */
  renew(connectionId: string, reason: string): boolean;
}

/** One venue, ready to be wired. */
export interface VenueDefinition {
  readonly name: VenueName;
  readonly protocol: StreamProtocol;
  readonly parser: FrameParser;
  /** The streams to subscribe to at startup (`start` may change them). */
  readonly streams: readonly StreamSpec[];
  /** The pairs monitored now. */
  pairs(): readonly Pair[];
  /** Starts background work; the gateway does not wait for it. */
  start?(ctx: VenueContext): Promise<void>;
  /** Re-runs pair discovery now, where the venue has it. */
  refresh?(): Promise<void>;
  /** Stops what `start` began. */
  stop?(): Promise<void>;
  /** Degradations worth reporting that do not make the gateway unhealthy. */
  warnings?(): string[];
  /** Failures that make the gateway unhealthy (e.g. refused credentials). */
  problems?(): string[];
}
