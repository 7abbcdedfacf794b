/**
 * JWT tests of the Coinbase Advanced Trade simulator: accepted and refused
 * subscribe tokens over real sockets, and every claim the verifier checks.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { generateTestKey } from "../venues/coinbase_advanced/_test_keys.ts";
import { importCdpKey } from "../venues/coinbase_advanced/cdp_key.ts";
import { mintJwt } from "../venues/coinbase_advanced/jwt.ts";
import { AdvancedJwtVerifier } from "./coinbase_advanced_auth.ts";
import { simTest, START_MS, subscribe } from "./coinbase_advanced_test_util.ts";

const KEY = await generateTestKey("organizations/sim/apiKeys/known");
const CDP_KEY = await importCdpKey(KEY.name, KEY.secretPem);
const encoder = new TextEncoder();
const FAILURE = { type: "error", message: "authentication failure" };

function base64Url(value: unknown): string {
  return encoder.encode(JSON.stringify(value))
    .toBase64({ alphabet: "base64url", omitPadding: true });
}

/** A token with `payload` changed after signing (the signature no longer fits). */
function tamper(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(
    new TextDecoder().decode(
      Uint8Array.fromBase64(String(payload), { alphabet: "base64url" }),
    ),
  );
  return [header, base64Url({ ...claims, ...change }), signature].join(".");
}

/** Signs arbitrary header and claims with an ES256 or Ed25519 private key. */
async function sign(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  privateKey: CryptoKey,
): Promise<string> {
  const input = `${base64Url(header)}.${base64Url(claims)}`;
  const algorithm = privateKey.algorithm.name === "ECDSA"
    ? { name: "ECDSA", hash: "SHA-256" }
    : { name: "Ed25519" };
  const signature = new Uint8Array(
    await crypto.subtle.sign(algorithm, privateKey, encoder.encode(input)),
  );
  return `${input}.${
    signature.toBase64({ alphabet: "base64url", omitPadding: true })
  }`;
}

simTest(
  "a valid JWT is accepted; bad ones fail and subscribe nothing",
  { apiKeys: [{ name: KEY.name, publicKey: KEY.publicKey }] },
  async ({ sim, clock, connect, advance, settle }) => {
    const c = await connect();
    const stranger = await generateTestKey(KEY.name);
    const unknown = await generateTestKey("organizations/sim/apiKeys/other");
    const valid = await mintJwt(CDP_KEY, clock.now());
    const bad: [string, string][] = [
      ["expired", await mintJwt(CDP_KEY, clock.now() - 200_000)],
      [
        "another key",
        await mintJwt(
          await importCdpKey(KEY.name, stranger.secretPem),
          clock.now(),
        ),
      ],
      [
        "unknown kid",
        await mintJwt(
          await importCdpKey(unknown.name, unknown.secretPem),
          clock.now(),
        ),
      ],
      [
        "tampered payload",
        tamper(valid, { exp: Math.floor(clock.now() / 1000) + 100 }),
      ],
      ["not a JWT", "abc.def"],
    ];
    for (const [what, jwt] of bad) {
      assert.deepEqual(
        await c.request(subscribe("level2", ["BTC-USD"], jwt)),
        FAILURE,
        what,
      );
    }
    assert.deepEqual(sim.clients()[0]?.subscriptions, {});
    assert.equal(sim.clients()[0]?.authenticated, false);

    const ack = await c.request(subscribe("level2", ["BTC-USD"], valid));
    assert.equal(ack.channel, "subscriptions");
    assert.equal(sim.clients()[0]?.authenticated, true);
    assert.equal(c.events("l2_data")[0]?.type, "snapshot");
    assert.deepEqual(
      await c.request(subscribe("ticker", ["BTC-USD"], valid)),
      FAILURE,
      "replayed nonce",
    );
    assert.deepEqual(sim.clients()[0]?.subscriptions, { level2: ["BTC-USD"] });
    await c.request(subscribe("heartbeats"));
    await advance(2000, 250);
    await settle(c);
    assert.ok(c.events("l2_data").length > 2, "data flows");
    assert.equal(sim.clients()[0]?.authenticated, true);
  },
);

