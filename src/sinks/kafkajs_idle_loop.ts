/**
 * A fix for kafkajs 2.2.4's idle check loop (tulios/kafkajs#1704, #1751,
 * unreleased upstream). Every answered request makes a broker connection's
 * `RequestQueue` schedule a check of its pending requests at
 * `throttledUntil - Date.now()`; unthrottled that delay is negative, the
 * timer fires after 1 ms, and the check schedules the next one: each
 * connection wakes the process 1,000 times a second for its whole life
 * (about 5% of a core with an idle producer here) and prints a
 * `TimeoutNegativeWarning`. Checking an empty queue that nothing throttles
 * is pointless: a request that has to wait is queued by `push`, which
 * schedules its own check, and every answer checks the queue again. So such
 * a check is skipped; every other one runs as before.
 *
 * @module
 */

// kafkajs's own module, the one its connections use (no typings).
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

/** The part of kafkajs's `RequestQueue` the fix reads and replaces. */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

const proto = (RequestQueue as { prototype: RequestQueueLike }).prototype;
const original = proto.scheduleCheckPendingRequests;
let installed = false;

/**
 * Installs the fix (once; later calls do nothing). Called before any kafkajs
 * client is made.
 *
 * @example Usage
 * ```ts ignore
 * stopIdleCheckLoop();
 * const kafka = new Kafka({ brokers });
 * ```
 */
export function stopIdleCheckLoop(): void {
  if (installed) return;
  installed = true;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.pending.length === 0 && !(this.throttledUntil > Date.now())) {
      return;
    }
    original.call(this);
  };
}
