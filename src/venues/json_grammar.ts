/**
 * JSON's grammar as {@link JsonScan} checks it: the ends of strings,
 * numbers and whole values in a compact frame that holds no backslash
 * (`JsonScan.begin` refuses those), each -1 where `JSON.parse` would refuse.
 *
 * @module
 */

/** Character codes of JSON's punctuation and digits, shared with `JsonScan`. */
export const QUOTE = 34;
/** `,` */
export const COMMA = 44;
/** `:` */
export const COLON = 58;
/** `-` */
export const MINUS = 45;
/** `.` */
export const DOT = 46;
/** `0` */
export const ZERO = 48;
/** `9` */
export const NINE = 57;
/** `[` */
export const OPEN_BRACKET = 91;
/** `]` */
export const CLOSE_BRACKET = 93;
/** `{` */
export const OPEN_BRACE = 123;
/** `}` */
export const CLOSE_BRACE = 125;

/** Containers nested deeper than this in a skipped value: left to JSON.parse. */
export const MAX_DEPTH = 32;

/**
 * The end of the string at `i` (after its closing quote), or -1 when there
 * is none or it holds a raw control character (the frame holds no backslash).
 */
export function stringEnd(t: string, i: number): number {
  if (t.charCodeAt(i) !== QUOTE) return -1;
  for (let c = t.charCodeAt(++i); c !== QUOTE; c = t.charCodeAt(++i)) {
    if (!(c >= 32)) return -1; // a control character, or the end (NaN)
  }
  return i + 1;
}

/** The end of a number's fraction and exponent from `i` (after its integer part), or -1. */
export function fractionEnd(t: string, i: number): number {
  let c = t.charCodeAt(i);
  if (c === DOT) {
    const d = ++i;
    for (c = t.charCodeAt(i); c >= ZERO && c <= NINE; c = t.charCodeAt(++i));
    if (i === d) return -1;
  }
  if (c === 101 || c === 69) {
    c = t.charCodeAt(++i);
    if (c === 43 || c === MINUS) c = t.charCodeAt(++i);
    const d = i;
    for (; c >= ZERO && c <= NINE; c = t.charCodeAt(++i));
    if (i === d) return -1;
  }
  return i;
}

/**
 * The end of the JSON value at `i`, checked by its grammar, or -1; it may
 * hold containers `depth` levels deep. The frame holds no backslash.
 */
export function valueEnd(t: string, i: number, depth = MAX_DEPTH): number {
  let c = t.charCodeAt(i);
  if (c === QUOTE) return stringEnd(t, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    if (depth === 0) return -1;
    const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    if (t.charCodeAt(++i) === close) return i + 1;
    for (;;) {
      if (c === OPEN_BRACE) {
        i = stringEnd(t, i);
        if (i === -1 || t.charCodeAt(i++) !== COLON) return -1;
      }
      i = valueEnd(t, i, depth - 1);
      if (i === -1) return -1;
      const n = t.charCodeAt(i++);
      if (n === close) return i;
      if (n !== COMMA) return -1;
    }
  }
  if (c === 116) return t.startsWith("true", i) ? i + 4 : -1;
  if (c === 102) return t.startsWith("false", i) ? i + 5 : -1;
  if (c === 110) return t.startsWith("null", i) ? i + 4 : -1;
  if (c === MINUS) c = t.charCodeAt(++i);
  if (c === ZERO) i++;
  else if (c > ZERO && c <= NINE) {
    for (c = t.charCodeAt(++i); c >= ZERO && c <= NINE; c = t.charCodeAt(++i));
  } else return -1;
  return fractionEnd(t, i);
}
