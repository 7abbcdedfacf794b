/**
 * Exponential backoff with full jitter: the delay before reconnect attempt
 * `n` is drawn uniformly from `[0, min(capMs, baseMs * 2^n))`, which spreads
 * the reconnects of many clients instead of synchronising them.
 *
 * @module
 */

/** Tuning of {@link backoffDelay}. */
export interface BackoffOptions {
  /**
   * Ceiling of the first delay (attempt 0), in ms; doubles with each attempt.
   * @default {500}
   */
  baseMs?: number;
  /**
   * Upper bound of every delay, in ms.
   * @default {30000}
   */
  capMs?: number;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object
  .freeze({ baseMs: 500, capMs: 30_000 });

/**
 * The upper bound of the delay for `attempt` (0-based):
 * `min(capMs, baseMs * 2^attempt)`. Negative or fractional attempts are
 * treated as `max(0, floor(attempt))`.
 *
 * @example Usage
 * ```ts
 * backoffCeiling(3); // 4_000
 * backoffCeiling(20); // 30_000
 * ```
 */
export function backoffCeiling(
  attempt: number,
  options: BackoffOptions = {},
): number {
  const baseMs = Math.max(0, options.baseMs ?? DEFAULT_BACKOFF.baseMs);
  const capMs = Math.max(0, options.capMs ?? DEFAULT_BACKOFF.capMs);
  const n = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt)) : 0;
  // 2 ** n overflows to Infinity for large n; min() then yields the cap.
  return Math.min(capMs, baseMs * 2 ** n);
}

/**
 * A full-jitter delay for `attempt`: `random() * backoffCeiling(attempt)`,
 * rounded down to whole milliseconds. `random` must return a number in
 * `[0, 1)`; values outside are clamped (NaN counts as 0).
 *
 * @example Usage
 * ```ts
 * const ms = backoffDelay(2, { baseMs: 100 }); // somewhere in [0, 400)
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const raw = random();
  const r = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
  const ceiling = backoffCeiling(attempt, options);
  return Math.floor(r * ceiling);
}
