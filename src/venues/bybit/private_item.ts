/**
 * What the Bybit private-stream item parsers share: the frame context each
 * data item is parsed with, and the field checks of Bybit's JSON.
 *
 * @module
 */

import type { NormalizedEvent, Side } from "../../core/events.ts";
import type { Json } from "../fields.ts";

/** Maps a native symbol of a category to the unified symbol (injected by the caller). */
export type Unify = (nativeSymbol: string, category: string) => string;

/** The frame one data item came in. */
export interface PrivateContext {
  /** The frame's `creationTime`, epoch ms. */
  creationTime: number;
  receivedTs: number;
  /** The category named by the topic (`order.spot` → `spot`), if any. */
  category: string | undefined;
  /** `execution.fast`: fills without order fields, fee or exec type. */
  fast: boolean;
  unify: Unify;
}

/** Parses one data item into `out`; false when the item is invalid. */
export type ItemParser = (
  d: Json,
  c: PrivateContext,
  out: NormalizedEvent[],
) => boolean;

/** A JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A non-empty string. */
export function filled(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

/** An optional string field: `""` when absent, `undefined` when mistyped. */
export function text(v: unknown): string | undefined {
  return v === undefined ? "" : typeof v === "string" ? v : undefined;
}

/** The item's `category`, else the topic's. */
export function categoryOf(d: Json, c: PrivateContext): string | undefined {
  return filled(d.category) ? d.category : c.category;
}

/** Bybit's `Buy`/`Sell` as a side; `undefined` for anything else. */
export function sideOf(v: unknown): Side | undefined {
  return v === "Buy" ? "buy" : v === "Sell" ? "sell" : undefined;
}

/** Epoch ms from a string of digits (Bybit's `"1672364262457"`) or a number. */
export function msOf(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * A Bybit PascalCase value in lower snake case, `Cancelled` spelled
 * `canceled`: `PartiallyFilled` → `partially_filled`, `UNKNOWN` → `unknown`.
 *
 * @example Usage
 * ```ts
 * snake("PartiallyFilledCanceled"); // "partially_filled_canceled"
 * ```
 */
export function snake(s: string): string {
  return s.replace(/([a-z\d])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/cancelled/g, "canceled");
}
