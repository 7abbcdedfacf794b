import assert from "node:assert/strict";
import { join } from "node:path";
import meta from "../deno.json" with { type: "json" };
import { COMMIT_GLOBAL, commitOf, VERSION } from "../src/version.ts";
import {
  binaryPath,
  commandLine,
  compileArgs,
  plan,
  resolveCommit,
  ROOT,
  sha256sums,
  STAMP,
  stampSource,
  TARGETS,
} from "./compile.ts";
import {
  BINARY_PERMISSIONS,
  BINARY_RUN_FLAGS,
  BINARY_V8_FLAGS,
} from "./permissions.ts";

const dec = new TextDecoder();

/** Runs `deno args` in the repository root. */
async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
  }).output();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A file's modification time, or undefined when it does not exist. */
async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mtime?.getTime();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** The index where `part` occurs in `whole` as a contiguous run, or -1. */
function indexOfRun(whole: readonly string[], part: readonly string[]) {
  for (let i = 0; i + part.length <= whole.length; i++) {
    if (part.every((p, j) => whole[i + j] === p)) return i;
  }
  return -1;
}

/** Checks one `deno compile` argument list against the binary's rules. */
function assertCompileArgs(args: readonly string[], target?: string) {
  assert.equal(args[0], "compile");
  assert.equal(args.at(-1), "main.ts");
  assert.ok(args.includes("--frozen"), "the lock file is frozen");
  assert.ok(indexOfRun(args, BINARY_RUN_FLAGS) > 0, args.join(" "));
  const perms = args.filter((a) =>
    /^(--allow-|--deny-|--no-prompt|-A$)/.test(a)
  );
  assert.deepEqual(perms, [...BINARY_PERMISSIONS]);
  assert.deepEqual(args.filter((a) => a.startsWith("--v8-flags")), [
    ...BINARY_V8_FLAGS,
  ]);
  assert.ok(indexOfRun(args, ["--preload", STAMP]) > 0, "commit stamp");
  for (const a of args) {
    assert.doesNotMatch(a, /^--(env-file|no-check|allow-all|include)/, a);
  }
  const t = args.indexOf("--target");
  assert.equal(t === -1 ? undefined : args[t + 1], target);
  const o = args.indexOf("--output");
  assert.equal(args[o + 1], binaryPath(target));
}

