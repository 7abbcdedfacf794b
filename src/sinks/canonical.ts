/**
 * The `canonical` format: an event as its own JSON object, and as NDJSON
 * lines (file sinks, the spool, the dead-letter file).
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";

/**
 * One event as canonical JSON.
 *
 * @example Usage
 * ```ts
 * canonicalJson(event); // '{"id":"coinbase:BTC-USD:trade:1",…}'
 * ```
 */
export function canonicalJson(event: NormalizedEvent): string {
  return JSON.stringify(event);
}

/**
 * Events as NDJSON: one canonical JSON line each, every line ending in `\n`.
 *
 * @example Usage
 * ```ts
 * await Deno.writeTextFile(path, canonicalLines(batch), { append: true });
 * ```
 */
export function canonicalLines(events: readonly NormalizedEvent[]): string {
  let text = "";
  for (let i = 0; i < events.length; i++) {
    text += JSON.stringify(events[i]) + "\n";
  }
  return text;
}
