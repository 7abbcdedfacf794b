/**
 * A circuit breaker for reconnect loops: after too many consecutive failures
 * (or one forced {@link CircuitBreaker.trip}, e.g. a rejected API key) it
 * stops attempts for a cooldown, then lets exactly one probe through.
 *
 * It is a pure state machine read against a {@link Clock}: it owns no
 * timers; the connection asks {@link CircuitBreaker.canAttempt} and
 * {@link CircuitBreaker.msUntilProbe}.
 *
 * @module
 */

import { type Clock, systemClock } from "./clock.ts";

/** Tuning of {@link CircuitBreaker}. */
export interface BreakerOptions {
  /**
   * Consecutive failures that open the breaker.
   * @default {10}
   */
  threshold?: number;
  /**
   * How long the breaker stays open before allowing one probe, in ms.
   * @default {60000}
   */
  cooldownMs?: number;
}

/** The defaults of {@link BreakerOptions}. */
export const DEFAULT_BREAKER: Readonly<Required<BreakerOptions>> = Object
  .freeze({ threshold: 10, cooldownMs: 60_000 });

/**
 * `closed`: attempts flow. `open`: no attempts until the cooldown ends.
 * `half-open`: the cooldown ended; one probe attempt may run.
 */
export type BreakerState = "closed" | "open" | "half-open";

/**
 * Closed → open after `threshold` consecutive failures (or on
 * {@link CircuitBreaker.trip}) → half-open after `cooldownMs` → one probe:
 * success closes it, failure opens it again for another cooldown.
 *
 * @example Usage
 * ```ts
 * const breaker = new CircuitBreaker({ threshold: 2 });
 * breaker.recordFailure();
 * breaker.recordFailure();
 * breaker.canAttempt(); // false, for 60 s
 * ```
 */
export class CircuitBreaker {
  #clock: Clock;
  #threshold: number;
  #cooldownMs: number;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  #reason: string | undefined;
  /** The cooldown of the current opening, when {@link CircuitBreaker.trip} chose one. */
  #tripCooldownMs: number | undefined;

  /**
   * Creates a closed breaker.
   * @param options thresholds; see {@link BreakerOptions}
   * @param clock time source (`systemClock` when omitted)
   */
  constructor(options: BreakerOptions = {}, clock: Clock = systemClock) {
    this.#clock = clock;
    this.#threshold = Math.max(
      1,
      options.threshold ?? DEFAULT_BREAKER.threshold,
    );
    this.#cooldownMs = Math.max(
      0,
      options.cooldownMs ?? DEFAULT_BREAKER.cooldownMs,
    );
  }

  /** The current state (`open` turns `half-open` once the cooldown passed). */
  get state(): BreakerState {
    this.#refresh();
    return this.#state;
  }

  /** Consecutive failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Why the breaker is (or last was) open; `undefined` when closed. */
  get reason(): string | undefined {
    return this.#reason;
  }

  /** The cooldown of the current (or next) opening, in ms. */
  get cooldownMs(): number {
    return this.#tripCooldownMs ?? this.#cooldownMs;
  }

  /**
   * Whether an attempt may start now. Closed: always. Half-open: `true` once,
   * which takes the single probe (ask only when about to attempt); further
   * calls return `false` until that probe is recorded. Open: `false`.
   */
  canAttempt(): boolean {
    this.#refresh();
    if (this.#state === "closed") return true;
    if (this.#state === "half-open" && !this.#probing) {
      this.#probing = true;
      return true;
    }
    return false;
  }

  /** Ms until the probe is allowed: 0 unless open. */
  msUntilProbe(): number {
    this.#refresh();
    if (this.#state !== "open") return 0;
    return Math.max(0, this.#openedAt + this.cooldownMs - this.#clock.now());
  }

  /** An attempt succeeded: reset the failure count and close the breaker. */
  recordSuccess(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#probing = false;
    this.#reason = undefined;
  }

  /**
   * An attempt failed. Opens the breaker when the failure count reaches the
   * threshold, or when the failed attempt was the half-open probe.
   */
  recordFailure(): void {
    this.#refresh();
    this.#failures++;
    if (this.#state === "half-open") {
      this.#open("probe failed");
    } else if (
      this.#state === "closed" && this.#failures >= this.#threshold
    ) {
      this.#open(`${this.#failures} consecutive failures`);
    }
  }

  /**
   * Force the breaker open now (e.g. authentication failed), for
   * `cooldownMs` when given (else the configured cooldown). A failed probe
   * after it opens it for the configured cooldown.
   */
  trip(reason: string, cooldownMs?: number): void {
    this.#open(reason);
    if (cooldownMs !== undefined) {
      this.#tripCooldownMs = Math.max(0, cooldownMs);
    }
  }

  #open(reason: string): void {
    this.#tripCooldownMs = undefined;
    this.#state = "open";
    this.#openedAt = this.#clock.now();
    this.#probing = false;
    this.#reason = reason;
  }

  #refresh(): void {
    if (
      this.#state === "open" &&
      this.#clock.now() - this.#openedAt >= this.cooldownMs
    ) {
      this.#state = "half-open";
      this.#probing = false;
    }
  }
}
