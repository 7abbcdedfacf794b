import assert from "node:assert/strict";
import { ManualClock } from "./clock.ts";
import { CircuitBreaker, DEFAULT_BREAKER } from "./breaker.ts";

Deno.test("breaker defaults: 10 failures, 60 s cooldown", () => {
  assert.deepEqual(DEFAULT_BREAKER, { threshold: 10, cooldownMs: 60_000 });
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({}, clock);
  for (let i = 0; i < 9; i++) breaker.recordFailure();
  assert.equal(breaker.state, "closed");
  assert.ok(breaker.canAttempt());
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.msUntilProbe(), 60_000);
});

Deno.test("breaker opens after threshold consecutive failures", () => {
  const clock = new ManualClock(1_000);
  const breaker = new CircuitBreaker(
    { threshold: 3, cooldownMs: 5_000 },
    clock,
  );
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.msUntilProbe(), 0);
  breaker.recordFailure();
  breaker.recordFailure();
  assert.equal(breaker.failures, 2);
  assert.ok(breaker.canAttempt());
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.reason, "3 consecutive failures");
  assert.equal(breaker.canAttempt(), false);
  assert.equal(breaker.msUntilProbe(), 5_000);
  clock.advance(2_000);
  assert.equal(breaker.msUntilProbe(), 3_000);
  assert.equal(breaker.canAttempt(), false);
});

Deno.test("a success resets the consecutive count", () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ threshold: 3 }, clock);
  breaker.recordFailure();
  breaker.recordFailure();
  breaker.recordSuccess();
  assert.equal(breaker.failures, 0);
  breaker.recordFailure();
  breaker.recordFailure();
  assert.equal(breaker.state, "closed");
});

Deno.test("half-open allows exactly one probe; success closes", () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker(
    { threshold: 1, cooldownMs: 1_000 },
    clock,
  );
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
  clock.advance(999);
  assert.equal(breaker.canAttempt(), false);
  clock.advance(1);
  assert.equal(breaker.state, "half-open");
  assert.equal(breaker.msUntilProbe(), 0);
  assert.equal(breaker.canAttempt(), true, "the probe");
  assert.equal(breaker.canAttempt(), false, "only one probe");
  breaker.recordSuccess();
  assert.equal(breaker.state, "closed");
  assert.equal(breaker.reason, undefined);
  assert.ok(breaker.canAttempt());
  assert.ok(breaker.canAttempt());
});

Deno.test("a failed probe opens the breaker for another cooldown", () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker(
    { threshold: 2, cooldownMs: 1_000 },
    clock,
  );
  breaker.recordFailure();
  breaker.recordFailure();
  clock.advance(1_500);
  assert.ok(breaker.canAttempt());
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
  assert.equal(breaker.reason, "probe failed");
  assert.equal(breaker.msUntilProbe(), 1_000);
  assert.equal(breaker.canAttempt(), false);
  clock.advance(1_000);
  assert.ok(breaker.canAttempt());
});

Deno.test("trip forces the breaker open, even from closed", () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ cooldownMs: 60_000 }, clock);
  breaker.trip("authentication failed");
  assert.equal(breaker.state, "open");
  assert.equal(breaker.reason, "authentication failed");
  assert.equal(breaker.failures, 0);
  assert.equal(breaker.canAttempt(), false);
  clock.advance(30_000);
  // Tripping again restarts the cooldown.
  breaker.trip("authentication failed again");
  assert.equal(breaker.msUntilProbe(), 60_000);
  clock.advance(60_000);
  assert.ok(breaker.canAttempt());
  breaker.recordFailure();
  assert.equal(breaker.state, "open");
});

Deno.test("trip during a half-open probe cancels the probe", () => {
  const clock = new ManualClock();
  const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 100 }, clock);
  breaker.recordFailure();
  clock.advance(100);
  assert.ok(breaker.canAttempt());
  breaker.trip("bad key");
  assert.equal(breaker.state, "open");
  assert.equal(breaker.canAttempt(), false);
  clock.advance(100);
  assert.ok(breaker.canAttempt());
});
