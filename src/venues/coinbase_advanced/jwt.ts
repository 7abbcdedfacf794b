/**
 * The JWT a Coinbase Advanced Trade subscribe message carries: signed with
 * the CDP key (ES256 or EdDSA) through WebCrypto, valid for 120 seconds,
 * with a fresh random `nonce` in its header. WebSocket JWTs name no request
 * method or path.
 *
 * @module
 */

import type { CdpKey } from "./cdp_key.ts";

/** How long a JWT is valid: Coinbase's limit. */
export const JWT_LIFETIME_SEC = 120;

const encoder = new TextEncoder();

/** base64url of `bytes`, without padding. */
function base64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * Signs a fresh JWT for `key`, not valid before `nowMs` (epoch ms, floored
 * to seconds) and expiring {@link JWT_LIFETIME_SEC} later.
 *
 * @example Usage
 * ```ts ignore
 * const jwt = await mintJwt(key, Date.now());
 * ws.send(JSON.stringify({ type: "subscribe", channel: "level2", product_ids: ["BTC-USD"], jwt }));
 * ```
 */
export async function mintJwt(key: CdpKey, nowMs: number): Promise<string> {
  const nbf = Math.floor(nowMs / 1000);
  const nonce = crypto.getRandomValues(new Uint8Array(16)).toHex();
  const header = { alg: key.alg, kid: key.name, nonce, typ: "JWT" };
  const payload = {
    iss: "cdp",
    nbf,
    exp: nbf + JWT_LIFETIME_SEC,
    sub: key.name,
  };
  const input = `${base64Url(encoder.encode(JSON.stringify(header)))}.${
    base64Url(encoder.encode(JSON.stringify(payload)))
  }`;
  const algorithm = key.alg === "ES256"
    ? { name: "ECDSA", hash: "SHA-256" }
    : { name: "Ed25519" };
  const signature = await crypto.subtle.sign(
    algorithm,
    key.key,
    encoder.encode(input),
  );
  return `${input}.${base64Url(new Uint8Array(signature))}`;
}
