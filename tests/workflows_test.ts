/**
 * The GitHub workflows and the Dockerfile's build step, checked as text
 * (GitHub Actions and docker cannot run here): CI runs `.ci/run` with its
 * services, a version tag builds, checksums and attaches every binary and
 * pushes the image, actions are pinned, and the image's binary is compiled
 * with exactly `BINARY_PERMISSIONS`.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { BINARY_PERMISSIONS, BINARY_V8_FLAGS } from "../scripts/permissions.ts";

type Obj = Record<string, unknown>;

interface Step extends Obj {
  uses?: string;
  run?: string;
  with?: Obj;
  env?: Obj;
}

interface Job extends Obj {
  steps?: Step[];
  needs?: string | string[];
  permissions?: Obj;
  uses?: string;
}

const root = new URL("../", import.meta.url);

async function text(path: string): Promise<string> {
  return await Deno.readTextFile(new URL(path, root));
}

async function workflow(name: string) {
  const doc = parse(await text(`.github/workflows/${name}`)) as Obj;
  return { on: doc.on as Obj, jobs: doc.jobs as Record<string, Job> };
}

/** The step of `job` that uses `action` (any version). */
function uses(job: Job, action: string): Step {
  const step = job.steps?.find((s) => s.uses?.startsWith(`${action}@`));
  assert.ok(step, `no ${action} step`);
  return step;
}

/** The step of `job` whose script matches `re`. */
function runs(job: Job, re: RegExp): Step {
  const step = job.steps?.find((s) => s.run !== undefined && re.test(s.run));
  assert.ok(step, `no step runs ${re}`);
  return step;
}

const ciDenoVersion = async () =>
  /DENO_VERSION="\$\{DENO_VERSION:-([\d.]+)\}"/.exec(await text(".ci/run"))
    ?.[1];

Deno.test("workflows: ci.yml runs .ci/run with Redis, PostgreSQL, RabbitMQ and kcat", async () => {
  const { on, jobs } = await workflow("ci.yml");
  assert.ok("push" in on && "pull_request" in on && "workflow_call" in on);
  const job = jobs.test!;
  assert.equal(job["runs-on"], "ubuntu-latest");
  assert.equal(job["timeout-minutes"], 20);
  const services = job.services as Record<string, Obj>;
  assert.equal(services.redis?.image, "redis:7");
  assert.equal(services.postgres?.image, "postgres:16");
  assert.deepEqual(services.postgres?.env, {
    POSTGRES_HOST_AUTH_METHOD: "trust",
    POSTGRES_DB: "test",
  });
  assert.equal(services.rabbitmq?.image, "rabbitmq:3");
  runs(job, /apt-get install -y kcat/);
  assert.equal(runs(job, /\.ci\/run/).run, ".ci/run");
  const deno = uses(job, "denoland/setup-deno");
  assert.equal(String(deno.with?.["deno-version"]), await ciDenoVersion());
});

Deno.test("workflows: release.yml checks, then builds, checksums and attaches every binary", async () => {
  const { on, jobs } = await workflow("release.yml");
  assert.deepEqual(Object.keys(on), ["push"]);
  assert.deepEqual((on.push as Obj).tags, ["v*"]);
  // Job 1 is CI itself (.ci/run, same services).
  assert.equal(jobs.check?.uses, "./.github/workflows/ci.yml");
  const bin = jobs.binaries!;
  assert.deepEqual([bin.needs].flat(), ["check"]);
  assert.equal(bin.permissions?.contents, "write");
  const build = runs(bin, /deno task compile:all/);
  assert.equal(build.env?.TICKGATE_COMMIT, "${{ github.sha }}");
  runs(bin, /sha256sum -c SHA256SUMS/);
  const upload = runs(bin, /gh release upload/);
  assert.match(upload.run!, /dist\/tickgate-\*/);
  assert.match(upload.run!, /dist\/SHA256SUMS/);
  const deno = uses(bin, "denoland/setup-deno");
  assert.equal(String(deno.with?.["deno-version"]), await ciDenoVersion());
});

