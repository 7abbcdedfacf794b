/**
 * {@link parseIsoTimestamp} for a feed's timestamps, faster. A feed's events
 * arrive in time order, many within the same second, so the epoch ms of the
 * latest whole second is kept with its text (`2014-11-07T08:19:27`), and a
 * timestamp of that second in the form exchanges send
 * (`2014-11-07T08:19:27.028459Z`: microseconds, UTC) costs a comparison and
 * its six fraction digits. The result is exactly `parseIsoTimestamp`'s; any
 * other form goes through it.
 *
 * @module
 */

import { parseIsoTimestamp } from "./time.ts";

/** Length of `2014-11-07T08:19:27.028459Z`, the form the fast path reads. */
const MICROS_LENGTH = 27;
/** Length of the whole-second part `2014-11-07T08:19:27`. */
const SECOND_LENGTH = 19;

/**
 * A timestamp reader with a one-second cache.
 *
 * @example Usage
 * ```ts
 * const clock = new IsoClock();
 * clock.parse("2014-11-07T08:19:27.028459Z"); // 1415348367028.459
 * clock.parse("2014-11-07T08:19:27.500000Z"); // 1415348367500 (cached second)
 * ```
 */
export class IsoClock {
  /** The cached second's text, `""` when none. */
  #second = "";
  /** Epoch ms of the cached second. */
  #secondMs = 0;
  /** {@link IsoClock.parseParts}'s cached second: date, time of day, epoch ms. */
  #date = "";
  #timeOfDay = "";
  #partsMs = 0;

  /** Epoch ms of an RFC 3339 timestamp; `NaN` when it is not one. */
  parse(s: string): number {
    if (
      s.length !== MICROS_LENGTH || s.charCodeAt(SECOND_LENGTH) !== 46 || // '.'
      s.charCodeAt(MICROS_LENGTH - 1) !== 90 // 'Z'
    ) return parseIsoTimestamp(s);
    const micros = sixDigits(s, SECOND_LENGTH + 1);
    if (micros < 0) return parseIsoTimestamp(s);
    const second = s.slice(0, SECOND_LENGTH);
    if (second !== this.#second) {
      // `…:27Z` is valid exactly when `…:27.028459Z` is, and is its second.
      const ms = parseIsoTimestamp(`${second}Z`);
      if (ms !== ms) return NaN;
      this.#second = second;
      this.#secondMs = ms;
    }
    return micros === 0 ? this.#secondMs : this.#secondMs + micros / 1000;
  }

  /**
   * {@link IsoClock.parse} of `${date}T${timeOfDay}.${micros}Z` given in
   * those parts (`2014-11-07`, `08:19:27`, `028459`), as a reader that
   * checked and split a timestamp has them: short strings, which compare
   * faster than a slice of a frame can be read. `NaN` when `micros` is not
   * six digits or the rest is not a valid time.
   */
  parseParts(date: string, timeOfDay: string, micros: string): number {
    const us = micros.length === 6 ? sixDigits(micros, 0) : -1;
    if (us < 0) return NaN;
    if (date !== this.#date || timeOfDay !== this.#timeOfDay) {
      const ms = parseIsoTimestamp(`${date}T${timeOfDay}Z`);
      if (ms !== ms || date.length !== 10 || timeOfDay.length !== 8) {
        return NaN;
      }
      this.#date = date;
      this.#timeOfDay = timeOfDay;
      this.#partsMs = ms;
    }
    return us === 0 ? this.#partsMs : this.#partsMs + us / 1000;
  }
}

/**
 * The number the six digits at `at` in `s` spell, `-1` when one is not a
 * digit. Written out: V8 runs a loop over characters several times slower.
 */
function sixDigits(s: string, at: number): number {
  // Each digit, or a number above 9 when it is not one.
  const f0 = (s.charCodeAt(at) - 48) >>> 0;
  const f1 = (s.charCodeAt(at + 1) - 48) >>> 0;
  const f2 = (s.charCodeAt(at + 2) - 48) >>> 0;
  const f3 = (s.charCodeAt(at + 3) - 48) >>> 0;
  const f4 = (s.charCodeAt(at + 4) - 48) >>> 0;
  const f5 = (s.charCodeAt(at + 5) - 48) >>> 0;
  if (f0 > 9 || f1 > 9 || f2 > 9 || f3 > 9 || f4 > 9 || f5 > 9) return -1;
  return ((((f0 * 10 + f1) * 10 + f2) * 10 + f3) * 10 + f4) * 10 + f5;
}
