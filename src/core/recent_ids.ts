/**
 * The ids seen most recently, for dropping repeats when ids are not a
 * contiguous line or may arrive out of order (e.g. trades that a snapshot
 * brings back after newer ones already arrived).
 *
 * @module
 */

/**
 * A bounded set: remembers the last `capacity` ids added.
 *
 * @example Usage
 * ```ts
 * const seen = new RecentIds(2);
 * seen.add("a"); // true
 * seen.add("a"); // false (a repeat)
 * seen.add("b"); seen.add("c"); // "a" is forgotten
 * seen.add("a"); // true
 * ```
 */
export class RecentIds {
  readonly #capacity: number;
  readonly #set = new Set<string>();
  readonly #ring: string[] = [];
  #next = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Adds `id`; false when it is among the remembered ids (a repeat). */
  add(id: string): boolean {
    if (this.#set.has(id)) return false;
    if (this.#ring.length < this.#capacity) this.#ring.push(id);
    else {
      this.#set.delete(this.#ring[this.#next]!);
      this.#ring[this.#next] = id;
      this.#next = (this.#next + 1) % this.#capacity;
    }
    this.#set.add(id);
    return true;
  }
}
