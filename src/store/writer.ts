/**
 * The gateway's only way to the store, built so that a store that is down
 * never blocks ingestion or the API: subscription writes are queued and
 * applied in order, balance events are coalesced in memory and flushed
 * periodically, and every failure is retried with backoff while
 * {@link StoreWriter.health} reports `degraded`.
 *
 * @module
 */

import { deadline } from "../core/async.ts";
import { backoffDelay, type BackoffOptions } from "../core/backoff.ts";
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { errorText } from "../core/error_text.ts";
import type { EventSink, NormalizedEvent } from "../core/events.ts";
import { log } from "../logging.ts";
import type { BalanceEntry } from "../sinks/balances.ts";
import { PendingBalances } from "./pending_balances.ts";
import { type StoreHealth, StoreStatus } from "./status.ts";
import type { Store, StoredSubscription } from "./types.ts";

export type { StoreHealth, StoreState } from "./status.ts";

/** What the store held at startup. */
export interface Restored {
  /** Oldest first. */
  subscriptions: StoredSubscription[];
  balances: BalanceEntry[];
}

/** Options of {@link StoreWriter}. */
export interface StoreWriterOptions {
  /** Timers and `lastWriteTs`. @default systemClock */
  clock?: Clock;
  /** Backoff between retries of a failed open or write. */
  retry?: BackoffOptions;
  /** How often coalesced balances are written, in ms. @default 1000 */
  flushMs?: number;
  /** Called once with what was restored when the store opens after `start()` gave up waiting. */
  onRestore?: (restored: Restored) => void;
}

type Op =
  | { type: "save"; subscription: StoredSubscription }
  | { type: "delete"; ids: readonly string[] };

const logger = log("store");

/**
 * Queues and retries writes to a {@link Store}; takes balance events as an
 * {@link EventSink}.
 *
 * @example Usage
 * ```ts
 * const writer = new StoreWriter(await createStore({ dataDir: "./data" }), {
 *   onRestore: (r) => registry.restore(r.subscriptions),
 * });
 * const restored = await writer.start(); // undefined if the store is not up within 5 s
 * writer.saveSubscription(stored); // returns at once
 * router.add(writer); // balances, flushed every second
 * await writer.close();
 * ```
 */
export class StoreWriter implements EventSink {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #retry: BackoffOptions;
  readonly #flushMs: number;
  readonly #onRestore: ((restored: Restored) => void) | undefined;
  readonly #restored = Promise.withResolvers<Restored | undefined>();
  readonly #ops: Op[] = [];
  readonly #balances = new PendingBalances();
  readonly #status: StoreStatus;
  #started: Promise<Restored | undefined> | undefined;
  #begun = false;
  #opened = false;
  #flushDue = false;
  #attempt = 0;
  #running: Promise<void> | undefined;
  #retryTimer: TimerId | undefined;
  #flushTimer: TimerId | undefined;
  #closed: Promise<void> | undefined;
  /** `close()` was called; `#shut`: the store is being closed. */
  #closing = false;
  #shut = false;

  constructor(store: Store, options: StoreWriterOptions = {}) {
    this.#store = store;
    this.#status = new StoreStatus(store);
    this.#clock = options.clock ?? systemClock;
    this.#retry = options.retry ?? {};
    this.#flushMs = options.flushMs ?? 1000;
    this.#onRestore = options.onRestore;
  }

  /**
   * Opens the store and loads what it holds. Resolves with it, or with
   * `undefined` when that takes longer than `waitMs`; the writer then keeps
   * trying in the background and calls `onRestore` once when it succeeds.
   * Calling it again returns the first call's promise.
   */
  start(waitMs = 5000): Promise<Restored | undefined> {
    this.#started ??= this.#start(waitMs);
    return this.#started;
  }

