/**
 * Comparing a presented secret (an API key, a signature) with the expected
 * one in constant time: both are hashed first, so neither where they differ
 * nor their lengths show in the timing.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `given` equals `expected`, in time independent of both.
 *
 * @example Usage
 * ```ts
 * sameSecret(request.headers.get("x-api-key") ?? "", apiKey);
 * ```
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
