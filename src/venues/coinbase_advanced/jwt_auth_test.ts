import assert from "node:assert/strict";
import { importCdpKey } from "./cdp_key.ts";
import { JwtAuth } from "./jwt_auth.ts";
import { generateTestKey } from "./_test_keys.ts";

const FRAME =
  '{"type":"subscribe","channel":"level2","product_ids":["BTC-USD"]}';

async function setup() {
  const key = await generateTestKey();
  let now = Date.UTC(2026, 10, 22);
  const auth = new JwtAuth(
    importCdpKey(key.name, key.secretPem),
    () => now,
    300_000,
  );
  return { auth, move: (ms: number) => now += ms };
}

Deno.test("JwtAuth: signs until refused, then not for the cooldown; a retried key clears the warning when acknowledged", async () => {
  const { auth, move } = await setup();
  const signed = JSON.parse(await auth.sign(FRAME));
  assert.equal(typeof signed.jwt, "string");
  assert.equal(signed.channel, "level2");
  assert.equal(auth.warning, undefined);

  move(1_000);
  assert.deepEqual(auth.refused("authentication failure"), {
    fresh: true,
    replace: true,
  });
  // The other in-flight messages' refusals: not fresh, same connection fate.
  assert.deepEqual(auth.refused("authentication failure"), {
    fresh: false,
    replace: true,
  });
  assert.equal(await auth.sign(FRAME), FRAME, "unsigned during the cooldown");
  assert.match(
    auth.warning!,
    /refused \(authentication failure\); subscribing without authentication, the key is used again for subscriptions after 300 s$/,
  );
  auth.acknowledged(); // an ack of an unsigned message proves nothing
  assert.notEqual(auth.warning, undefined);
  move(60_000);
  assert.deepEqual(
    auth.refused("authentication failure"),
    { fresh: false, replace: false },
    "long after the last signed message: an unsigned one was refused",
  );

  move(300_000);
  assert.match(auth.warning!, /used again for the next subscription$/);
  assert.equal(typeof JSON.parse(await auth.sign(FRAME)).jwt, "string");
  auth.acknowledged();
  assert.equal(auth.warning, undefined);
});

Deno.test("JwtAuth: a retried key refused again starts a new cooldown", async () => {
  const { auth, move } = await setup();
  await auth.sign(FRAME);
  auth.refused("authentication failure");
  move(300_000);
  await auth.sign(FRAME);
  assert.deepEqual(auth.refused("authentication failure"), {
    fresh: true,
    replace: true,
  });
  auth.acknowledged();
  assert.notEqual(auth.warning, undefined);
  assert.equal(await auth.sign(FRAME), FRAME);
});
