import assert from "node:assert/strict";
import { SendPacer } from "./send_pacer.ts";

Deno.test("SendPacer allows `messages` sends per sliding window", () => {
  const p = new SendPacer({ messages: 3, windowMs: 1000 });
  assert.equal(p.waitMs(0), 0);
  p.record(0);
  p.record(100);
  assert.equal(p.waitMs(200), 0);
  p.record(200);
  assert.equal(p.waitMs(300), 700, "the send at 0 leaves the window at 1000");
  assert.equal(p.waitMs(1000), 0);
  p.record(1000);
  assert.equal(p.waitMs(1000), 100, "now the send at 100 is the oldest");
  p.reset();
  assert.equal(p.waitMs(1000), 0);
});

Deno.test("SendPacer clamps nonsense limits to one message per window", () => {
  const p = new SendPacer({ messages: 0, windowMs: 0 });
  p.record(5);
  assert.equal(p.waitMs(5), 1);
  assert.equal(p.waitMs(6), 0);
});