Deno.test("workflows: release.yml pushes the image to ghcr.io tagged version and, for releases, latest", async () => {
  const { jobs } = await workflow("release.yml");
  const image = jobs.image!;
  // After binaries: that job refuses a tag that is not deno.json's version.
  assert.deepEqual([image.needs].flat(), ["check", "binaries"]);
  assert.equal(image.permissions?.packages, "write");
  assert.equal(uses(image, "docker/login-action").with?.registry, "ghcr.io");
  const push = uses(image, "docker/build-push-action").with!;
  assert.equal(push.push, true);
  assert.equal(push.context, ".");
  assert.match(
    String(push["build-args"]),
    /^TICKGATE_COMMIT=\$\{\{ github\.sha \}\}$/m,
  );
  const tags = String(push.tags).trim().split("\n");
  assert.deepEqual(tags, [
    "${{ steps.meta.outputs.image }}:${{ steps.meta.outputs.version }}",
    "${{ steps.meta.outputs.latest }}",
  ]);
  const meta = runs(image, /ghcr\.io\//);
  assert.match(
    meta.run!,
    /if \[\[ "\$GITHUB_REF_NAME" != \*-\* \]\]; then\s+echo "latest=/,
  );
  assert.match(
    meta.run!,
    /GITHUB_REPOSITORY,,/,
    "registry paths are lowercase",
  );
  assert.match(meta.run!, /version=\$\{GITHUB_REF_NAME#v\}/);
});

Deno.test("workflows: every action is pinned to an exact version or commit", async () => {
  for (const name of ["ci.yml", "release.yml"]) {
    const { jobs } = await workflow(name);
    for (const [id, job] of Object.entries(jobs)) {
      for (const step of job.steps ?? []) {
        if (step.uses === undefined) continue;
        assert.match(
          step.uses,
          /^[\w.-]+\/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/,
          `${name} ${id}: ${step.uses}`,
        );
      }
    }
  }
});

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile.replace(/\\\r?\n/g, " ").split(/\r?\n/)
    .map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

Deno.test("workflows: the Dockerfile compiles with exactly BINARY_PERMISSIONS", async () => {
  const lines = instructions(await text("Dockerfile"));
  const compiles = lines.filter((l) => /^RUN .*\bdeno compile\b/.test(l));
  for (const line of compiles) {
    // A literal deno compile must spell the binary's flags, nothing else.
    const words = line.split(/\s+/);
    const perms = words.filter((w) =>
      /^(--allow-|--deny-|--no-prompt|-A$)/.test(w)
    );
    assert.deepEqual(perms, [...BINARY_PERMISSIONS], line);
    assert.doesNotMatch(line, /--env-file/);
  }
  const task = lines.findIndex((l) =>
    /^RUN .*\bdeno task compile\b(?!:)/.test(l)
  );
  assert.ok(
    compiles.length > 0 || task !== -1,
    "the Dockerfile compiles tickgate",
  );
  if (task !== -1) {
    // scripts/compile.ts holds the flags; it needs scripts/ and the commit.
    const before = lines.slice(0, task);
    assert.ok(
      before.some((l) => /^COPY .*\bscripts\//.test(l)),
      "COPY scripts/",
    );
    const stage = before.slice(before.findLastIndex((l) => /^FROM /.test(l)));
    assert.ok(
      stage.some((l) => /^ARG TICKGATE_COMMIT\b/.test(l)),
      "ARG TICKGATE_COMMIT in the stage that compiles",
    );
    const ignore = await text(".dockerignore").catch(() => "");
    if (/^\*$/m.test(ignore)) assert.match(ignore, /^!scripts\/?$/m);
    // What that task runs: deno compile with exactly the binary's flags.
    const dry = await new Deno.Command(Deno.execPath(), {
      args: ["task", "compile", "--dry-run"],
      cwd: new URL("../", import.meta.url),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const command = new TextDecoder().decode(dry.stdout).split("\n")
      .find((l) => l.startsWith("deno compile "));
    assert.ok(command, "the compile task prints its deno compile command");
    const perms = command.split(/\s+/).filter((w) =>
      /^(--allow-|--deny-|--no-prompt|-A$)/.test(w)
    );
    assert.deepEqual(perms, [...BINARY_PERMISSIONS]);
    assert.deepEqual(
      command.split(/\s+/).filter((w) => w.startsWith("--v8-flags")),
      [...BINARY_V8_FLAGS],
    );
    assert.doesNotMatch(command, /--env-file/);
  }
});
