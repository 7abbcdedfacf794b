/**
 * Continuity of per-key sequence numbers (trade ids, update ids): drops what
 * was already seen, and counts what went missing exactly once, whether the
 * loss shows up as a jump or is announced by a reference point such as a
 * heartbeat's last trade id.
 *
 * @module
 */

/** Result of {@link SequenceTracker.next} when the number was already seen or is older. */
export const STALE = -1;

interface KeyState {
  /** Highest number accepted. */
  last: number;
  /** Highest number either accepted or already reported missing. */
  covered: number;
}

/**
 * Tracks one contiguous number line per key.
 *
 * @example Usage
 * ```ts
 * const t = new SequenceTracker();
 * t.next("BTC-USD", 10); // 0  (first seen)
 * t.next("BTC-USD", 13); // 2  (11 and 12 missed)
 * t.next("BTC-USD", 12); // -1 (older: drop)
 * ```
 */
export class SequenceTracker {
  readonly #keys = new Map<string, KeyState>();

  /**
   * Accepts `seq` for `key`. Returns {@link STALE} (-1) when `seq` is not
   * newer than the last accepted number (a duplicate or out-of-order
   * message: drop it), otherwise how many numbers are newly known missing
   * before it (0 when contiguous or first seen).
   */
  next(key: string, seq: number): number {
    const st = this.#keys.get(key);
    if (st === undefined) {
      this.#keys.set(key, { last: seq, covered: seq });
      return 0;
    }
    if (seq <= st.last) return STALE;
    const missed = seq - 1 - st.covered;
    st.last = seq;
    if (seq > st.covered) st.covered = seq;
    return missed > 0 ? missed : 0;
  }

  /**
   * Records that numbers up to `upTo` exist (e.g. a heartbeat's
   * `last_trade_id`). Returns how many of them are newly known missing; they
   * stay acceptable if they arrive late. Unknown keys return 0.
   */
  expectUpTo(key: string, upTo: number): number {
    const st = this.#keys.get(key);
    if (st === undefined || upTo <= st.covered) return 0;
    const missed = upTo - st.covered;
    st.covered = upTo;
    return missed;
  }

  /** The highest accepted number for `key`. */
  last(key: string): number | undefined {
    return this.#keys.get(key)?.last;
  }
}
