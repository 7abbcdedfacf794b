import assert from "node:assert/strict";
import { SequenceTracker, STALE } from "./sequence.ts";

Deno.test("SequenceTracker.next() accepts in order, drops stale, counts jumps once", () => {
  const t = new SequenceTracker();
  assert.equal(t.next("a", 10), 0);
  assert.equal(t.next("a", 11), 0);
  assert.equal(t.next("a", 11), STALE);
  assert.equal(t.next("a", 9), STALE);
  assert.equal(t.next("a", 15), 3);
  assert.equal(t.next("b", 1), 0); // keys are independent
  assert.equal(t.last("a"), 15);
  assert.equal(t.last("zzz"), undefined);
});

Deno.test("SequenceTracker.expectUpTo() reports announced losses without marking them delivered", () => {
  const t = new SequenceTracker();
  assert.equal(t.expectUpTo("a", 50), 0); // unknown key: nothing to compare
  t.next("a", 10);
  assert.equal(t.expectUpTo("a", 10), 0);
  assert.equal(t.expectUpTo("a", 13), 3);
  assert.equal(t.expectUpTo("a", 13), 0);
  assert.equal(t.next("a", 12), 0); // late, still accepted, not re-counted
  assert.equal(t.next("a", 16), 2); // 14 and 15
});
