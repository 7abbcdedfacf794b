import assert from "node:assert/strict";
import { StringTable } from "./string_table.ts";

Deno.test("StringTable: finds keys by content, replaces values, grows past its first size", () => {
  const t = new StringTable<number>();
  const keys = Array.from({ length: 1000 }, (_, i) => `c${i}usdt@depth@100ms`);
  keys.forEach((k, i) => t.set(k, i));
  assert.equal(t.size, 1000);
  for (let i = 0; i < keys.length; i++) {
    // A fresh string with the same content, as JSON.parse makes one.
    const fresh = JSON.parse(JSON.stringify(keys[i]));
    assert.equal(t.get(fresh), i);
  }
  assert.equal(t.get("c1000usdt@depth@100ms"), undefined);
  assert.equal(t.get(""), undefined);
  t.set("c7usdt@depth@100ms", -7);
  assert.equal(t.size, 1000);
  assert.equal(t.get("c7usdt@depth@100ms"), -7);
  t.set("", 5);
  assert.equal(t.get(""), 5);
  const values = [...t.values()].sort((a, b) => a - b);
  assert.deepEqual(
    values,
    [-7, 5, ...keys.map((_, i) => i).filter((i) => i !== 7)].sort((a, b) =>
      a - b
    ),
  );
});
