/**
 * REST depth snapshots for the local order books, fetched one at a time and
 * paced by Binance's request-weight budget: a `GET /api/v3/depth` costs
 * weight 5 to 250 depending on `limit`, and an IP has 6000 per minute (a
 * 429 or 418 answer means back off, and keep backing off). tickgate spends
 * at most half of the budget on snapshots, so everything else the IP does
 * keeps working. Failures are retried per symbol with backoff.
 *
 * @module
 */

import type { Clock, TimerId } from "../../core/clock.ts";
import { backoffDelay } from "../../core/backoff.ts";
import type { DepthSnapshot } from "./depth_sync.ts";

/** Fetches one snapshot; rejects with an error whose message is safe to log. */
export type SnapshotGetter = (nativeSymbol: string) => Promise<DepthSnapshot>;

/** Options of {@link SnapshotFetcher}. */
export interface SnapshotFetcherOptions {
  get: SnapshotGetter;
  /** The `limit` asked for; decides the request weight. */
  limit: number;
  clock: Clock;
  /** A snapshot arrived (`receivedTs` is clock ms). */
  onSnapshot(
    nativeSymbol: string,
    snapshot: DepthSnapshot,
    receivedTs: number,
  ): void;
  /** A fetch failed; it will be retried. */
  onError(nativeSymbol: string, error: Error): void;
}

/** Binance's documented request weight of `GET /api/v3/depth` by `limit`. */
export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/** Weight per minute tickgate allows itself for snapshots (half of 6000). */
const WEIGHT_PER_MINUTE = 3_000;

/**
 * A queue of symbols whose books need a snapshot.
 *
 * @example Usage
 * ```ts
 * const fetcher = new SnapshotFetcher({ get, limit: 1000, clock, onSnapshot, onError });
 * fetcher.request("BTCUSDT");
 * fetcher.stop();
 * ```
 */
export class SnapshotFetcher {
  readonly #opts: SnapshotFetcherOptions;
  readonly #spacingMs: number;
  readonly #queue = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #retries = new Map<string, TimerId>();
  #timer: TimerId | undefined;
  #busy = false;
  #nextAt = 0;
  #stopped = false;
  /** The latest failure, `symbol: message`, for health. */
  lastError: string | undefined;

  constructor(options: SnapshotFetcherOptions) {
    this.#opts = options;
    this.#spacingMs = (60_000 * depthWeight(options.limit)) /
      WEIGHT_PER_MINUTE;
  }

  /** Symbols whose latest fetch failed (retrying). */
  get failing(): number {
    return this.#failures.size;
  }

  /** Queues `nativeSymbol` (once) for a snapshot. */
  request(nativeSymbol: string, afterMs = 0): void {
    if (this.#stopped || this.#retries.has(nativeSymbol)) return;
    if (afterMs > 0) {
      this.#retries.set(
        nativeSymbol,
        this.#opts.clock.setTimeout(() => {
          this.#retries.delete(nativeSymbol);
          this.request(nativeSymbol);
        }, afterMs),
      );
      return;
    }
    this.#queue.add(nativeSymbol);
    this.#pump();
  }

  /** Drops a symbol's queued or scheduled request. */
  cancel(nativeSymbol: string): void {
    this.#queue.delete(nativeSymbol);
    const t = this.#retries.get(nativeSymbol);
    if (t !== undefined) this.#opts.clock.clearTimeout(t);
    this.#retries.delete(nativeSymbol);
    this.#failures.delete(nativeSymbol);
  }

  /** Stops fetching; a fetch in flight is ignored when it lands. */
  stop(): void {
    this.#stopped = true;
    for (const s of [...this.#retries.keys()]) this.cancel(s);
    this.#queue.clear();
    if (this.#timer !== undefined) this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #pump(): void {
    if (this.#stopped || this.#busy || this.#timer !== undefined) return;
    const next = this.#queue.values().next();
    if (next.done) return;
    const wait = this.#nextAt - this.#opts.clock.now();
    if (wait > 0) {
      this.#timer = this.#opts.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, wait);
      return;
    }
    const symbol = next.value;
    this.#queue.delete(symbol);
    this.#busy = true;
    this.#nextAt = this.#opts.clock.now() + this.#spacingMs;
    this.#opts.get(symbol).then(
      (snapshot) => {
        if (this.#stopped) return;
        this.#failures.delete(symbol);
        this.#opts.onSnapshot(symbol, snapshot, this.#opts.clock.now());
      },
      (e: unknown) => {
        if (this.#stopped) return;
        const error = e instanceof Error ? e : new Error(String(e));
        this.lastError = `${symbol}: ${error.message}`;
        const n = (this.#failures.get(symbol) ?? 0) + 1;
        this.#failures.set(symbol, n);
        const status = (error as { status?: number }).status;
        // 429/418: the IP is over its budget; everything waits.
        if (status === 429 || status === 418) {
          this.#nextAt = this.#opts.clock.now() + 60_000;
        }
        this.#opts.onError(symbol, error);
        this.request(symbol, backoffDelay(n, { baseMs: 1_000, capMs: 60_000 }));
      },
    ).finally(() => {
      this.#busy = false;
      this.#pump();
    });
  }
}
