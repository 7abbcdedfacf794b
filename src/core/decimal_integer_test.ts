import assert from "node:assert/strict";
import { integerString } from "./decimal.ts";

Deno.test("integerString is String(n) for every number", () => {
  const probes = [
    0,
    -0,
    1,
    999,
    1000,
    1001,
    99_999,
    2 ** 31 - 1,
    2 ** 31,
    2_246_671_391,
    1e12 - 1,
    1e15 - 1,
    1e15,
    2 ** 53,
    -5,
    -123_456,
    1000.5,
    123_456.789,
    NaN,
    Infinity,
    -Infinity,
    1e21,
  ];
  for (let i = 0; i < 20_000; i++) {
    probes.push(Math.floor((i * 2_654_435_761) % 1e15), i * 1_000 + 7);
  }
  for (const n of probes) assert.equal(integerString(n), String(n), `${n}`);
});