  /** Queues an insert-or-replace; returns at once. */
  saveSubscription(s: StoredSubscription): void {
    if (this.#closing) return;
    const subscription = {
      ...s,
      symbols: [...s.symbols],
      options: { ...s.options },
    };
    this.#ops.push({ type: "save", subscription });
    this.#kick();
  }

  /** Queues a delete; returns at once. */
  deleteSubscriptions(ids: readonly string[]): void {
    if (this.#closing || ids.length === 0) return;
    this.#ops.push({ type: "delete", ids: [...ids] });
    this.#kick();
  }

  /** Takes the balance events (the latest per venue/account/coin wins). */
  write(events: readonly NormalizedEvent[]): void {
    if (this.#closing) return;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === "balance") this.#balances.add(e);
    }
  }

  /** The store's state and counters, for `/health`. */
  health(): StoreHealth {
    return this.#status.health(this.#ops.length + this.#balances.pending);
  }

  /**
   * Writes what it can within `timeoutMs` (opening the store if it is not
   * yet open), then closes the store; logs how many writes were lost when
   * it could not write them all. Idempotent.
   */
  close(timeoutMs = 2000): Promise<void> {
    this.#closed ??= this.#close(timeoutMs);
    return this.#closed;
  }

  async #start(waitMs: number): Promise<Restored | undefined> {
    this.#begun = true;
    this.#kick();
    const restored = this.#restored.promise;
    try {
      return await deadline(restored, waitMs, "opening the store");
    } catch {
      logger.warn(
        "Store {location} not ready within {waitMs} ms; continuing without it",
        { location: this.#store.location, waitMs },
      );
      void restored.then((r) => r !== undefined && this.#onRestore?.(r))
        .catch((e) =>
          logger.error("Restoring from the store failed: {error}", {
            error: errorText(e),
          })
        );
      return undefined;
    }
  }

  /** Starts working unless started already, working, or waiting to retry. */
  #kick(): void {
    if (
      !this.#begun || this.#running !== undefined ||
      this.#retryTimer !== undefined || this.#shut
    ) return;
    const run = this.#drain();
    this.#running = run;
    void run.then(() => {
      this.#running = undefined;
      if (this.#ops.length > 0 && !this.#closing) this.#kick();
    });
  }

  /**
   * Opens and loads the store if not yet done, then applies queued ops in
   * order and the balances when due; on failure schedules a retry.
   */
  async #drain(): Promise<void> {
    try {
      if (!this.#opened) {
        await this.#store.open(); // a no-op once open
        const subscriptions = await this.#store.loadSubscriptions();
        const balances = await this.#store.loadBalances();
        this.#opened = true;
        this.#attempt = 0;
        this.#status.succeeded();
        if (!this.#closing) {
          this.#armFlush();
          this.#restored.resolve({ subscriptions, balances });
        }
      }
      while (!this.#shut) {
        const op = this.#ops[0];
        if (op?.type === "save") {
          await this.#store.saveSubscription(op.subscription);
        } else if (op?.type === "delete") {
          await this.#store.deleteSubscriptions(op.ids);
        } else if (this.#flushDue && this.#balances.size > 0) {
          await this.#balances.flush((b) => this.#store.saveBalances(b));
        } else break;
        if (op !== undefined) this.#ops.shift();
        this.#attempt = 0;
        this.#status.succeeded(this.#clock.now());
      }
      this.#flushDue = false;
    } catch (e) {
      const pending = this.#shut ? undefined : this.health().pendingWrites;
      this.#status.failed(e, this.#opened ? "write" : "open", pending);
      if (this.#closing) return; // close() retries until its deadline
      const ms = backoffDelay(this.#attempt++, this.#retry);
      this.#retryTimer = this.#clock.setTimeout(() => {
        this.#retryTimer = undefined;
        this.#flushDue = true;
        this.#kick();
      }, ms);
    }
  }

  #armFlush(): void {
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.#flushDue = true;
      this.#kick();
      this.#armFlush();
    }, this.#flushMs);
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    if (this.#flushTimer !== undefined) {
      this.#clock.clearTimeout(this.#flushTimer);
    }
    this.#restored.resolve(undefined); // no onRestore from now on
    const ended = new AbortController();
    try {
      await deadline(this.#flushAll(ended.signal), timeoutMs, "store flush");
    } catch {
      // what is left is counted below
    } finally {
      ended.abort();
    }
    this.#shut = true;
    this.#cancelRetry();
    const lost = this.health().pendingWrites;
    if (lost > 0) {
      logger.warn("Store {location} closed with {lost} writes not written", {
        location: this.#store.location,
        lost,
        error: this.#status.lastError,
      });
    }
    this.#status.closed();
    await this.#store.close().catch((e) =>
      logger.warn("Closing the store failed: {error}", { error: errorText(e) })
    );
  }

  /** Writes until nothing is pending, retrying with backoff, until `ended`. */
  async #flushAll(ended: AbortSignal): Promise<void> {
    for (let attempt = 0; this.#begun; attempt++) {
      await this.#running;
      this.#cancelRetry();
      if (this.health().pendingWrites === 0 || ended.aborted) return;
      this.#flushDue = true;
      this.#kick();
      await this.#running;
      if (this.health().pendingWrites === 0) return;
      await new Promise<void>((resolve) => {
        const timer = this.#clock.setTimeout(
          resolve,
          backoffDelay(attempt, this.#retry),
        );
        ended.addEventListener("abort", () => {
          this.#clock.clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== undefined) {
      this.#clock.clearTimeout(this.#retryTimer);
    }
    this.#retryTimer = undefined;
  }
}
