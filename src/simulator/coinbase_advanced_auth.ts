/**
 * JWT verification for the Coinbase Advanced Trade simulator: the CDP API
 * key JWTs a subscribe may carry in its `jwt` field (ES256 with a P-256 key,
 * or EdDSA with an Ed25519 key), checked against the simulator's known keys
 * and clock, with nonce replay detection.
 *
 * @module
 */

/** A CDP API key the simulator knows: its name and public key. */
export interface AdvancedApiKey {
  /** The key name (`organizations/{org}/apiKeys/{id}`), the JWT `kid` and `sub`. */
  name: string;
  /** ECDSA P-256 or Ed25519 public key that verifies the key's JWTs. */
  publicKey: CryptoKey;
}

/** The outcome of {@link AdvancedJwtVerifier.verify}. */
export type JwtVerdict =
  | { accepted: true; keyName: string }
  | { accepted: false; reason: string };

/** Longest lifetime (`exp - nbf`, seconds) a WebSocket JWT may have. */
export const MAX_JWT_LIFETIME_SEC = 120;

/** Decodes base64url without padding; null when it is not base64url. */
function decodeBase64Url(part: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.fromBase64(part, {
      alphabet: "base64url",
      lastChunkHandling: "loose",
    });
  } catch {
    return null;
  }
}

function decodeJsonObject(part: string): Record<string, unknown> | null {
  const bytes = decodeBase64Url(part);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

/**
 * Verifies subscribe JWTs. A verified token's nonce is remembered until the
 * token expires, so replaying it fails.
 *
 * @example Usage
 * ```ts ignore
 * const verifier = new AdvancedJwtVerifier([{ name, publicKey }], () => Date.now());
 * const verdict = await verifier.verify(token);
 * if (!verdict.accepted) console.log(verdict.reason);
 * ```
 */
export class AdvancedJwtVerifier {
  #keys: Map<string, CryptoKey>;
  #now: () => number;
  #seenNonces = new Map<string, number>(); // nonce -> exp (seconds)

  /**
   * @param keys the known keys
   * @param now epoch milliseconds (the simulator's clock)
   */
  constructor(keys: readonly AdvancedApiKey[], now: () => number) {
    this.#keys = new Map(keys.map((k) => [k.name, k.publicKey]));
    this.#now = now;
  }

  /** Whether any key is configured. */
  get hasKeys(): boolean {
    return this.#keys.size > 0;
  }

  /** Checks format, claims, lifetime, signature and nonce of `token`. */
  async verify(token: string): Promise<JwtVerdict> {
    const reject = (reason: string): JwtVerdict => ({
      accepted: false,
      reason,
    });
    const parts = token.split(".");
    if (parts.length !== 3) return reject("not three base64url parts");
    const [headerPart = "", payloadPart = "", signaturePart = ""] = parts;
    const header = decodeJsonObject(headerPart);
    const payload = decodeJsonObject(payloadPart);
    const signature = decodeBase64Url(signaturePart);
    if (!header || !payload || !signature) return reject("undecodable part");
    const { alg, kid, nonce } = header;
    const { sub, iss, nbf, exp } = payload;
    if (typeof kid !== "string" || kid !== sub) return reject("kid != sub");
    const key = this.#keys.get(kid);
    if (!key) return reject(`unknown key ${kid}`);
    if (iss !== "cdp") return reject("iss is not cdp");
    if (!Number.isInteger(nbf) || !Number.isInteger(exp)) {
      return reject("nbf and exp must be integers");
    }
    const [notBefore, expiry] = [nbf as number, exp as number];
    const nowSec = Math.floor(this.#now() / 1000);
    if (notBefore > nowSec + 1) return reject("not valid yet");
    if (nowSec >= expiry) return reject("expired");
    if (expiry - notBefore > MAX_JWT_LIFETIME_SEC) {
      return reject("lifetime over 120 s");
    }
    if (typeof nonce !== "string" || nonce === "") return reject("no nonce");
    const algorithm = this.#algorithm(alg, key);
    if (!algorithm) return reject(`alg ${String(alg)} does not fit the key`);
    const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
    let valid = false;
    try {
      valid = await crypto.subtle.verify(algorithm, key, signature, signed);
    } catch {
      valid = false;
    }
    if (!valid) return reject("bad signature");
    this.#forgetExpired(nowSec);
    if (this.#seenNonces.has(nonce)) return reject("replayed nonce");
    this.#seenNonces.set(nonce, expiry);
    return { accepted: true, keyName: kid };
  }

  #algorithm(
    alg: unknown,
    key: CryptoKey,
  ): AlgorithmIdentifier | EcdsaParams | null {
    const curve = (key.algorithm as Partial<EcKeyAlgorithm>).namedCurve;
    if (
      alg === "ES256" && key.algorithm.name === "ECDSA" && curve === "P-256"
    ) {
      return { name: "ECDSA", hash: "SHA-256" };
    }
    if (alg === "EdDSA" && key.algorithm.name === "Ed25519") {
      return { name: "Ed25519" };
    }
    return null;
  }

  #forgetExpired(nowSec: number): void {
    if (this.#seenNonces.size < 1024) return;
    for (const [nonce, exp] of this.#seenNonces) {
      if (exp <= nowSec) this.#seenNonces.delete(nonce);
    }
  }
}
