/**
 * Control requests in flight, for venues whose replies echo a request id
 * (Binance `id`, Bybit `req_id`): each request is registered under a fresh
 * id, and the reply takes it back to learn what was asked. Requests never
 * answered (the socket went, the reply was lost) expire.
 *
 * @module
 */

/** Requests unanswered for this long are forgotten. */
export const REQUEST_EXPIRY_MS = 5 * 60_000;

/** A registered request and when it was registered. */
export type Pending<R> = R & { readonly at: number };

/**
 * Ids and pending requests of one venue (ids are unique across its
 * connections, so a reply needs no connection to be matched).
 *
 * @example Usage
 * ```ts
 * const pending = new PendingRequests<{ args: string[] }>(() => Date.now());
 * const id = pending.add({ args: ["publicTrade.BTCUSDT"] }); // 1
 * pending.take("1"); // { args: ["publicTrade.BTCUSDT"], at: … }
 * ```
 */
export class PendingRequests<R extends object> {
  readonly #now: () => number;
  readonly #pending = new Map<number, Pending<R>>();
  #next = 1;

  /** @param now clock ms, for expiry */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Requests awaiting a reply. */
  get size(): number {
    return this.#pending.size;
  }

  /** Registers `request`; returns its id (1, 2, …). */
  add(request: R): number {
    const at = this.#now();
    for (const [id, req] of this.#pending) {
      if (at - req.at < REQUEST_EXPIRY_MS) break; // insertion order = age order
      this.#pending.delete(id);
    }
    const id = this.#next++;
    this.#pending.set(id, { ...request, at });
    return id;
  }

  /**
   * The request with `id` (a number, or its decimal string as echoed in
   * JSON string fields), removed; `undefined` when unknown.
   */
  take(id: unknown): Pending<R> | undefined {
    const n = typeof id === "string" && id !== "" ? Number(id) : id;
    if (typeof n !== "number") return undefined;
    const req = this.#pending.get(n);
    if (req !== undefined) this.#pending.delete(n);
    return req;
  }
}
