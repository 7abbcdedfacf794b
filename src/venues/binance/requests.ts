/**
 * Binance control requests in flight: each SUBSCRIBE, UNSUBSCRIBE and
 * LIST_SUBSCRIPTIONS carries an id, and the reply (`{"result":…,"id":N}` or
 * an error with the same id) is matched back to what was asked.
 *
 * @module
 */

/** The control methods tickgate sends. */
export type RequestMethod = "SUBSCRIBE" | "UNSUBSCRIBE" | "LIST_SUBSCRIPTIONS";

/** A request waiting for its reply. */
export interface PendingRequest {
  method: RequestMethod;
  params: readonly string[];
  /** Clock ms it was built. */
  at: number;
}

/** Requests unanswered for this long are forgotten (the socket is gone or the reply lost). */
const EXPIRE_MS = 5 * 60_000;

/**
 * Ids and pending requests of one venue (ids are unique across its
 * connections, so a reply needs no connection to be matched).
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
  readonly #now: () => number;
  readonly #pending = new Map<number, PendingRequest>();
  #next = 1;

  /** @param now clock ms, for expiry */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Requests awaiting a reply. */
  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request and returns its JSON frame. */
  frame(method: RequestMethod, params: readonly string[] = []): string {
    const at = this.#now();
    for (const [id, req] of this.#pending) {
      if (at - req.at < EXPIRE_MS) break; // insertion order = age order
      this.#pending.delete(id);
    }
    const id = this.#next++;
    this.#pending.set(id, { method, params, at });
    return method === "LIST_SUBSCRIPTIONS"
      ? JSON.stringify({ method, id })
      : JSON.stringify({ method, params, id });
  }

  /** The request with `id`, removed from the log; `undefined` when unknown. */
  take(id: unknown): PendingRequest | undefined {
    if (typeof id !== "number") return undefined;
    const req = this.#pending.get(id);
    if (req !== undefined) this.#pending.delete(id);
    return req;
  }
}
