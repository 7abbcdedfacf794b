/**
 * Every command in the README's shell blocks refers to something that
 * exists: a `deno task` in deno.json, a tickgate subcommand, a route the API
 * serves, a file under deploy/. Commands that cannot run here (docker, fly,
 * kubectl, systemctl) are checked for the files they name; the deploy files
 * themselves are parsed and checked by tests/deploy*_test.ts, and the tasks,
 * subcommands and routes are exercised by the rest of the suite.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createApi } from "../src/api/app.ts";
import { fakeView } from "../src/api/_fake_registry.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const README = await Deno.readTextFile(`${ROOT}README.md`);
const TASKS = Object.keys(
  JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks,
);
const SUBCOMMANDS = new Set([
  "run",
  "demo",
  "simulate",
  "tail",
  "probe",
  "check-config",
  "--help",
  "--version",
]);

/** Command lines of the ```sh blocks, continuations joined, comments cut. */
function commands(markdown: string): string[] {
  const out: string[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, " ");
    for (const raw of joined.split("\n")) {
      const line = raw.replace(/(^|\s+)#\s.*$/, "").trim();
      if (line !== "") out.push(line);
    }
  }
  return out;
}

async function routes(): Promise<string[]> {
  const res = await createApi(fakeView()).request("/");
  return (await res.json()).routes;
}

function servedBy(path: string, served: readonly string[]): boolean {
  return served.some((r) =>
    new RegExp(`^${r.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path)
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(`${ROOT}${path}`);
    return true;
  } catch {
    return false;
  }
}

Deno.test("every README command names a task, subcommand, route or file that exists", async () => {
  const served = await routes();
  const lines = commands(README);
  assert.ok(lines.length >= 20, `found only ${lines.length} commands`);
  const problems: string[] = [];
  for (const line of lines) {
    const words = line.replace(/^sudo /, "").split(/\s+/);
    const [head, ...rest] = words;
    const paths = rest.filter((w) => /^(deploy|dist|Dockerfile)/.test(w));
    for (const p of paths) {
      if (!p.startsWith("dist/") && !(await exists(p))) {
        problems.push(`${line}: ${p} does not exist`);
      }
    }
    if (head === "deno") {
      if (rest[0] !== "task" || !TASKS.includes(rest[1]!)) {
        problems.push(`${line}: no such deno task`);
      }
    } else if (/^(\.\/)?tickgate/.test(head!) || head === "docker") {
      // `docker compose … exec tickgate tickgate tail …`: after the binary.
      const i = words.lastIndexOf("tickgate");
      const sub = head === "docker"
        ? (i > 0 ? words[i + 1] : undefined)
        : rest[0];
      if (sub !== undefined && !SUBCOMMANDS.has(sub)) {
        problems.push(`${line}: tickgate has no ${sub}`);
      }
    } else if (head === "curl") {
      const url = rest.find((w) => w.startsWith("localhost:"));
      const path = url && new URL(`http://${url}`).pathname;
      if (path === undefined || !servedBy(path, served)) {
        problems.push(`${line}: the API serves no ${path}`);
      }
    } else if (head === "fly") {
      // flyctl looks for ./fly.toml; the app's config lives in deploy/.
      const c = words.findIndex((w) => w === "--config" || w === "-c");
      if (c < 0 || !(await exists(words[c + 1]!))) {
        problems.push(`${line}: fly needs --config deploy/fly.toml`);
      }
    } else if (
      !["kubectl", "systemctl", "install", "chmod", "sha256sum"]
        .includes(head!)
    ) {
      problems.push(`${line}: no check for "${head}" commands`);
    }
  }
  assert.deepEqual(problems, []);
});
