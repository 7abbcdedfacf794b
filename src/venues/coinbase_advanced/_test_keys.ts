/**
 * Test keys shaped like the CDP keys users paste into the configuration:
 * a fresh EC P-256 pair whose private half is SEC1 PEM
 * (`-----BEGIN EC PRIVATE KEY-----`), as Coinbase hands it out.
 *
 * @module
 */

import { readDer } from "./cdp_key.ts";

/** A generated CDP-style key. */
export interface TestKey {
  /** The key name (JWT `kid` and `sub`). */
  name: string;
  /** The private key as SEC1 PEM. */
  secretPem: string;
  /** For the simulator's verification. */
  publicKey: CryptoKey;
}

/** The SEC1 `ECPrivateKey` inside a PKCS #8 `PrivateKeyInfo`. */
function pkcs8ToSec1(pkcs8: Uint8Array): Uint8Array {
  const outer = readDer(pkcs8, 0).value;
  const version = readDer(outer, 0);
  const algorithm = readDer(outer, version.next);
  return readDer(outer, algorithm.next).value;
}

/**
 * Generates a fresh EC P-256 key.
 *
 * @example Usage
 * ```ts ignore
 * const { name, secretPem, publicKey } = await generateTestKey();
 * ```
 */
export async function generateTestKey(
  name = "organizations/test-org/apiKeys/test-key",
): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  );
  const pkcs8 = new Uint8Array(
    await crypto.subtle.exportKey("pkcs8", pair.privateKey),
  );
  const b64 = pkcs8ToSec1(pkcs8).toBase64();
  const lines = b64.match(/.{1,64}/g) ?? [];
  const secretPem = [
    "-----BEGIN EC PRIVATE KEY-----",
    ...lines,
    "-----END EC PRIVATE KEY-----",
    "",
  ].join("\n");
  return { name, secretPem, publicKey: pair.publicKey };
}
