import assert from "node:assert/strict";
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import { stopIdleCheckLoop } from "./kafkajs_idle_loop.ts";

/** kafkajs's own RequestQueue, as a broker connection makes it. */
function queue() {
  const quiet = () => {};
  const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "127.0.0.1:9092",
    logger,
  });
}

Deno.test("kafkajs RequestQueue: an empty, unthrottled queue schedules no check; a waiting request or a throttle still does", () => {
  stopIdleCheckLoop();
  stopIdleCheckLoop(); // installing twice changes nothing
  const q = queue();
  try {
    // What every answered request runs: with nothing waiting, no timer.
    q.checkPendingRequests();
    assert.equal(q.throttleCheckTimeoutId, null);
    // A request that has to wait gets its check.
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    assert.notEqual(q.throttleCheckTimeoutId, null);
    q.destroy();
    // A broker throttle also gets its check, even with nothing waiting.
    q.pending.length = 0;
    q.throttledUntil = Date.now() + 60_000;
    q.scheduleCheckPendingRequests();
    assert.notEqual(q.throttleCheckTimeoutId, null);
  } finally {
    q.destroy();
  }
});
