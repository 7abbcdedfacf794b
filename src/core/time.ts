/**
 * Fast timestamp parsing for exchange frames. `Date.parse` drops
 * microseconds and allocates; {@link parseIsoTimestamp} keeps them as a
 * fraction of a millisecond and does plain arithmetic.
 *
 * @module
 */

/** Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days in `month` (1–12) of `year`, February by the Gregorian leap rule. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) {
    return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  }
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses an RFC 3339 timestamp (`2014-11-07T08:19:27.028459Z`, any number of
 * fraction digits, `Z` or `±HH:MM`) to epoch milliseconds, keeping up to
 * microseconds as the fraction. Returns `NaN` for anything else.
 *
 * @example Usage
 * ```ts
 * parseIsoTimestamp("2014-11-07T08:19:27.028459Z"); // 1415348367028.459
 * ```
 */
export function parseIsoTimestamp(s: string): number {
  if (
    s.length < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58
  ) return NaN;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return NaN; // T, t or space
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (
    !(month >= 1 && month <= 12 && day >= 1 &&
      day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 &&
      second <= 60)
  ) return NaN;
  let i = 19;
  let micros = 0;
  if (s.charCodeAt(i) === 46) { // '.'
    i++;
    let scale = 100_000;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      micros += c * scale;
      scale /= 10;
      i++;
    }
    micros = Math.floor(micros);
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) { // Z
    i++;
  } else if ((z === 43 || z === 45) && s.length >= i + 6) { // + or -
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (s.charCodeAt(i + 3) !== 58 || Number.isNaN(oh + om)) return NaN;
    offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return NaN;
  }
  if (i !== s.length) return NaN;
  const ms = daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 +
    minute * 60_000 + second * 1000 - offsetMin * 60_000;
  return micros === 0 ? ms : ms + micros / 1000;
}
