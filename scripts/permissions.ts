/**
 * The permissions tickgate runs with, defined once: baked into the compiled
 * binary by `scripts/compile.ts` (and so into the container image), spelled
 * out literally in `deno task start|dev|demo` (a test keeps them equal), and
 * used by `tests/binary_equivalence_test.ts` to run `main.ts` as the binary
 * would.
 *
 * Why each one, and why no narrower:
 * - `--allow-net`: exchange WebSockets and REST, the sinks' brokers and
 *   databases, and the HTTP API; all of them are configured at run time.
 * - `--allow-env`: the configuration reads the whole environment, and the
 *   npm clients (postgres, kafkajs, ioredis, amqplib, debug) read
 *   `process.env` names of their own.
 * - `--allow-read` / `--allow-write`: `DATA_DIR` (spool, SQLite store),
 *   `--config FILE`, credential files and `file:` sinks are run-time paths.
 *   Paths given to `deno compile` are resolved at build time, so they could
 *   never name the directory a user picks when running the binary.
 * - `--allow-sys=uid,gid,userInfo`: the only system information anything
 *   asks for is `os.userInfo()`, which the `postgres` client calls for its
 *   default user name when `DATABASE_URL` (or a `postgres:` sink) names no
 *   user, as `psql` does; Deno checks `uid`, `gid` and `userInfo` for it.
 *   Nothing else (hostname, memory, load, interfaces) is read.
 * - `--no-prompt`: a permission tickgate lacks throws `NotCapable` instead
 *   of hanging a service on an interactive prompt. It grants nothing.
 *
 * Deliberately absent: run, ffi, import, `-A`; and no `--env-file` (nothing
 * from the build machine's environment is baked in).
 *
 * One V8 flag goes with them ({@link BINARY_V8_FLAGS}), so the binary, the
 * tasks, the tests and the benchmarks run the same engine settings.
 *
 * @module
 */

/** The `deno` permission flags of the binary, in this order everywhere. */
export const BINARY_PERMISSIONS: readonly string[] = Object.freeze([
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-sys=uid,gid,userInfo",
  "--no-prompt",
]);

/**
 * The V8 flags of the binary. `--max-semi-space-size=4` (MB) caps the young
 * generation: by default V8 grows it to 3 × 16 MB under a steady stream of
 * short-lived events and keeps it, which measured 153 MB RSS at 1,000 pairs
 * against 108 MB with the cap (issue 9's limit is 128 MB). Scavenges become
 * more frequent but no costlier each, since their cost is what survives.
 */
export const BINARY_V8_FLAGS: readonly string[] = Object.freeze([
  "--v8-flags=--max-semi-space-size=4",
]);

/** Every flag `deno run` needs to behave as the binary: permissions, then V8 flags. */
export const BINARY_RUN_FLAGS: readonly string[] = Object.freeze([
  ...BINARY_PERMISSIONS,
  ...BINARY_V8_FLAGS,
]);
