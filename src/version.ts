/**
 * The tickgate version, from `deno.json` (embedded at compile time), and the
 * git commit a binary was built from.
 *
 * The commit is stamped without reading any file at run time:
 * `scripts/compile.ts` generates a module that sets the global named by
 * {@link COMMIT_GLOBAL} and passes it to `deno compile --preload`, so it runs
 * before this module is evaluated. Run from source, there is no stamp and
 * the commit reads `dev`.
 *
 * @module
 */

import meta from "../deno.json" with { type: "json" };

/** The release version, e.g. `0.1.0`. */
export const VERSION: string = meta.version;

/** The global the build stamp sets to the commit (a string). */
export const COMMIT_GLOBAL = "__TICKGATE_COMMIT__";

/**
 * Whether `value` can be stamped as a commit: a plain word of up to 64
 * letters, digits, `.`, `_` or `-` (a git id, `unknown`), nothing a terminal
 * or a shell would interpret.
 */
export function isStampableCommit(value: unknown): value is string {
  return typeof value === "string" &&
    /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/.test(value);
}

/**
 * The commit of a stamp value: the value when {@link isStampableCommit},
 * else `dev` (run from source, or a garbled stamp).
 */
export function commitOf(stamped: unknown): string {
  return isStampableCommit(stamped) ? stamped : "dev";
}

/** The git commit this binary was built from; `dev` when run from source. */
export const COMMIT: string = commitOf(
  (globalThis as Record<string, unknown>)[COMMIT_GLOBAL],
);

/** The parts of {@link versionLine}. */
export interface VersionInfo {
  version: string;
  commit: string;
  deno: string;
}

/**
 * What `tickgate --version` prints, e.g.
 * `tickgate 0.1.0 (commit 3f2a9c1, deno 2.9.6)`.
 */
export function versionLine(
  info: VersionInfo = {
    version: VERSION,
    commit: COMMIT,
    deno: Deno.version.deno,
  },
): string {
  return `tickgate ${info.version} (commit ${info.commit}, deno ${info.deno})`;
}
