import assert from "node:assert/strict";
import { CdpKeyError, importCdpKey } from "./cdp_key.ts";
import { JWT_LIFETIME_SEC, mintJwt } from "./jwt.ts";
import { generateTestKey } from "./_test_keys.ts";

const decoder = new TextDecoder();

function parts(jwt: string) {
  const [h, p, s] = jwt.split(".");
  const json = (b: string | undefined) =>
    JSON.parse(decoder.decode(Uint8Array.fromBase64(b!, {
      alphabet: "base64url",
    })));
  return {
    header: json(h),
    payload: json(p),
    input: new TextEncoder().encode(`${h}.${p}`),
    signature: Uint8Array.fromBase64(s!, { alphabet: "base64url" }),
  };
}

Deno.test("an SEC1 PEM key signs an ES256 JWT that verifies with its public key", async () => {
  const test = await generateTestKey("organizations/o/apiKeys/k");
  const key = await importCdpKey(test.name, test.secretPem);
  assert.equal(key.alg, "ES256");
  const now = Date.UTC(2026, 10, 22, 12, 0, 0, 750);
  const jwt = await mintJwt(key, now);
  const { header, payload, input, signature } = parts(jwt);
  assert.equal(header.alg, "ES256");
  assert.equal(header.kid, test.name);
  assert.equal(header.typ, "JWT");
  assert.match(header.nonce, /^[0-9a-f]{32}$/);
  assert.deepEqual(payload, {
    iss: "cdp",
    nbf: Math.floor(now / 1000),
    exp: Math.floor(now / 1000) + JWT_LIFETIME_SEC,
    sub: test.name,
  });
  assert.equal(signature.length, 64);
  assert.ok(
    await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      test.publicKey,
      signature,
      input,
    ),
  );
  const again = parts(await mintJwt(key, now));
  assert.notEqual(again.header.nonce, header.nonce, "a fresh nonce each time");
});

Deno.test("a PEM pasted with escaped newlines, and a PKCS #8 PEM, import too", async () => {
  const test = await generateTestKey();
  const escaped = test.secretPem.replaceAll("\n", "\\n");
  assert.equal((await importCdpKey(test.name, escaped)).alg, "ES256");
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign"],
  ) as CryptoKeyPair;
  const der = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", pair.privateKey),
  );
  const pem =
    `-----BEGIN PRIVATE KEY-----\n${der.toBase64()}\n-----END PRIVATE KEY-----\n`;
  assert.equal((await importCdpKey("k", pem)).alg, "ES256");
});

Deno.test("a base64 Ed25519 CDP key signs an EdDSA JWT", async () => {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const seed = Uint8Array.fromBase64(jwk.d!, { alphabet: "base64url" });
  const pub = Uint8Array.fromBase64(jwk.x!, { alphabet: "base64url" });
  const secret = new Uint8Array([...seed, ...pub]).toBase64();
  const key = await importCdpKey("k", secret);
  assert.equal(key.alg, "EdDSA");
  const { header, input, signature } = parts(await mintJwt(key, Date.now()));
  assert.equal(header.alg, "EdDSA");
  assert.ok(
    await crypto.subtle.verify(
      { name: "Ed25519" },
      pair.publicKey,
      signature,
      input,
    ),
  );
});

Deno.test("unusable secrets are CdpKeyErrors that quote no key material", async () => {
  const test = await generateTestKey();
  const body = test.secretPem.split("\n")[1]!;
  const broken = test.secretPem.replace(body, body.slice(0, 20) + "!!");
  const cases = [
    broken,
    // A Coinbase Exchange API secret: 64 random bytes, base64.
    crypto.getRandomValues(new Uint8Array(64)).toBase64(),
    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
    "not a key at all",
    Uint8Array.of(1, 2, 3).toBase64(),
  ];
  for (const secret of cases) {
    await assert.rejects(importCdpKey("k", secret), (e: unknown) => {
      assert.ok(e instanceof CdpKeyError, String(e));
      assert.ok(!e.message.includes(body.slice(0, 20)), e.message);
      return true;
    });
  }
  await assert.rejects(importCdpKey(" ", test.secretPem), CdpKeyError);
});
