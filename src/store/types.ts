/**
 * The one persistence interface: subscriptions made over the API (restored
 * at startup) and the latest account balances from private streams. SQLite
 * (`node:sqlite`, under `DATA_DIR`) by default, PostgreSQL when
 * `DATABASE_URL` is set.
 *
 * @module
 */

import type { BalanceEntry } from "../sinks/balances.ts";
import type { SubscriptionOptions } from "../subscriptions/types.ts";

/** A subscription as stored (API subscriptions only; config ones are derived). */
export interface StoredSubscription {
  id: string;
  venue: string;
  channel: string;
  symbols: string[];
  service: string;
  options: SubscriptionOptions;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/** Which implementation a store is. */
export type StoreKind = "sqlite" | "postgres";

/** A store that cannot be reached or refused an operation. */
export class StoreError extends Error {
  override readonly name = "StoreError";

  constructor(
    message: string,
    readonly kind: StoreKind,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Persistence for subscriptions and balances. */
export interface Store {
  readonly kind: StoreKind;
  /** Where it is, credentials removed (for logs and /health). */
  readonly location: string;
  /** Connects and runs pending migrations; throws {@link StoreError}. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Every stored subscription, oldest first. */
  loadSubscriptions(): Promise<StoredSubscription[]>;
  /** Inserts or replaces by id. */
  saveSubscription(s: StoredSubscription): Promise<void>;
  /** Deletes by id; unknown ids are ignored. */
  deleteSubscriptions(ids: readonly string[]): Promise<void>;
  /** Upserts by venue/account/coin; an older `updatedTs` never replaces a newer one. */
  saveBalances(balances: readonly BalanceEntry[]): Promise<void>;
  /** Every stored balance. */
  loadBalances(): Promise<BalanceEntry[]>;
}
