/**
 * The per-key rate limit of the guarded `/api/v1` routes (`API_RATE_LIMIT`
 * requests per minute): one token bucket per API key, holding at most a
 * minute's worth of requests and refilling continuously. Buckets are keyed
 * by a SHA-256 of the key, never the key itself; memory stays bounded
 * (buckets that have refilled are dropped, and at most `maxBuckets` are
 * kept, least recently used first out). Over the limit the request gets a
 * 429 JSON body and `Retry-After` in seconds.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { type Clock, systemClock } from "../core/clock.ts";
import { problem } from "./errors.ts";

/** Options of {@link TokenBuckets}. */
export interface RateLimitOptions {
  /** Requests per minute per key; 0 (or less) disables the limit. */
  perMinute: number;
  /** @default {systemClock} */
  clock?: Pick<Clock, "now">;
  /** Most buckets kept at once. @default 10_000 */
  maxBuckets?: number;
}

/** What {@link TokenBuckets.take} decided. */
export type RateDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSec: number };

/** One key's bucket: tokens left at time `at` (epoch ms). */
export interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

/**
 * The bucket at `now`: refilled at `capacity` tokens per minute, never above
 * `capacity` (a clock going backwards refills nothing).
 *
 * @example Usage
 * ```ts
 * refill({ tokens: 0, at: 0 }, 30_000, 10); // { tokens: 5, at: 30_000 }
 * ```
 */
export function refill(bucket: Bucket, now: number, capacity: number): Bucket {
  const elapsed = Math.max(0, now - bucket.at);
  return {
    tokens: Math.min(capacity, bucket.tokens + elapsed * capacity / MINUTE_MS),
    at: Math.max(now, bucket.at),
  };
}

/**
 * Token buckets by key, with an injectable clock.
 *
 * @example Usage
 * ```ts
 * const buckets = new TokenBuckets({ perMinute: 60 });
 * buckets.take("caller"); // { allowed: true, remaining: 59 }
 * ```
 */
export class TokenBuckets {
  readonly #capacity: number;
  readonly #clock: Pick<Clock, "now">;
  readonly #maxBuckets: number;
  /** In least recently used order. */
  readonly #buckets = new Map<string, Bucket>();
  #lastSweep: number;

  constructor(options: RateLimitOptions) {
    this.#capacity = options.perMinute;
    this.#clock = options.clock ?? systemClock;
    this.#maxBuckets = Math.max(1, options.maxBuckets ?? 10_000);
    this.#lastSweep = this.#clock.now();
  }

  /** Number of buckets held (for tests and stats). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Whether the limit is on (a positive requests-per-minute). */
  get enabled(): boolean {
    return this.#capacity > 0 && Number.isFinite(this.#capacity);
  }

  /** Spends one token of `key`'s bucket, or says when one will be there. */
  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true, remaining: Infinity };
    const now = this.#clock.now();
    this.#sweep(now);
    const old = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    const bucket = refill(old, now, this.#capacity);
    this.#buckets.delete(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.#remember(key, bucket);
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    this.#remember(key, bucket);
    const waitMs = (1 - bucket.tokens) * MINUTE_MS / this.#capacity;
    return {
      allowed: false,
      retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }

  #remember(key: string, bucket: Bucket): void {
    this.#buckets.set(key, bucket);
    while (this.#buckets.size > this.#maxBuckets) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done) break;
      this.#buckets.delete(oldest.value);
    }
  }

  /** Drops buckets that have refilled: a new bucket would be the same. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < MINUTE_MS) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets) {
      if (refill(bucket, now, this.#capacity).tokens >= this.#capacity) {
        this.#buckets.delete(key);
      }
    }
  }
}

/**
 * The bucket key of an API key: its SHA-256, so the key itself is never held.
 *
 * @example Usage
 * ```ts
 * keyId("secret").length; // 64 hex digits
 * ```
 */
export function keyId(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex");
}

/**
 * Middleware charging each request to its `X-API-Key` (already checked by
 * `requireApiKey`, which must run first): 429 JSON with `Retry-After` when
 * the key's bucket is empty.
 *
 * @example Usage
 * ```ts ignore
 * const limit = rateLimitByKey(new TokenBuckets({ perMinute: view.apiRateLimit }));
 * app.get("/api/v1/balances", requireApiKey(view.apiKey), limit, handler);
 * ```
 */
export function rateLimitByKey(buckets: TokenBuckets): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header("x-api-key");
    if (given === undefined || !buckets.enabled) return await next();
    const decision = buckets.take(keyId(given));
    if (!decision.allowed) {
      return c.json(
        problem(
          "too_many_requests",
          `rate limit exceeded: retry in ${decision.retryAfterSec} s`,
          { retryAfterSec: decision.retryAfterSec },
        ),
        429,
        { "retry-after": String(decision.retryAfterSec) },
      );
    }
    return await next();
  };
}
