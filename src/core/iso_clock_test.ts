import assert from "node:assert/strict";
import { IsoClock } from "./iso_clock.ts";
import { parseIsoTimestamp } from "./time.ts";

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

Deno.test("IsoClock gives exactly parseIsoTimestamp's result, cached second or not", () => {
  const clock = new IsoClock();
  const cases = [
    "2014-11-07T08:19:27.028459Z",
    "2014-11-07T08:19:27.000000Z",
    "2014-11-07T08:19:27.999999Z",
    "2014-11-07T08:19:28.000001Z",
    "2014-11-07T08:19:27.028459Z", // back to an earlier second
    "2014-11-07T08:19:27.02845xZ",
    "2014-11-07T08:19:27.028459z",
    "2014-11-07t08:19:27.028459Z",
    "2014-11-07 08:19:27.028459Z",
    "2014-11-07T08:19:27.028Z",
    "2014-11-07T08:19:27.028459+01:00",
    "2014-11-07T08:19:60.500000Z",
    "2014-11-07T08:19:61.500000Z",
    "2014-11-07T24:19:27.028459Z",
    "2014-13-07T08:19:27.028459Z",
    "2014-02-31T08:19:27.028459Z",
    "2014-11-07X08:19:27.028459Z",
    "2014-11-07T08:19:27Z",
    "",
    "x".repeat(27),
  ];
  for (let round = 0; round < 2; round++) {
    for (const s of cases) {
      assert.ok(same(clock.parse(s), parseIsoTimestamp(s)), s);
    }
  }
  let ms = Date.UTC(2024, 1, 28, 23, 59, 58);
  for (let i = 0; i < 5000; i++) {
    ms += (i * 7919) % 997;
    const us = String((i * 104729) % 1_000_000).padStart(6, "0");
    const s = `${new Date(ms).toISOString().slice(0, 19)}.${us}Z`;
    assert.equal(clock.parse(s), parseIsoTimestamp(s), s);
  }
});

Deno.test("IsoClock.parseParts gives parse's result for the joined timestamp, cached second or not", () => {
  const clock = new IsoClock();
  const parts: [string, string, string][] = [
    ["2014-11-07", "08:19:27", "028459"],
    ["2014-11-07", "08:19:27", "000000"],
    ["2014-11-07", "08:19:28", "999999"],
    ["2014-11-07", "08:19:27", "028459"], // back to an earlier second
    ["2014-11-08", "08:19:27", "028459"], // another day, the same time
    ["2014-11-07", "08:19:27", "02845x"],
    ["2014-11-07", "08:19:27", "02845"],
    ["2014-11-07", "08:19:27", "0284590"],
    ["2014-13-07", "08:19:27", "028459"],
    ["2014-11-07", "24:19:27", "028459"],
    ["2014-11-7", "08:19:27", "028459"],
    ["2014-11-07", "8:19:27", "028459"],
    ["", "", ""],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [date, time, micros] of parts) {
      const joined = `${date}T${time}.${micros}Z`;
      const want = joined.length === 27 ? clock.parse(joined) : NaN;
      assert.ok(same(clock.parseParts(date, time, micros), want), joined);
    }
  }
});
