/**
 * Readers for the deploy files (Dockerfile, .dockerignore, YAML, TOML,
 * systemd units) and the facts they must agree on, shared by
 * `deploy_test.ts`, `deploy_compose_test.ts` and `deploy_k8s_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { type Config, CONFIG_KEYS, loadConfig } from "../src/config.ts";

/** A parsed YAML or TOML document. */
// deno-lint-ignore no-explicit-any
export type Obj = Record<string, any>;

/** The repository root, with a trailing slash. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** The port every deploy target serves the API on. */
export const PORT = 8080;

/** Where every container target keeps its state (`DATA_DIR`). */
export const DATA = "/data";

/** The uid:gid of distroless's `nonroot` user. */
export const NONROOT_UID = 65532;

/** Every variable a deploy file may set: the schema's and two of the CLI's. */
export const ENV_NAMES: ReadonlySet<string> = new Set([
  ...CONFIG_KEYS,
  "TICKGATE_CONFIG",
  "TICKGATE_COMMIT",
]);

const DEFAULT_SHUTDOWN_MS = (await loadConfig({ env: {} })).shutdownTimeoutMs;

/** A file of the repository as text. */
export function read(path: string): string {
  return Deno.readTextFileSync(ROOT + path);
}

/** Whether a file or directory of the repository exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(ROOT + path);
    return true;
  } catch {
    return false;
  }
}

/** Every document of a YAML stream; fails on any parse error. */
export function yamlDocs(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Obj;
  }).filter((d) => d !== null);
}

/** The single document of a YAML file of the repository. */
export function yamlFile(path: string): Obj {
  const docs = yamlDocs(read(path));
  assert.equal(docs.length, 1, path);
  return docs[0]!;
}

/** Fails naming `where` when a name is not a setting tickgate reads. */
export function assertEnvNames(where: string, names: Iterable<string>): void {
  for (const n of names) {
    assert.ok(ENV_NAMES.has(n), `${where}: ${n} is not a config key`);
  }
}

/** Loads `env` as tickgate would; fails naming `where` when it is invalid. */
export function assertValidConfig(
  where: string,
  env: Record<string, string>,
): Promise<Config> {
  return loadConfig({ env }).catch((e) => {
    throw new Error(`${where}: ${(e as Error).message}`);
  });
}

/** `10s`, `500ms`, `2m` or a number of seconds, in seconds. */
export function seconds(value: string | number): number {
  if (typeof value === "number") return value;
  const m = /^(\d+)(ms|s|m)$/.exec(value);
  assert.ok(m, `not a duration: ${value}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as "s"];
}

/**
 * Fails unless a stop timeout (`kill_timeout`, `TimeoutStopSec`, …) leaves
 * at least a second beyond the gateway's own shutdown budget in `env`.
 */
export function assertStopTimeout(
  where: string,
  stop: string | number,
  env: Record<string, string | undefined>,
): void {
  const budget = Number(env.SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_MS);
  assert.ok(
    seconds(stop) * 1000 >= budget + 1000,
    `${where}: ${stop} leaves no room for SHUTDOWN_TIMEOUT_MS=${budget}`,
  );
}

/** One Dockerfile instruction and the stage it belongs to. */
export interface DockerInstruction {
  cmd: string;
  args: string;
  stage: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
export function dockerfile(): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let stage = "";
  let cur = "";
  for (const line of read("Dockerfile").split("\n")) {
    if (/^\s*#/.test(line)) continue;
    cur += line.replace(/\\\s*$/, " ");
    if (/\\\s*$/.test(line) || cur.trim() === "") continue;
    const [, word, args] = /^\s*(\w+)\s+(.*)$/s.exec(cur)!;
    const cmd = word!.toUpperCase();
    if (cmd === "FROM") stage = /\bAS\s+(\S+)/i.exec(args!)?.[1] ?? "";
    out.push({ cmd, args: args!.trim(), stage });
    cur = "";
  }
  return out;
}

/** Whether `.dockerignore` keeps `path` out of the build context. */
export function dockerIgnored(path: string): boolean {
  let ignored = false;
  for (const raw of read(".dockerignore").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const keep = line.startsWith("!");
    const re = line.replace(/^!/, "").replace(/\/$/, "")
      .replace(/[.+^${}()|[\]]/g, "\\$&")
      .replace(/\*\*\//g, "\0").replace(/\*\*/g, ".*").replace(/\*/g, "[^/]*")
      .replace(/\?/g, "[^/]").replaceAll("\0", "(?:.*/)?");
    // A pattern matching a directory covers everything below it.
    if (new RegExp(`^${re}(?:/.*)?$`).test(path)) ignored = !keep;
  }
  return ignored;
}

/** A systemd unit: `[Section]` → key → values (keys may repeat). */
export function systemdUnit(
  text: string,
): Record<string, Record<string, string[]>> {
  const unit: Record<string, Record<string, string[]>> = {};
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) section = s[1]!;
    else {
      const kv = /^(\w+)=(.*)$/.exec(line);
      assert.ok(kv && section, `not a unit line: ${line}`);
      ((unit[section] ??= {})[kv[1]!] ??= []).push(kv[2]!);
    }
  }
  return unit;
}

/**
 * Runs a command that may not be installed here; `undefined` (after a
 * `SKIPPED:` line naming `what`) when it is not.
 */
export async function optionalCommand(
  what: string,
  cmd: string,
  args: string[],
): Promise<{ success: boolean; stdout: string; stderr: string } | undefined> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return {
      success: out.success,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    console.log(`SKIPPED: ${what} (${cmd} is not installed)`);
    return undefined;
  }
}
