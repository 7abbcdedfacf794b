/**
 * CDP API keys as Coinbase issues them, turned into WebCrypto signing keys:
 * an EC P-256 private key in PEM (`-----BEGIN EC PRIVATE KEY-----`, SEC1,
 * or `-----BEGIN PRIVATE KEY-----`, PKCS #8) for ES256, or an Ed25519 key as
 * base64 of its 32-byte seed followed by its 32-byte public key (the newer
 * CDP default) for EdDSA. Escaped newlines (`\n` typed into an environment
 * variable) are accepted. Errors never include key material.
 *
 * @module
 */

/** A signing key ready for {@link mintJwt} in `jwt.ts`. */
export interface CdpKey {
  /** The key name, e.g. `organizations/{org}/apiKeys/{id}`: the JWT `kid` and `sub`. */
  readonly name: string;
  readonly alg: "ES256" | "EdDSA";
  /** Non-extractable. */
  readonly key: CryptoKey;
}

/** A CDP key that cannot be used; the message names no key material. */
export class CdpKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CdpKeyError";
  }
}

/** `id-ecPublicKey` with the `prime256v1` curve, as a DER AlgorithmIdentifier. */
const EC_P256_ALGORITHM = Uint8Array.of(
  0x30,
  0x13,
  0x06,
  0x07,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x02,
  0x01,
  0x06,
  0x08,
  0x2a,
  0x86,
  0x48,
  0xce,
  0x3d,
  0x03,
  0x01,
  0x07,
);

/** PKCS #8 of an Ed25519 key, up to the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);

/** A DER length field for `n`. */
function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** A DER element of `tag` around `body`. */
function derElement(
  tag: number,
  body: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const head = [tag, ...derLength(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/**
 * The value of the DER element at `offset`, and where the next one starts
 * (also used by the test keys to unwrap PKCS #8).
 */
export function readDer(
  der: Uint8Array,
  offset: number,
): { tag: number; value: Uint8Array; next: number } {
  const tag = der[offset];
  let len = der[offset + 1];
  if (tag === undefined || len === undefined) {
    throw new CdpKeyError("truncated DER");
  }
  let at = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + (der[at++] ?? NaN);
  }
  if (!(at + len <= der.length)) throw new CdpKeyError("truncated DER");
  return { tag, value: der.subarray(at, at + len), next: at + len };
}

/** SEC1 `ECPrivateKey` DER wrapped as PKCS #8 (what WebCrypto imports). */
function sec1ToPkcs8(sec1: Uint8Array): Uint8Array<ArrayBuffer> {
  const body = [
    Uint8Array.of(0x02, 0x01, 0x00),
    EC_P256_ALGORITHM,
    derElement(0x04, sec1),
  ];
  const joined = new Uint8Array(body.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of body) {
    joined.set(b, at);
    at += b.length;
  }
  return derElement(0x30, joined);
}

/** The base64 body of a PEM block labelled `label`, if `text` is one. */
function pemBody(
  text: string,
  label: string,
): Uint8Array<ArrayBuffer> | undefined {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return undefined;
  const b64 = text.slice(from + begin.length, to).replace(/\s+/g, "");
  try {
    return Uint8Array.fromBase64(b64);
  } catch {
    throw new CdpKeyError(`the ${label} PEM block is not valid base64`);
  }
}

/**
 * Imports a CDP API key secret for signing.
 *
 * @example Usage
 * ```ts ignore
 * const key = await importCdpKey("organizations/o/apiKeys/k", pem);
 * ```
 */
export async function importCdpKey(
  name: string,
  secret: string,
): Promise<CdpKey> {
  if (name.trim() === "") throw new CdpKeyError("the key name is empty");
  const text = secret.replaceAll("\\n", "\n").trim();
  const sec1 = pemBody(text, "EC PRIVATE KEY");
  const pkcs8 = sec1 ? sec1ToPkcs8(sec1) : pemBody(text, "PRIVATE KEY");
  if (pkcs8 !== undefined) {
    try {
      const key = await crypto.subtle.importKey(
        "pkcs8",
        pkcs8,
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["sign"],
      );
      return { name, alg: "ES256", key };
    } catch { /* maybe an Ed25519 PKCS #8 key */ }
    try {
      const key = await crypto.subtle.importKey(
        "pkcs8",
        pkcs8,
        { name: "Ed25519" },
        false,
        ["sign"],
      );
      return { name, alg: "EdDSA", key };
    } catch {
      throw new CdpKeyError(
        "the PEM key is neither an EC P-256 nor an Ed25519 private key",
      );
    }
  }
  if (text.includes("-----BEGIN")) {
    throw new CdpKeyError(
      "expected an EC PRIVATE KEY or PRIVATE KEY PEM block",
    );
  }
  let raw: Uint8Array;
  try {
    raw = Uint8Array.fromBase64(text.replace(/\s+/g, ""));
  } catch {
    throw new CdpKeyError(
      "expected a PEM private key or a base64 Ed25519 key",
    );
  }
  if (raw.length !== 64 && raw.length !== 32) {
    throw new CdpKeyError(
      `a base64 Ed25519 key has 64 (or 32) bytes, got ${raw.length}`,
    );
  }
  const der = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32);
  der.set(ED25519_PKCS8_PREFIX);
  der.set(raw.subarray(0, 32), ED25519_PKCS8_PREFIX.length);
  const ed25519 = (extractable: boolean) =>
    crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, extractable, [
      "sign",
    ]);
  try {
    if (raw.length === 64) {
      // A CDP key is the seed and its public key: 64 random bytes (e.g. a
      // Coinbase Exchange API secret) are not.
      const jwk = await crypto.subtle.exportKey("jwk", await ed25519(true));
      const x = Uint8Array.fromBase64(jwk.x ?? "", { alphabet: "base64url" });
      if (x.toHex() !== raw.subarray(32).toHex()) {
        throw new CdpKeyError(
          "the base64 key is not a CDP Ed25519 key (its second half is not the public key of its first; an Exchange API secret does not work here)",
        );
      }
    }
    return { name, alg: "EdDSA", key: await ed25519(false) };
  } catch (e) {
    if (e instanceof CdpKeyError) throw e;
    throw new CdpKeyError("the base64 key is not a valid Ed25519 key");
  }
}
