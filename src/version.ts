/**
 * The tickgate version, from `deno.json` (embedded at compile time).
 *
 * @module
 */

import meta from "../deno.json" with { type: "json" };

/** The release version, e.g. `0.1.0`. */
export const VERSION: string = meta.version;
