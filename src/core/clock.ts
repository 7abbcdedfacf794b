/**
 * Time as a dependency: everything with backoff, staleness or batching takes a
 * {@link Clock}, so tests drive time with {@link ManualClock} instead of
 * sleeping.
 *
 * @module
 */

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerId = number;

/** Wall-clock time and one-shot timers. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer; unknown ids are ignored. */
  clearTimeout(id: TimerId): void;
}

/** The real clock: `Date.now()` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  // Deno's timers return numbers; npm type packages declare Node's `Timeout`.
  setTimeout: (fn, ms) => setTimeout(fn, ms) as unknown as TimerId,
  clearTimeout: (id) => clearTimeout(id),
};

interface PendingTimer {
  id: TimerId;
  at: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in due order during
 * {@link ManualClock.advance}, each seeing `now()` equal to its due time.
 *
 * @example Usage
 * ```ts
 * const clock = new ManualClock(1_000);
 * let fired = false;
 * clock.setTimeout(() => fired = true, 500);
 * clock.advance(500); // fired === true, clock.now() === 1_500
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  /** @param start initial epoch ms */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (next === undefined || t.at < next.at)) next = t;
      }
      if (next === undefined) break;
      const due = next;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.fn();
    }
    this.#now = target;
  }
}
