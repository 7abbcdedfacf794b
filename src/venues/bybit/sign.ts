/**
 * Bybit request signing with WebCrypto: the private WebSocket's `auth`
 * frame (hex HMAC-SHA256 of `GET/realtime` + expires, expires in epoch ms)
 * and the signature headers of private REST calls. The secret lives in a
 * non-extractable `CryptoKey`; nothing here ever puts it in a string.
 *
 * @module
 */

const encoder = new TextEncoder();

/** How far ahead an `auth` frame's `expires` lies. */
export const AUTH_VALIDITY_MS = 10_000;

/** REST `X-BAPI-RECV-WINDOW`: how stale a signed request may arrive. */
export const RECV_WINDOW_MS = 5_000;

/** An API key with its secret imported for HMAC-SHA256. */
export interface BybitCredentials {
  readonly apiKey: string;
  readonly key: CryptoKey;
}

/**
 * Imports an API secret as a non-extractable HMAC-SHA256 key.
 *
 * @example Usage
 * ```ts
 * const credentials = await importCredentials("my-key", "my-secret");
 * ```
 */
export async function importCredentials(
  apiKey: string,
  apiSecret: string,
): Promise<BybitCredentials> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(apiSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return { apiKey, key };
}

/** Lower-case hex HMAC-SHA256 of `message`. */
export async function hmacHex(
  key: CryptoKey,
  message: string,
): Promise<string> {
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(message)),
  );
  let hex = "";
  for (const b of mac) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * The private stream's `auth` frame, valid until `now + AUTH_VALIDITY_MS`.
 *
 * @example Usage
 * ```ts
 * const frame = await authFrame(credentials, Date.now());
 * // {"op":"auth","args":["my-key",1700000010000,"5f2b…"]}
 * ```
 */
export async function authFrame(
  credentials: BybitCredentials,
  now: number,
): Promise<string> {
  const expires = Math.floor(now) + AUTH_VALIDITY_MS;
  const signature = await hmacHex(credentials.key, `GET/realtime${expires}`);
  return JSON.stringify({
    op: "auth",
    args: [credentials.apiKey, expires, signature],
  });
}

/** The headers of a signed REST GET with query string `query` (no `?`). */
export async function restHeaders(
  credentials: BybitCredentials,
  now: number,
  query: string,
): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(now));
  const window = String(RECV_WINDOW_MS);
  const sign = await hmacHex(
    credentials.key,
    `${timestamp}${credentials.apiKey}${window}${query}`,
  );
  return {
    "X-BAPI-API-KEY": credentials.apiKey,
    "X-BAPI-TIMESTAMP": timestamp,
    "X-BAPI-RECV-WINDOW": window,
    "X-BAPI-SIGN": sign,
  };
}
