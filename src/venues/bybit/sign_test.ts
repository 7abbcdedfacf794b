import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { authFrame, importCredentials, restHeaders } from "./sign.ts";

Deno.test("the auth frame signs GET/realtime + expires (ms) with hex HMAC-SHA256", async () => {
  const c = await importCredentials("key-1", "s3cret");
  const frame = JSON.parse(await authFrame(c, 1_700_000_000_000));
  assert.equal(frame.op, "auth");
  assert.equal(frame.args[0], "key-1");
  assert.equal(frame.args[1], 1_700_000_010_000);
  const expected = createHmac("sha256", "s3cret").update(
    "GET/realtime1700000010000",
  ).digest("hex");
  assert.equal(frame.args[2], expected);
  assert.equal(JSON.stringify(frame).includes("s3cret"), false);
});

Deno.test("REST headers sign timestamp + key + recv window + query", async () => {
  const c = await importCredentials("key-1", "s3cret");
  const h = await restHeaders(c, 1_700_000_000_000, "accountType=UNIFIED");
  const expected = createHmac("sha256", "s3cret").update(
    "1700000000000key-15000accountType=UNIFIED",
  ).digest("hex");
  assert.deepEqual(h, {
    "X-BAPI-API-KEY": "key-1",
    "X-BAPI-TIMESTAMP": "1700000000000",
    "X-BAPI-RECV-WINDOW": "5000",
    "X-BAPI-SIGN": expected,
  });
});
