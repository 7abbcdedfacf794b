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