Deno.test("compile: --all plans the five release targets, named by version", () => {
  assert.deepEqual(TARGETS, [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  const steps = plan(true);
  assert.deepEqual(steps.map((s) => s.output), [
    `dist/tickgate-${VERSION}-x86_64-unknown-linux-gnu`,
    `dist/tickgate-${VERSION}-aarch64-unknown-linux-gnu`,
    `dist/tickgate-${VERSION}-x86_64-apple-darwin`,
    `dist/tickgate-${VERSION}-aarch64-apple-darwin`,
    `dist/tickgate-${VERSION}-x86_64-pc-windows-msvc.exe`,
  ]);
  steps.forEach((s, i) => assertCompileArgs(s.args, TARGETS[i]));
  assert.equal(
    binaryPath("x86_64-apple-darwin", "9.9.9"),
    "dist/tickgate-9.9.9-x86_64-apple-darwin",
  );
});

Deno.test("compile: commands print as a shell would read them", () => {
  assert.equal(
    commandLine(["deno", "--allow-sys=uid,gid", "a b", "it's"]),
    `deno --allow-sys=uid,gid 'a b' 'it'\\''s'`,
  );
});

Deno.test("compile: without --all it builds dist/tickgate for this OS", () => {
  const [only, ...rest] = plan(false);
  assert.deepEqual(rest, []);
  assert.equal(only!.output, "dist/tickgate");
  assertCompileArgs(only!.args);
});

Deno.test("compile: deno task compile:all --dry-run prints the five exact commands", async () => {
  const stampBefore = await mtime(join(ROOT, STAMP));
  const r = await deno(["task", "compile:all", "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await mtime(join(ROOT, STAMP)), stampBefore, "wrote nothing");
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 5, r.stdout);
  lines.forEach((line, i) => {
    const argv = line.split(" ");
    assert.equal(argv[0], "deno");
    assertCompileArgs(argv.slice(1), TARGETS[i]);
    assert.equal(line, commandLine(["deno", ...plan(true)[i]!.args]));
    assert.ok(!line.includes("--env-file"));
  });
  assert.match(
    r.stderr,
    /would stamp the commit .* and write dist\/SHA256SUMS/,
  );
});

Deno.test("compile: deno task compile --dry-run prints one command; bad arguments exit 2", async () => {
  const r = await deno(["task", "compile", "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, commandLine(["deno", ...plan(false)[0]!.args]) + "\n");
  const bad = await deno(["task", "compile", "--target=x"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown argument --target=x/);
});

Deno.test("compile: start, dev, demo and install:global run with exactly BINARY_RUN_FLAGS", () => {
  const tasks = meta.tasks as Record<string, string>;
  const expected = {
    start: ["deno", "run"],
    dev: ["deno", "run", "--watch"],
    demo: ["deno", "run"],
    "install:global": [
      "deno",
      "install",
      "--global",
      "--force",
      "--name",
      "tickgate",
      "--config",
      "deno.json",
    ],
  };
  for (const [name, prefix] of Object.entries(expected)) {
    const argv = tasks[name]!.split(/\s+/);
    const main = argv.indexOf("main.ts");
    assert.deepEqual(argv.slice(0, prefix.length), prefix, name);
    assert.deepEqual(
      argv.slice(prefix.length, main),
      [...BINARY_RUN_FLAGS],
      name,
    );
  }
  assert.match(tasks.compile!, /scripts\/compile\.ts$/);
  assert.match(tasks["compile:all"]!, /scripts\/compile\.ts --all$/);
  for (const name of ["compile", "compile:all"]) {
    // The build script needs dist/, TICKGATE_COMMIT, deno and git; no more.
    assert.match(tasks[name]!, /--allow-run=deno,git /);
    assert.doesNotMatch(
      tasks[name]!,
      / -A |--allow-all|--allow-run |--allow-env /,
    );
  }
});

Deno.test("compile: the stamp module sets the commit global src/version.ts reads", async () => {
  assert.throws(() => stampSource('x"; Deno.exit(1); "'), /not a commit id/);
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "stamp.ts");
    await Deno.writeTextFile(file, stampSource("3f2a9c1"));
    await import(`file://${file}`);
    const g = globalThis as Record<string, unknown>;
    try {
      assert.equal(commitOf(g[COMMIT_GLOBAL]), "3f2a9c1");
    } finally {
      delete g[COMMIT_GLOBAL];
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compile: the commit comes from TICKGATE_COMMIT, else git, else unknown", async () => {
  const noGit = () => Promise.resolve(undefined);
  assert.equal(await resolveCommit(" abc1234\n", noGit), "abc1234");
  assert.equal(
    await resolveCommit(undefined, () => Promise.resolve("beef")),
    "beef",
  );
  assert.equal(await resolveCommit("", () => Promise.resolve("beef")), "beef");
  assert.equal(await resolveCommit(undefined, noGit), "unknown");
  assert.equal(
    await resolveCommit(undefined, () => Promise.resolve("fatal: no\nrepo")),
    "unknown",
  );
  await assert.rejects(resolveCommit("$(rm -rf /)", noGit), /TICKGATE_COMMIT/);
  // This checkout: a short id, or unknown where git or .git is missing.
  assert.match(await resolveCommit(undefined), /^([0-9a-f]{4,40}|unknown)$/);
});

Deno.test("compile: SHA256SUMS is in sha256sum -c format", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "tickgate-a"), "abc");
    await Deno.writeTextFile(join(dir, "tickgate-b.exe"), "");
    const sums = await sha256sums(dir, ["tickgate-a", "tickgate-b.exe"]);
    assert.equal(
      sums,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  tickgate-a\n" +
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  tickgate-b.exe\n",
    );
    await Deno.writeTextFile(join(dir, "SHA256SUMS"), sums);
    let check: Deno.CommandOutput | undefined;
    try {
      check = await new Deno.Command("sha256sum", {
        args: ["-c", "SHA256SUMS"],
        cwd: dir,
      }).output();
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e; // no coreutils here
    }
    if (check) assert.equal(check.code, 0, dec.decode(check.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "compile: the real deno compile type-checks, takes the flags and the stamp",
  // Offline it stops at downloading denort; online (CI) it builds the binary.
  fn: async () => {
    const dir = await Deno.realPath(await Deno.makeTempDir());
    try {
      const stamp = join(dir, "stamp.ts");
      const out = join(dir, "tickgate");
      await Deno.writeTextFile(stamp, stampSource("feed123"));
      const r = await deno(compileArgs(out, undefined, stamp));
      const log = r.stdout + r.stderr;
      assert.match(log, /Check main\.ts/, log);
      if (r.code !== 0) {
        // Everything but the runtime download succeeded.
        assert.match(
          log,
          /Download https:\/\/dl\.deno\.land\/release\/v[\d.]+\/denort-/,
          log,
        );
        assert.match(log, /error sending request|dns error|Connect/i, log);
        return;
      }
      const exe = Deno.build.os === "windows" ? `${out}.exe` : out;
      const v = await new Deno.Command(exe, { args: ["--version"], cwd: dir })
        .output();
      assert.equal(
        dec.decode(v.stdout),
        `tickgate ${VERSION} (commit feed123, deno ${Deno.version.deno})\n`,
      );
      const c = await new Deno.Command(exe, {
        args: ["check-config"],
        cwd: dir,
        clearEnv: true,
      }).output();
      assert.equal(c.code, 0, dec.decode(c.stderr));
      assert.equal(JSON.parse(dec.decode(c.stdout)).dataDir, "./data");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
