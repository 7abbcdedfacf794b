import assert from "node:assert/strict";
import meta from "../deno.json" with { type: "json" };
import {
  COMMIT,
  COMMIT_GLOBAL,
  commitOf,
  isStampableCommit,
  VERSION,
  versionLine,
} from "./version.ts";

Deno.test("version: VERSION is deno.json's semantic version", () => {
  assert.equal(VERSION, meta.version);
  assert.match(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});

Deno.test("version: run from source, without a stamp, the commit is dev", () => {
  assert.equal(
    (globalThis as Record<string, unknown>)[COMMIT_GLOBAL],
    undefined,
  );
  assert.equal(COMMIT, "dev");
  assert.equal(
    versionLine(),
    `tickgate ${VERSION} (commit dev, deno ${Deno.version.deno})`,
  );
});

Deno.test("version: versionLine names version, commit and Deno version", () => {
  assert.equal(
    versionLine({ version: "1.2.3", commit: "3f2a9c1", deno: "2.9.6" }),
    "tickgate 1.2.3 (commit 3f2a9c1, deno 2.9.6)",
  );
});

Deno.test("version: a stamp is taken only when it is a plain commit word", () => {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  for (const ok of ["3f2a9c1", sha, "unknown", "v1.2.3-4-gabc", "A_b.c"]) {
    assert.ok(isStampableCommit(ok), ok);
    assert.equal(commitOf(ok), ok);
  }
  const bad: unknown[] = [
    undefined,
    null,
    42,
    "",
    " 3f2a9c1",
    "-rf",
    "abc def",
    "abc\n",
    "\x1b[31mred",
    "a".repeat(65),
    { commit: "abc" },
  ];
  for (const value of bad) {
    assert.ok(!isStampableCommit(value), String(value));
    assert.equal(commitOf(value), "dev");
  }
});
