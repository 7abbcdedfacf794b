/**
 * The store's state as `/health` shows it, kept by the store writer:
 * `degraded` from a failed operation until one succeeds (both logged once),
 * the latest failure's text and the time of the latest write.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { log } from "../logging.ts";
import type { Store, StoreKind } from "./types.ts";

/** State of the store as `/health` shows it. */
export type StoreState = "connecting" | "ok" | "degraded" | "closed";

/** The store's health (`StoreWriter.health()`). */
export interface StoreHealth {
  kind: StoreKind;
  /** Credentials removed. */
  location: string;
  /** `degraded` from a failed operation until one succeeds. */
  state: StoreState;
  /** Subscription writes queued plus balances waiting to be written. */
  pendingWrites: number;
  /** The latest failure's text (kept after recovery), or `null`. */
  lastError: string | null;
  /** When a write last succeeded (clock ms), or `null`. */
  lastWriteTs: number | null;
}

const logger = log("store");

/**
 * Tracks a store's state: `connecting` until the first success, then `ok`
 * or `degraded`, and `closed` for good once closed.
 *
 * @example Usage
 * ```ts
 * const status = new StoreStatus(store);
 * status.failed(new Error("down"), "open", 3); // degraded, logged
 * status.succeeded(); // ok, "recovered" logged
 * status.health(0).state; // "ok"
 * ```
 */
export class StoreStatus {
  readonly #store: Pick<Store, "kind" | "location">;
  #state: StoreState = "connecting";
  #lastError: string | null = null;
  #lastWriteTs: number | null = null;

  constructor(store: Pick<Store, "kind" | "location">) {
    this.#store = store;
  }

  /** The latest failure's text, or `null`. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** The health, with `pending` writes. */
  health(pending: number): StoreHealth {
    return {
      kind: this.#store.kind,
      location: this.#store.location,
      state: this.#state,
      pendingWrites: pending,
      lastError: this.#lastError,
      lastWriteTs: this.#lastWriteTs,
    };
  }

  /** An operation succeeded (a write when `writeTs` is given, clock ms). */
  succeeded(writeTs?: number): void {
    if (writeTs !== undefined) this.#lastWriteTs = writeTs;
    if (this.#state === "degraded") {
      logger.info("Store {location} recovered", {
        location: this.#store.location,
      });
    }
    if (this.#state !== "closed") this.#state = "ok";
  }

  /**
   * An operation failed: its text is kept. With `pending` (the writes
   * waiting; omitted while the store is being closed) the state turns
   * `degraded`, logged when it becomes so.
   */
  failed(e: unknown, what: string, pending?: number): void {
    this.#lastError = errorText(e);
    if (pending === undefined) return;
    if (this.#state !== "degraded") {
      logger.warn("Store {what} failed, retrying: {error}", {
        what,
        error: this.#lastError,
        pending,
      });
    }
    if (this.#state !== "closed") this.#state = "degraded";
  }

  /** The store is closed; the state stays `closed`. */
  closed(): void {
    this.#state = "closed";
  }
}
