import assert from "node:assert/strict";
import { parseIsoTimestamp } from "./time.ts";

Deno.test("parseIsoTimestamp() agrees with Date.parse to the millisecond", () => {
  const samples = [
    "1970-01-01T00:00:00Z",
    "2000-02-29T12:34:56.789Z",
    "2014-11-07T08:19:27.028Z",
    "2024-12-31T23:59:59.999Z",
    "2100-03-01T00:00:00.5Z",
    "2024-02-29T00:00:00Z",
    "2014-04-30T23:59:59Z",
    "1999-12-31T23:59:59+01:30",
    "2022-08-04T15:25:05-05:00",
  ];
  for (const s of samples) {
    assert.equal(Math.floor(parseIsoTimestamp(s)), Date.parse(s), s);
  }
});

Deno.test("parseIsoTimestamp() keeps microseconds as the fraction", () => {
  assert.equal(
    parseIsoTimestamp("2014-11-07T08:19:27.028459Z"),
    1415348367028.459,
  );
  assert.equal(
    parseIsoTimestamp("2022-10-19T23:28:22.061769Z"),
    1666222102061.769,
  );
  // Nanoseconds (Advanced Trade) are cut to microseconds.
  assert.equal(
    parseIsoTimestamp("2023-02-09T20:32:50.714964855Z"),
    1675974770714.964,
  );
});

Deno.test("parseIsoTimestamp() returns NaN for anything else", () => {
  for (
    const s of [
      "",
      "yesterday",
      "2014-11-07",
      "2014-11-07T08:19:27",
      "2014-13-07T08:19:27Z",
      "2025-02-29T00:00:00Z", // not a leap year
      "2100-02-29T00:00:00Z", // nor is 2100
      "2014-02-30T08:19:27Z",
      "2014-04-31T08:19:27Z",
      "2014-11-31T08:19:27.5Z",
      "2014-11-07T25:19:27Z",
      "2014-11-07T08:19:27.123Zjunk",
      "2014-11-07T08:19:27+0100",
      "20x4-11-07T08:19:27Z",
    ]
  ) {
    assert.ok(Number.isNaN(parseIsoTimestamp(s)), s);
  }
});
