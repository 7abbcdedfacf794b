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
import type { SubscriptionOptions } from "../subscriptions/types.ts";
import type { StreamProtocol, StreamSpec } from "../transport/types.ts";

/** Where a monitored pair comes from. */
export type PairSource = "explicit" | "discovery" | "fallback" | "api";

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

/**
 * What subscriptions made over the API may ask of a venue: its channels,
 * how it spells symbols, and the streams a channel × symbols becomes. Pure.
 */
export interface VenueCatalog {
  /** Every channel a subscription may name, options folded in (`orderbook.50`). */
  readonly channels: readonly string[];
  /**
   * The channel `name` with `options` folded in (`orderbook` + `{depth: 50}`
   * → `orderbook.50`); `undefined` when there is no such channel.
   */
  channel(name: string, options: SubscriptionOptions): string | undefined;
  /** Whether `channel` takes symbols (`status` does not). */
  takesSymbols(channel: string): boolean;
  /** The native symbol for a unified or native one; `undefined` when the venue does not list it. */
  nativeSymbol(symbol: string): string | undefined;
  /** The unified symbol (`BTC-USDT`) of a native one. */
  unifiedSymbol(native: string): string;
  /** The streams of `channel` for `natives`. */
  streams(channel: string, natives: readonly string[]): StreamSpec[];
  /**
   * Why `stream` cannot join the streams wanted now (e.g. a second order
   * book depth for one symbol); `undefined` when it can.
   */
  clash?(stream: StreamSpec, wanted: ReadonlyMap<string, StreamSpec>):
    | string
    | undefined;
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
  /** What API subscriptions may ask for; absent: none (config only). */
  readonly catalog?: VenueCatalog;
  /**
   * Told before the session applies a change of the wanted streams (from
   * configuration, discovery or the API), so per-stream state follows.
   */
  streamsChanged?(
    added: readonly StreamSpec[],
    removed: readonly StreamSpec[],
  ): void;
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
