/**
 * Types shared by the connection machine and the venues that drive it.
 *
 * @module
 */

import type { SendLimit } from "./send_pacer.ts";

/**
 * A received message as the transport reads it: `MessageEvent` has this
 * shape, and tickgate's own client reuses one such object for every frame.
 */
export interface FrameEvent {
  /** A string for a text message; binary as `ArrayBuffer` or `Uint8Array`. */
  readonly data: unknown;
  /**
   * Messages with the same `batch` came out of one read of the socket, so
   * they share a receive time: the transport reads its clock once for them.
   * Absent (as from `WebSocket`): the clock is read for every message.
   */
  readonly batch?: number;
  /**
   * Another message of the same read is delivered right after this one,
   * before anything else runs: the receiver may time them as one batch.
   * Absent or `false` (as from `WebSocket`): this message ends its batch.
   */
  readonly more?: boolean;
}

/** The subset of the WebSocket API the transport uses; tests inject fakes. */
export interface SocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed (as `WebSocket`). */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: FrameEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
}

/** Opens a socket to `url`. The default is tickgate's own client (`ws_client.ts`). */
export type SocketFactory = (url: string) => SocketLike;

/** Where a connection is in its life. */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "open"
  | "backoff"
  | "breaker-open"
  | "closed";

/**
 * One subscribable stream: a channel for one symbol (or for none, e.g. a
 * venue-wide status channel). Streams with the same `group` stay on the same
 * connection (e.g. a product's ticker, trades and heartbeat).
 */
export interface StreamSpec {
  /** Unique key, e.g. `matches:BTC-USD`. */
  readonly key: string;
  /** Venue channel name, e.g. `matches`. */
  readonly channel: string;
  /** Native symbol, or `""` for symbol-less channels. */
  readonly symbol: string;
  /** Sharding group; defaults to `symbol` when omitted. */
  readonly group?: string;
  /**
   * Where the stream is served (e.g. Bybit's `public` and `private`
   * sockets): streams of different endpoints never share a connection, and
   * {@link StreamProtocol.url} always gets streams of one endpoint.
   * @default {""}
   */
  readonly endpoint?: string;
}

/** An application-level keepalive the venue asks for (e.g. Bybit's ping). */
export interface HeartbeatSpec {
  intervalMs: number;
  message(): string;
  /**
   * Recognises the venue's answer to {@link HeartbeatSpec.message}. When
   * given, a ping still unanswered when the next one is due makes the
   * connection stale: it reconnects. Only consulted while a pong is awaited.
   */
  isPong?(frame: string): boolean;
}

/** A per-connection limit by cost; see {@link StreamProtocol.budget}. */
export interface ConnectionBudget {
  /** The most a connection may carry. */
  readonly max: number;
  /** What one stream uses of it (a single stream over `max` still gets a connection of its own). */
  cost(stream: StreamSpec): number;
}

/**
 * What the transport needs to know about a venue's wire protocol: where to
 * connect and how to (un)subscribe. Implemented by each venue; pure.
 */
export interface StreamProtocol {
  /** The URL for a connection that will carry `streams` (known at connect). */
  url(streams: readonly StreamSpec[]): string;
  /** Frames that subscribe to `streams` on an open connection. */
  subscribe(streams: readonly StreamSpec[]): string[];
  /** Frames that unsubscribe from `streams`. */
  unsubscribe(streams: readonly StreamSpec[]): string[];
  /** At most this many streams on one connection. */
  readonly maxStreamsPerConnection: number;
  /**
   * A second per-connection limit, by cost (e.g. Bybit's 21,000 characters
   * of topics): the {@link ConnectionBudget.cost}s of one connection's
   * streams never sum above {@link ConnectionBudget.max}.
   * @default {undefined} (count only)
   */
  readonly budget?: ConnectionBudget;
  /**
   * Frames that authenticate a connection carrying `streams`, sent after
   * open and before any subscribe frame (which wait for them); `undefined`
   * when those streams need no authentication. A rejection reconnects
   * through backoff.
   */
  authenticate?(streams: readonly StreamSpec[]): Promise<string[]> | undefined;
  /**
   * Signs one subscribe, unsubscribe or open frame just before it is sent
   * (e.g. Coinbase Advanced Trade's fresh JWT per subscribe message). The
   * frames still go out in order; a rejection reconnects. @default none
   */
  sign?(frame: string): Promise<string>;
  /** Optional application-level keepalive. */
  readonly heartbeat?: HeartbeatSpec;
  /**
   * The streams that {@link StreamProtocol.url} puts in the URL itself
   * (subscribed by connecting, so not sent again after open); a prefix of
   * `streams`. @default none
   */
  urlStreams?(streams: readonly StreamSpec[]): readonly StreamSpec[];
  /** Frames to send after each open, after the subscribe frames (e.g. a subscription listing). */
  openFrames?(): string[];
  /**
   * Replace a connection this old with a fresh one, make-before-break (the
   * venue closes older ones). @default {undefined} (never)
   */
  readonly maxConnectionAgeMs?: number;
  /**
   * How long a renewal's successor and the old connection both deliver
   * before the old one closes. @default {3000}
   */
  readonly renewOverlapMs?: number;
  /** Outgoing message budget per connection (control frames, keepalives). */
  readonly sendLimit?: SendLimit;
}
