import assert from "node:assert/strict";
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";

Deno.test("backoffCeiling doubles from the base and stops at the cap", () => {
  assert.deepEqual(DEFAULT_BACKOFF, { baseMs: 500, capMs: 30_000 });
  const ceilings = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n));
  assert.deepEqual(ceilings, [
    500,
    1_000,
    2_000,
    4_000,
    8_000,
    16_000,
    30_000,
    30_000,
  ]);
  assert.equal(backoffCeiling(3, { baseMs: 100, capMs: 250 }), 250);
  assert.equal(backoffCeiling(2, { baseMs: 100 }), 400);
});

Deno.test("backoffCeiling survives huge, negative and non-finite attempts", () => {
  assert.equal(backoffCeiling(10_000), 30_000);
  assert.equal(backoffCeiling(-3), 500);
  assert.equal(backoffCeiling(Number.NaN), 500);
  assert.equal(backoffCeiling(2.7), 2_000);
});

Deno.test("backoffDelay is random() times the ceiling (full jitter)", () => {
  assert.equal(backoffDelay(0, {}, () => 0), 0);
  assert.equal(backoffDelay(0, {}, () => 0.5), 250);
  assert.equal(backoffDelay(3, {}, () => 0.5), 2_000);
  assert.equal(backoffDelay(20, {}, () => 0.5), 15_000);
  assert.equal(backoffDelay(1, { baseMs: 10, capMs: 15 }, () => 0.5), 7);
});

Deno.test("backoffDelay stays within [0, ceiling] for any random()", () => {
  for (let attempt = 0; attempt < 40; attempt++) {
    const ceiling = backoffCeiling(attempt);
    for (let i = 0; i < 50; i++) {
      const ms = backoffDelay(attempt);
      assert.ok(ms >= 0 && ms < ceiling, `attempt ${attempt}: ${ms}`);
      assert.ok(Number.isInteger(ms));
    }
  }
  // Out-of-range sources are clamped rather than trusted.
  assert.equal(backoffDelay(0, {}, () => 7), 500);
  assert.equal(backoffDelay(0, {}, () => -1), 0);
  assert.equal(backoffDelay(0, {}, () => Number.NaN), 0);
});

Deno.test("backoffDelay spreads delays (jitter is not constant)", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 100; i++) seen.add(backoffDelay(5));
  assert.ok(seen.size > 10, `only ${seen.size} distinct delays`);
});
