import assert from "node:assert/strict";
import { RecentIds } from "./recent_ids.ts";

Deno.test("RecentIds drops repeats among the last `capacity` ids, oldest forgotten first", () => {
  const seen = new RecentIds(3);
  assert.deepEqual(["1", "2", "1", "3"].map((id) => seen.add(id)), [
    true,
    true,
    false,
    true,
  ]);
  assert.equal(seen.add("4"), true); // forgets "1"
  assert.equal(seen.add("2"), false);
  assert.equal(seen.add("1"), true); // forgets "2"
  assert.equal(seen.add("2"), true);
});
