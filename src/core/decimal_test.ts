import assert from "node:assert/strict";
import {
  addDecimal,
  compareDecimal,
  DecimalError,
  isPlainDecimal,
  isZeroDecimal,
  negateDecimal,
  subtractDecimal,
} from "./decimal.ts";

Deno.test("subtractDecimal: exact where floats are not", () => {
  assert.equal(subtractDecimal("0.3", "0.1"), "0.2");
  assert.equal(subtractDecimal("1", "0.9"), "0.1");
  assert.equal(subtractDecimal("0.5", "0.5"), "0.0");
  assert.equal(subtractDecimal("0.3", "1"), "-0.7");
  assert.equal(subtractDecimal("-1.5", "-2.25"), "0.75");
  assert.equal(
    subtractDecimal("123456789012345678901234.5", "0.000000000000000001"),
    "123456789012345678901234.499999999999999999",
  );
});

Deno.test("results keep the larger input scale, never trimmed", () => {
  assert.equal(subtractDecimal("1.50", "0.5"), "1.00");
  assert.equal(subtractDecimal("1.2300", "0"), "1.2300");
  assert.equal(subtractDecimal("10", "3"), "7");
  assert.equal(subtractDecimal("0.00000001", "0.00000002"), "-0.00000001");
  assert.equal(addDecimal("0.1", "0.2"), "0.3");
  assert.equal(addDecimal("0.10", "0.90"), "1.00");
  assert.equal(addDecimal("-5", "5.0"), "0.0");
});

Deno.test("leading zeros and + are normalized; zero is never negative", () => {
  assert.equal(subtractDecimal("007.5", "0"), "7.5");
  assert.equal(subtractDecimal("+2", "1"), "1");
  assert.equal(subtractDecimal("-0.00", "0"), "0.00");
  assert.equal(negateDecimal("0"), "0");
  assert.equal(negateDecimal("-0"), "0");
  assert.equal(negateDecimal("0.000"), "0.000");
});

Deno.test("negateDecimal keeps the input's scale", () => {
  assert.equal(negateDecimal("0.010"), "-0.010");
  assert.equal(negateDecimal("-0.010"), "0.010");
  assert.equal(negateDecimal("+3"), "-3");
  assert.equal(negateDecimal("95900.1"), "-95900.1");
});

Deno.test("isZeroDecimal: every spelling of zero", () => {
  for (const z of ["0", "0.000", "-0", "+0", "00", "-0.0"]) {
    assert.equal(isZeroDecimal(z), true, z);
  }
  for (const n of ["0.001", "-0.00000001", "1", "10"]) {
    assert.equal(isZeroDecimal(n), false, n);
  }
});

Deno.test("compareDecimal compares values, not spellings", () => {
  assert.equal(compareDecimal("1.10", "1.1"), 0);
  assert.equal(compareDecimal("-0", "0.00"), 0);
  assert.equal(compareDecimal("-2", "1"), -1);
  assert.equal(compareDecimal("0.1", "0.09"), 1);
  assert.equal(compareDecimal("-0.1", "-0.09"), -1);
  assert.equal(compareDecimal("100", "99.999"), 1);
});

Deno.test("non-decimal input throws DecimalError", () => {
  const bad = [
    "",
    " 1",
    "1 ",
    "1e5",
    ".5",
    "5.",
    "NaN",
    "Infinity",
    "1,5",
    "--1",
    "0x10",
    "-",
  ];
  for (const b of bad) {
    assert.equal(isPlainDecimal(b), false, b);
    assert.throws(() => subtractDecimal(b, "0"), DecimalError, b);
    assert.throws(() => subtractDecimal("0", b), DecimalError, b);
    assert.throws(() => negateDecimal(b), DecimalError, b);
    assert.throws(() => isZeroDecimal(b), DecimalError, b);
    assert.throws(() => compareDecimal(b, "0"), DecimalError, b);
  }
  // Callers holding decoded JSON may pass anything.
  assert.throws(() => negateDecimal(5 as unknown as string), DecimalError);
  const e = new DecimalError("x");
  assert.equal(e.name, "DecimalError");
  assert.equal(e.input, "x");
  assert.ok(e instanceof Error);
});

Deno.test("isPlainDecimal accepts the plain notation", () => {
  for (const g of ["0", "-1", "+1", "1.0", "0.00000001", "95900.1"]) {
    assert.equal(isPlainDecimal(g), true, g);
  }
  assert.equal(isPlainDecimal(1), false);
  assert.equal(isPlainDecimal(undefined), false);
});
