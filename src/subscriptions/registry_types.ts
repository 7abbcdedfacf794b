/**
 * What the {@link SubscriptionRegistry} is given and reports: the venues it
 * drives, where it persists, and its counts.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { StoredSubscription } from "../store/types.ts";
import type { StreamSpec } from "../transport/types.ts";
import type { VenueCatalog } from "../venues/types.ts";
import type { SubscriptionStatus } from "./types.ts";

/** One venue as the registry drives it. */
export interface RegistryVenue {
  readonly name: string;
  /** What API subscriptions may ask for; `undefined`: nothing. */
  readonly catalog: VenueCatalog | undefined;
  /** The wanted streams changed: `wanted` is the whole set now. */
  apply(
    wanted: readonly StreamSpec[],
    added: readonly StreamSpec[],
    removed: readonly StreamSpec[],
  ): void;
  /** A status lookup over the venue's acknowledgements now. */
  statusIndex(): (spec: StreamSpec) => SubscriptionStatus;
}

/** Where API subscriptions are persisted (the store's writer). */
export interface SubscriptionPersistence {
  saveSubscription(s: StoredSubscription): void;
  deleteSubscriptions(ids: readonly string[]): void;
}

/** Options of {@link SubscriptionRegistry}. */
export interface RegistryOptions {
  venues: readonly RegistryVenue[];
  persistence?: SubscriptionPersistence;
  clock?: Clock;
  /** @default {crypto.randomUUID} */
  newId?: () => string;
}

/** Subscription counts, for /health and /stats. */
export interface SubscriptionCounts {
  total: number;
  api: number;
  config: number;
  /** Streams wanted per venue. */
  streams: Record<string, number>;
}
