/**
 * `tickgate run` must not load the broker clients it does not use: the
 * static import graph of main.ts holds none of them (they are reached only
 * through `import()` when a sink, the store or `tail` needs them).
 */
import assert from "node:assert/strict";

/** The npm packages reachable from main.ts through static imports only. */
async function staticNpmPackages(): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const npm = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const dep of modules.get(s)?.dependencies ?? []) {
      const spec = dep.code?.specifier;
      if (spec === undefined || dep.isDynamic) continue;
      const pkg = /^npm:\/?(@[^/@]+\/[^/@]+|[^/@]+)/.exec(spec)?.[1];
      if (pkg !== undefined) npm.add(pkg);
      else stack.push(spec);
    }
  }
  return npm;
}

Deno.test("main.ts loads no broker client statically (ioredis, kafkajs, amqplib, postgres)", async () => {
  const npm = await staticNpmPackages();
  assert.ok(npm.has("hono"), `the graph was read: ${[...npm].join(", ")}`);
  for (const heavy of ["ioredis", "kafkajs", "amqplib", "postgres"]) {
    assert.ok(!npm.has(heavy), `${heavy} is imported statically`);
  }
});
