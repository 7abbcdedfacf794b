/**
 * Continuity of one sequence number line (a product's trade ids, a book's
 * update ids): drops what was already seen, and counts what went missing
 * exactly once, whether the loss shows up as a jump or is announced by a
 * reference point such as a heartbeat's last trade id. Venues keep one line
 * per symbol in their per-symbol state, so a frame costs no extra lookup.
 *
 * @module
 */

/** Result of {@link SequenceLine.next} when the number was already seen or is older. */
export const STALE = -1;

/**
 * One contiguous number line.
 *
 * @example Usage
 * ```ts
 * const line = new SequenceLine();
 * line.next(10); // 0  (first seen)
 * line.next(13); // 2  (11 and 12 missed)
 * line.next(12); // -1 (older: drop)
 * ```
 */
export class SequenceLine {
  #started = false;
  /** Highest number accepted. */
  #last = 0;
  /** Highest number either accepted or already reported missing. */
  #covered = 0;

  /**
   * Accepts `seq`. Returns {@link STALE} (-1) when `seq` is not newer than
   * the last accepted number (a duplicate or out-of-order message: drop it),
   * otherwise how many numbers are newly known missing before it (0 when
   * contiguous or first seen).
   */
  next(seq: number): number {
    if (!this.#started) {
      this.#started = true;
      this.#last = this.#covered = seq;
      return 0;
    }
    if (seq <= this.#last) return STALE;
    const missed = seq - 1 - this.#covered;
    this.#last = seq;
    if (seq > this.#covered) this.#covered = seq;
    return missed > 0 ? missed : 0;
  }

  /**
   * Records that numbers up to `upTo` exist (e.g. a heartbeat's
   * `last_trade_id`). Returns how many of them are newly known missing; they
   * stay acceptable if they arrive late. Before any number was accepted
   * there is nothing to compare with: 0.
   */
  expectUpTo(upTo: number): number {
    if (!this.#started || upTo <= this.#covered) return 0;
    const missed = upTo - this.#covered;
    this.#covered = upTo;
    return missed;
  }

  /** The highest accepted number, if any. */
  get last(): number | undefined {
    return this.#started ? this.#last : undefined;
  }
}
