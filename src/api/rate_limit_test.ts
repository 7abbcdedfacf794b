import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { fakeView } from "./_fake_registry.ts";
import { createApi } from "./app.ts";
import { keyId, refill, TokenBuckets } from "./rate_limit.ts";

Deno.test("refill adds capacity tokens per minute, never above capacity, nothing when time goes back", () => {
  assert.deepEqual(refill({ tokens: 0, at: 0 }, 30_000, 10), {
    tokens: 5,
    at: 30_000,
  });
  assert.deepEqual(refill({ tokens: 9, at: 0 }, 600_000, 10), {
    tokens: 10,
    at: 600_000,
  });
  assert.deepEqual(refill({ tokens: 2, at: 5_000 }, 1_000, 10), {
    tokens: 2,
    at: 5_000,
  });
});

Deno.test("a bucket allows a minute's worth, then says when the next token comes", () => {
  const clock = new ManualClock(1_000);
  const buckets = new TokenBuckets({ perMinute: 3, clock });
  assert.deepEqual(buckets.take("a"), { allowed: true, remaining: 2 });
  assert.deepEqual(buckets.take("a"), { allowed: true, remaining: 1 });
  assert.deepEqual(buckets.take("a"), { allowed: true, remaining: 0 });
  assert.deepEqual(buckets.take("a"), { allowed: false, retryAfterSec: 20 });
  assert.deepEqual(buckets.take("b"), { allowed: true, remaining: 2 });
  clock.advance(15_000);
  assert.deepEqual(buckets.take("a"), { allowed: false, retryAfterSec: 5 });
  clock.advance(5_000);
  assert.deepEqual(buckets.take("a"), { allowed: true, remaining: 0 });
  clock.advance(19_999);
  assert.equal(buckets.take("a").allowed, false);
});

Deno.test("memory stays bounded: refilled buckets are swept, and the least recently used go past maxBuckets", () => {
  const clock = new ManualClock(0);
  const buckets = new TokenBuckets({ perMinute: 60, clock, maxBuckets: 3 });
  for (const key of ["a", "b", "c"]) buckets.take(key);
  buckets.take("a");
  buckets.take("d");
  assert.equal(buckets.size, 3);
  // "b" was least recently used and dropped: it starts again full.
  assert.deepEqual(buckets.take("b"), { allowed: true, remaining: 59 });
  assert.deepEqual(buckets.take("a"), { allowed: true, remaining: 57 });
  assert.equal(buckets.size, 3);
  clock.advance(60_000);
  buckets.take("e");
  assert.equal(buckets.size, 1);
});

Deno.test("0 requests per minute disables the limit; bucket keys are hashes, not the key", () => {
  const buckets = new TokenBuckets({ perMinute: 0 });
  assert.equal(buckets.enabled, false);
  for (let i = 0; i < 1000; i++) assert.equal(buckets.take("k").allowed, true);
  assert.equal(buckets.size, 0);
  assert.match(keyId("s3cret"), /^[0-9a-f]{64}$/);
  assert.equal(keyId("s3cret").includes("s3cret"), false);
  assert.equal(keyId("s3cret"), keyId("s3cret"));
  assert.notEqual(keyId("s3cret"), keyId("s3creT"));
});

Deno.test("guarded routes answer 429 with Retry-After past the limit and recover as the clock moves; unauthenticated requests are 401, not counted", async () => {
  const clock = new ManualClock(0);
  const api = createApi(fakeView({ apiKey: "k", apiRateLimit: 2 }), { clock });
  const auth = { headers: { "x-api-key": "k" } };
  assert.equal((await api.request("/api/v1/subscriptions", auth)).status, 200);
  assert.equal((await api.request("/api/v1/balances", auth)).status, 200);
  for (let i = 0; i < 5; i++) {
    assert.equal((await api.request("/api/v1/subscriptions")).status, 401);
  }
  const limited = await api.request("/api/v1/subscriptions", auth);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "30");
  const body = await limited.json();
  assert.equal(body.error, "too_many_requests");
  assert.equal(body.retryAfterSec, 30);
  assert.equal(JSON.stringify(body).includes('"k"'), false);
  assert.equal((await api.request("/api/v1/latest")).status, 200);
  assert.equal((await api.request("/health")).status, 200);
  clock.advance(29_000);
  const still = await api.request("/api/v1/balances", auth);
  assert.equal(still.status, 429);
  assert.equal(still.headers.get("retry-after"), "1");
  clock.advance(1_000);
  assert.equal((await api.request("/api/v1/subscriptions", auth)).status, 200);
  assert.equal((await api.request("/api/v1/subscriptions", auth)).status, 429);
});
