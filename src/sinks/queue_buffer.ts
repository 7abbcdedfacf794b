/**
 * A FIFO of events backed by one array and a head index, so taking a batch
 * from the front costs the batch, not the whole queue.
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";

/**
 * An array-backed FIFO that compacts itself once its consumed head
 * outweighs what is left.
 *
 * @example Usage
 * ```ts
 * const q = new QueueBuffer();
 * q.pushAll(events, 0, events.length);
 * const batch = q.take(500);
 * ```
 */
export class QueueBuffer {
  #items: NormalizedEvent[] = [];
  #head = 0;

  /** Events in the queue. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `events[from..to)`. */
  pushAll(events: readonly NormalizedEvent[], from: number, to: number): void {
    const items = this.#items;
    for (let i = from; i < to; i++) items.push(events[i]!);
  }

  /** Removes and returns up to `n` events from the front. */
  take(n: number): NormalizedEvent[] {
    const end = Math.min(this.#items.length, this.#head + n);
    const out = this.#items.slice(this.#head, end);
    this.#head = end;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  /** Moves every event, in order, to the end of `out`; leaves this empty. */
  drainInto(out: NormalizedEvent[]): void {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) out.push(items[i]!);
    this.#items = [];
    this.#head = 0;
  }
}
