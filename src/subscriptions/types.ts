/**
 * The subscription registry's public face: what a subscription is, how the
 * REST API asks for one, and the typed errors it answers with. Subscriptions
 * from configuration (`*_PRODUCTS`, `*_PAIRS`, discovery) and from
 * `POST /api/v1/subscriptions` share these types and one registry.
 *
 * @module
 */

/** Where a subscription comes from. */
export type SubscriptionSource = "config" | "discovery" | "api";

/**
 * Live state of a subscription's streams: `active` when the venue
 * acknowledged every one, `rejected` when it refused one, else `pending`.
 */
export type SubscriptionStatus = "active" | "pending" | "rejected";

/** Every {@link SubscriptionStatus}, for validation. */
export const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = [
  "active",
  "pending",
  "rejected",
];

/**
 * Channel parameters that some venues put in the channel name
 * (`orderbook` + `{depth: 50}` is Bybit's `orderbook.50`; `kline` +
 * `{interval: "1m"}` is Binance's `kline_1m`).
 */
export interface SubscriptionOptions {
  /** Order-book depth (levels per side). */
  depth?: number;
  /** Candle interval in the venue's own notation (`1m`, `5`, `1h`). */
  interval?: string;
}

/** The body of `POST /api/v1/subscriptions`, validated. */
export interface SubscriptionRequest {
  venue: string;
  channel: string;
  /** Unified (`BTC-USDT`) or native (`BTCUSDT`) symbols; empty for symbol-less channels. */
  symbols: string[];
  /** Who holds the subscription (a downstream service's name). */
  service: string;
  options?: SubscriptionOptions;
}

/** One subscription as the API serves it (JSON field names are the contract). */
export interface Subscription {
  id: string;
  venue: string;
  /** The venue's channel name, options folded in (e.g. `orderbook.50`). */
  channel: string;
  /** Native symbols. */
  symbols: string[];
  service: string;
  options: SubscriptionOptions;
  source: SubscriptionSource;
  status: SubscriptionStatus;
  /** ISO 8601, UTC. */
  created_at: string;
}

/** Filters of `GET /api/v1/subscriptions`; every given one must match. */
export interface SubscriptionFilter {
  service?: string;
  venue?: string;
  channel?: string;
  /** Matches a subscription holding this symbol (unified or native). */
  symbol?: string;
  status?: SubscriptionStatus;
}

/** Why a subscription request was refused; the API maps it to a status. */
export type SubscriptionErrorCode =
  /** 404: no such venue in this gateway. */
  | "unknown_venue"
  /** 404: the venue has no such channel. */
  | "unknown_channel"
  /** 404: no subscription with that id. */
  | "not_found"
  /** 409: the service already holds the identical subscription. */
  | "conflict"
  /** 409: a subscription from configuration cannot be deleted over the API. */
  | "read_only"
  /** 400: a field is well-formed but not acceptable (unknown symbol, option not valid for the channel). */
  | "invalid";

/**
 * A refused subscription operation.
 *
 * @example Usage
 * ```ts
 * throw new SubscriptionError("unknown_channel", "bybit has no channel trades", "channel");
 * ```
 */
export class SubscriptionError extends Error {
  override readonly name = "SubscriptionError";

  constructor(
    readonly code: SubscriptionErrorCode,
    message: string,
    /** The request field at fault, when one is. */
    readonly field?: string,
    /** The existing subscription, for `conflict`. */
    readonly existing?: Subscription,
  ) {
    super(message);
  }
}

/** What the HTTP API needs from the registry. */
export interface SubscriptionService {
  /** Adds an API subscription; throws {@link SubscriptionError}. */
  create(request: SubscriptionRequest): Subscription;
  /** Subscriptions matching every given filter, oldest first. */
  list(filter?: SubscriptionFilter): Subscription[];
  /** One subscription, or `undefined`. */
  get(id: string): Subscription | undefined;
  /** Removes an API subscription; throws `not_found` or `read_only`. */
  remove(id: string): Subscription;
  /** Removes every API subscription of `service`; the removed ones. */
  removeByService(service: string): Subscription[];
  /** Venues and the channels each accepts (for errors and the docs). */
  catalog(): Record<string, readonly string[]>;
}
