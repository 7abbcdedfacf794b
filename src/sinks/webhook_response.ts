/**
 * How the HTTP webhook sink reads an answer other than 2xx: 408, 429 and
 * 5xx are retryable, honouring `Retry-After` (delta seconds or an HTTP
 * date); any other status is permanent (a redirect names its redacted
 * `Location`).
 *
 * @module
 */

import { DeliveryError } from "./types.ts";
import { redactUrl } from "./url.ts";

/**
 * A `Retry-After` header in milliseconds: delta seconds (`"2"` → 2000) or
 * an HTTP date (time until then, at least 0); `undefined` when absent or
 * unreadable.
 *
 * @example Usage
 * ```ts
 * parseRetryAfter("2"); // 2000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.UTC(2015, 9, 21, 7, 27, 30)); // 30000
 * ```
 */
export function parseRetryAfter(
  value: string | null,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form starts with the day name.
  if (!/^[a-z]{3}/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Whether retrying a response with this status can help. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The {@link DeliveryError} for a response other than 2xx, naming the
 * status and the (redacted) URL `shown`: retryable for 408, 429 and 5xx
 * (with the `Retry-After` wait when given), permanent for any other status.
 *
 * @example Usage
 * ```ts
 * const e = responseDeliveryError(res, "https://in.example.com/events");
 * e.permanent; // false for a 503; e.retryAfterMs from its Retry-After
 * ```
 */
export function responseDeliveryError(
  res: Response,
  shown: string,
): DeliveryError {
  const status = res.status;
  const location = res.headers.get("location");
  const message = `HTTP ${status}${
    res.statusText === "" ? "" : ` ${res.statusText}`
  } from ${shown}${
    status >= 300 && status < 400 && location !== null
      ? ` (a redirect to ${redactUrl(location)}, not followed)`
      : ""
  }`;
  if (!retryableStatus(status)) {
    return new DeliveryError(message, { permanent: true, status });
  }
  const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
  return new DeliveryError(
    message,
    retryAfterMs === undefined ? { status } : { status, retryAfterMs },
  );
}
