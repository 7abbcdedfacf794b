/**
 * An outgoing-message budget: at most `messages` sends in any window of
 * `windowMs`. Venues that disconnect clients for sending too fast (Binance:
 * 5 messages per second, pings and pongs included) get their control frames
 * queued and paced instead of dropped.
 *
 * @module
 */

/** At most `messages` sends in any `windowMs` window. */
export interface SendLimit {
  messages: number;
  windowMs: number;
}

/**
 * Sliding-window send accounting for one connection. The connection asks
 * {@link SendPacer.waitMs} before each send, records sends, and schedules a
 * retry after the returned wait.
 *
 * @example Usage
 * ```ts
 * const pacer = new SendPacer({ messages: 2, windowMs: 1000 });
 * pacer.record(0);
 * pacer.record(10);
 * pacer.waitMs(20); // 980: the send at 0 leaves the window at 1000
 * ```
 */
export class SendPacer {
  readonly #limit: SendLimit;
  /** Times of the latest sends, oldest first; never longer than the limit. */
  readonly #sent: number[] = [];

  constructor(limit: SendLimit) {
    this.#limit = {
      messages: Math.max(1, Math.floor(limit.messages)),
      windowMs: Math.max(1, limit.windowMs),
    };
  }

  /** Milliseconds to wait before the next send is allowed at `now` (0: now). */
  waitMs(now: number): number {
    const { messages, windowMs } = this.#limit;
    if (this.#sent.length < messages) return 0;
    const oldest = this.#sent[this.#sent.length - messages]!;
    return Math.max(0, oldest + windowMs - now);
  }

  /** Records a send at `now`. */
  record(now: number): void {
    this.#sent.push(now);
    if (this.#sent.length > this.#limit.messages) this.#sent.shift();
  }

  /** Forgets every send (a new socket starts with a fresh budget). */
  reset(): void {
    this.#sent.length = 0;
  }
}
