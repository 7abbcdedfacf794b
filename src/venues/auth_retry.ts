/**
 * How long a venue that refused credentials is left alone before they are
 * tried again: a wrong key stays wrong, and hammering it gets it banned.
 *
 * @module
 */

/** The least wait after a refusal. */
export const AUTH_RETRY_MS = 5 * 60_000;

/**
 * The wait after a refusal: {@link AUTH_RETRY_MS}, or the breaker cooldown
 * when that is longer.
 *
 * @example Usage
 * ```ts
 * authRetryMs(60); // 300000
 * ```
 */
export function authRetryMs(breakerCooldownSec: number): number {
  return Math.max(AUTH_RETRY_MS, breakerCooldownSec * 1000);
}
