import assert from "node:assert/strict";
import { assessQueue, depthLevel, levelChange } from "./rabbitmq_levels.ts";

Deno.test("depthLevel() warns at 80 % and is critical at 95 % of max_length", () => {
  assert.deepEqual(depthLevel(79, 100), { level: "ok", reason: "" });
  assert.deepEqual(depthLevel(80, 100), {
    level: "warning",
    reason:
      "80% of max_length 100 (warning at 80%); the oldest messages are dropped when full",
  });
  assert.equal(depthLevel(94, 100).level, "warning");
  assert.deepEqual(depthLevel(95, 100), {
    level: "critical",
    reason:
      "95% of max_length 100 (critical at 95%); the oldest messages are dropped when full",
  });
  assert.equal(depthLevel(100, 100).level, "critical");
});

Deno.test("depthLevel() warns at a backlog of 1000 and is critical at 10000", () => {
  assert.deepEqual(depthLevel(999, 100_000), { level: "ok", reason: "" });
  assert.deepEqual(depthLevel(1000, 100_000), {
    level: "warning",
    reason: "backlog of 1000 messages (warning at 1000)",
  });
  assert.deepEqual(depthLevel(10_000, 100_000), {
    level: "critical",
    reason: "backlog of 10000 messages (critical at 10000)",
  });
  // Both apply: the worse one is reported, fill first on a tie.
  assert.equal(depthLevel(85_000, 100_000).reason.startsWith("backlog"), true);
  assert.equal(depthLevel(96_000, 100_000).reason.startsWith("96%"), true);
  assert.equal(depthLevel(1900, 2000).level, "critical");
  assert.match(depthLevel(1900, 2000).reason, /^95% of max_length 2000/);
});

Deno.test("assessQueue() reports zero rates on the first sample", () => {
  assert.deepEqual(
    assessQueue(undefined, { depth: 5, consumers: 2, routed: 50, at: 0 }, 100),
    {
      depth: 5,
      consumers: 2,
      publishRate: 0,
      consumeRate: 0,
      level: "ok",
      reason: "",
    },
  );
});

Deno.test("assessQueue() derives publish and consume rates from routed and depth deltas", () => {
  const prev = { depth: 100, consumers: 1, routed: 1000, at: 10_000 };
  // 100 routed in 10 s, depth grew by 50: 50 left the queue.
  assert.deepEqual(
    assessQueue(
      prev,
      { depth: 150, consumers: 1, routed: 1100, at: 20_000 },
      100_000,
    ),
    {
      depth: 150,
      consumers: 1,
      publishRate: 10,
      consumeRate: 5,
      level: "ok",
      reason: "",
    },
  );
  // Consumers drained more than was routed.
  const drained = assessQueue(
    prev,
    { depth: 0, consumers: 3, routed: 1030, at: 13_000 },
    100_000,
  );
  assert.equal(drained.publishRate, 10);
  assert.equal(drained.consumeRate, 43.33);
  // Depth grew more than this driver routed (another publisher): never < 0.
  const other = assessQueue(
    prev,
    { depth: 1500, consumers: 0, routed: 1010, at: 20_000 },
    100_000,
  );
  assert.equal(other.publishRate, 1);
  assert.equal(other.consumeRate, 0);
  assert.equal(other.level, "warning");
  // No time elapsed: rates stay 0 rather than infinite.
  const same = assessQueue(prev, { ...prev, routed: 1100 }, 100_000);
  assert.equal(same.publishRate, 0);
  assert.equal(same.consumeRate, 0);
});

Deno.test("levelChange() logs rises once and the return to ok", () => {
  assert.equal(levelChange("ok", "ok"), undefined);
  assert.equal(levelChange("ok", "warning"), "warning");
  assert.equal(levelChange("warning", "warning"), undefined);
  assert.equal(levelChange("warning", "critical"), "error");
  assert.equal(levelChange("ok", "critical"), "error");
  assert.equal(levelChange("critical", "critical"), undefined);
  assert.equal(levelChange("critical", "warning"), undefined);
  assert.equal(levelChange("critical", "ok"), "info");
  assert.equal(levelChange("warning", "ok"), "info");
});
