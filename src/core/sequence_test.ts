import assert from "node:assert/strict";
import { SequenceLine, STALE } from "./sequence.ts";

Deno.test("SequenceLine.next() accepts in order, drops stale, counts jumps once", () => {
  const a = new SequenceLine();
  const b = new SequenceLine();
  assert.equal(a.next(10), 0);
  assert.equal(a.next(11), 0);
  assert.equal(a.next(11), STALE);
  assert.equal(a.next(9), STALE);
  assert.equal(a.next(15), 3);
  assert.equal(b.next(1), 0); // lines are independent
  assert.equal(a.last, 15);
  assert.equal(new SequenceLine().last, undefined);
});

Deno.test("SequenceLine.expectUpTo() reports announced losses without marking them delivered", () => {
  const a = new SequenceLine();
  assert.equal(a.expectUpTo(50), 0); // nothing accepted yet: nothing to compare
  a.next(10);
  assert.equal(a.expectUpTo(10), 0);
  assert.equal(a.expectUpTo(13), 3);
  assert.equal(a.expectUpTo(13), 0);
  assert.equal(a.next(12), 0); // late, still accepted, not re-counted
  assert.equal(a.next(16), 2); // 14 and 15
});
