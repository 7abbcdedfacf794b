/**
 * Test-only: runs {@link parsePrivate} on one frame with a simple symbol
 * mapping (`BTCUSDT` → `BTC-USDT` for spot and linear, `SYMBOL:category`
 * otherwise), so the private-stream tests read what the parser itself did.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { Json } from "../fields.ts";
import { parsePrivate, type Unify } from "./parse_private.ts";

/** The receive time the tests use. */
export const RECEIVED = 1746270400400;

/** The tests' symbol mapping. */
export const testUnify: Unify = (s, category) => {
  const base = s.replace(/(USDT|USDC|USD)$/, "");
  return category === "linear" || category === "spot"
    ? `${base}-${s.slice(base.length)}`
    : `${s}:${category}`;
};

/** Parses `msg`; returns the outcome and the events. */
export function parse(msg: Json, received = RECEIVED, unify = testUnify) {
  const out: NormalizedEvent[] = [];
  const outcome = parsePrivate(msg, received, out, unify);
  return { outcome, events: out };
}
