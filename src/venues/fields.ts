/**
 * Checks and conversions of decoded JSON fields shared by the venue parsers:
 * decimals stay the venue's strings, book levels stay `[price, size]` pairs.
 *
 * @module
 */

import type { BookLevel } from "../core/events.ts";

/** A decoded JSON value whose shape the parser checks field by field. */
// deno-lint-ignore no-explicit-any
export type Json = any;

/** A non-empty string: the only acceptable form of a price or size. */
export function isDecimal(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

/**
 * `[[price, size], …]` as book levels, or `undefined` when any level is not
 * a pair of decimal strings (extra elements after the pair are ignored).
 */
export function levels(raw: unknown): BookLevel[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: BookLevel[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i];
    if (!Array.isArray(l) || !isDecimal(l[0]) || !isDecimal(l[1])) {
      return undefined;
    }
    out[i] = [l[0], l[1]];
  }
  return out;
}

/**
 * {@link levels} without the copy, for a freshly decoded frame nobody else
 * holds: the decoded arrays themselves when every level is exactly a
 * `[price, size]` pair of decimal strings (the diff streams' form); a
 * checked copy otherwise.
 */
export function levelsInPlace(raw: unknown): BookLevel[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i];
    if (
      !Array.isArray(l) || l.length !== 2 || !isDecimal(l[0]) ||
      !isDecimal(l[1])
    ) return levels(raw);
  }
  return raw;
}

/** The string, or `""` when the field is absent or not a string. */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The string, or `undefined` when the field is absent or not a string. */
export function opt(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Decodes a frame that must be a JSON object; `undefined` when it is not
 * JSON or not an object (a `malformed` frame).
 */
export function parseObject(frame: string): Json | undefined {
  let m: Json;
  try {
    m = JSON.parse(frame);
  } catch {
    return undefined;
  }
  return typeof m === "object" && m !== null && !Array.isArray(m)
    ? m
    : undefined;
}
