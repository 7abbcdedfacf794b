import assert from "node:assert/strict";
import { sameSecret } from "./same_secret.ts";

Deno.test("sameSecret is true only for equal strings, whatever their lengths", () => {
  assert.equal(sameSecret("abc", "abc"), true);
  assert.equal(sameSecret("abc", "abd"), false);
  assert.equal(sameSecret("abc", "ab"), false);
  assert.equal(sameSecret("", ""), true);
  assert.equal(sameSecret("", "x"), false);
});
