/**
 * Binance control requests in flight: each SUBSCRIBE, UNSUBSCRIBE and
 * LIST_SUBSCRIPTIONS carries an id, and the reply (`{"result":…,"id":N}` or
 * an error with the same id) is matched back to what was asked.
 *
 * @module
 */

import { type Pending, PendingRequests } from "../pending_requests.ts";

/** The control methods tickgate sends. */
export type RequestMethod = "SUBSCRIBE" | "UNSUBSCRIBE" | "LIST_SUBSCRIPTIONS";

/** A request waiting for its reply. */
export type PendingRequest = Pending<{
  method: RequestMethod;
  params: readonly string[];
}>;

/**
 * The Binance request log: ids are the `id` of each control frame.
 *
 * @example Usage
 * ```ts
 * const log = new RequestLog(() => Date.now());
 * const frame = log.frame("SUBSCRIBE", ["btcusdt@trade"]);
 * // '{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}'
 * log.take(1); // { method: "SUBSCRIBE", params: ["btcusdt@trade"], at: … }
 * ```
 */
export class RequestLog {
  readonly #pending: PendingRequests<{
    method: RequestMethod;
    params: readonly string[];
  }>;

  /** @param now clock ms, for expiry */
  constructor(now: () => number) {
    this.#pending = new PendingRequests(now);
  }

  /** Requests awaiting a reply. */
  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request and returns its JSON frame. */
  frame(method: RequestMethod, params: readonly string[] = []): string {
    const id = this.#pending.add({ method, params });
    return method === "LIST_SUBSCRIPTIONS"
      ? JSON.stringify({ method, id })
      : JSON.stringify({ method, params, id });
  }

  /** The request with `id`, removed from the log; `undefined` when unknown. */
  take(id: unknown): PendingRequest | undefined {
    return typeof id === "number" ? this.#pending.take(id) : undefined;
  }
}
