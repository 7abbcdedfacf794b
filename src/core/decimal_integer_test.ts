import assert from "node:assert/strict";
import { digitsValue, integerString } from "./decimal.ts";

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

Deno.test("digitsValue is Number(text) for every text of 1 to 15 digits", () => {
  const texts = [
    "0",
    "7",
    "10",
    "999999999",
    "1000000000",
    "1000000001",
    "2147483647",
    "2147483648",
    "11438231181",
    "99999999999999",
    "100000000000000",
    "999999999999999",
  ];
  // Every length, padded with a digit from 1 to 9 (a checked text has no
  // leading zero; one would change nothing here).
  for (let i = 0; i < 20_000; i++) {
    const len = 1 + (i % 15);
    const n = (i * 2_654_435_761) % 10 ** len;
    texts.push(String(n).padStart(len, String(1 + (i % 9))));
  }
  for (const t of texts) {
    assert.equal(digitsValue(t), Number(t), t);
  }
});