simTest(
  "requireAuth refuses a subscribe without a jwt",
  {
    apiKeys: [{ name: KEY.name, publicKey: KEY.publicKey }],
    requireAuth: true,
  },
  async ({ sim, clock, connect }) => {
    const c = await connect();
    assert.deepEqual(await c.request(subscribe("heartbeats")), FAILURE);
    const ack = await c.request(
      subscribe("heartbeats", [], await mintJwt(CDP_KEY, clock.now())),
    );
    assert.equal(ack.channel, "subscriptions");
    assert.deepEqual(sim.clients()[0]?.subscriptions, { heartbeats: [] });
  },
);

simTest(
  "a jwt without configured keys fails; without requireAuth none is needed",
  {},
  async ({ connect, clock }) => {
    const c = await connect();
    const jwt = await mintJwt(CDP_KEY, clock.now());
    assert.deepEqual(
      await c.request(subscribe("ticker", ["BTC-USD"], jwt)),
      FAILURE,
    );
    const ack = await c.request(subscribe("ticker", ["BTC-USD"]));
    assert.equal(ack.channel, "subscriptions");
  },
);

Deno.test("the verifier checks every claim and accepts EdDSA", async () => {
  const clock = new ManualClock(START_MS);
  const ec = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign", "verify"],
  );
  const ed = await crypto.subtle.generateKey({ name: "Ed25519" }, false, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const verifier = new AdvancedJwtVerifier([
    { name: "ec", publicKey: ec.publicKey },
    { name: "ed", publicKey: ed.publicKey },
  ], () => clock.now());
  const now = Math.floor(START_MS / 1000);
  let nonce = 0;
  const token = (
    header: Record<string, unknown>,
    claims: Record<string, unknown>,
    key = ec.privateKey,
  ) =>
    sign(
      {
        alg: "ES256",
        kid: "ec",
        nonce: String(++nonce),
        typ: "JWT",
        ...header,
      },
      { iss: "cdp", sub: "ec", nbf: now, exp: now + 120, ...claims },
      key,
    );
  const verdict = async (
    jwt: Promise<string>,
  ) => (await verifier.verify(await jwt));
  assert.deepEqual(await verdict(token({}, {})), {
    accepted: true,
    keyName: "ec",
  });
  assert.deepEqual(
    await verdict(
      token({ alg: "EdDSA", kid: "ed" }, { sub: "ed" }, ed.privateKey),
    ),
    { accepted: true, keyName: "ed" },
  );
  const rejected: [string, Promise<string>][] = [
    [
      "alg EdDSA does not fit the key",
      token({ alg: "EdDSA" }, {}, ed.privateKey),
    ],
    ["alg none does not fit the key", token({ alg: "none" }, {})],
    ["kid != sub", token({}, { sub: "ed" })],
    ["iss is not cdp", token({}, { iss: "coinbase-cloud" })],
    ["not valid yet", token({}, { nbf: now + 2, exp: now + 100 })],
    ["lifetime over 120 s", token({}, { exp: now + 121 })],
    ["expired", token({}, { nbf: now - 120, exp: now })],
    ["no nonce", token({ nonce: undefined }, {})],
    ["nbf and exp must be integers", token({}, { exp: String(now + 60) })],
    ["unknown key nobody", token({ kid: "nobody" }, { sub: "nobody" })],
    [
      "bad signature",
      token({ alg: "EdDSA", kid: "ed" }, { sub: "ed" }, ec.privateKey),
    ],
  ];
  for (const [reason, jwt] of rejected) {
    assert.deepEqual(await verdict(jwt), { accepted: false, reason });
  }
  assert.equal(
    (await verdict(token({}, { nbf: now + 1 }))).accepted,
    true,
    "1 s skew",
  );
  const once = await token({ nonce: "fixed" }, {});
  assert.equal((await verifier.verify(once)).accepted, true);
  assert.deepEqual(await verifier.verify(once), {
    accepted: false,
    reason: "replayed nonce",
  });
});
