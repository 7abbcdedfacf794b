/**
 * Bybit v5 request signing as the simulator checks it: hex HMAC-SHA256
 * through WebCrypto, a constant-time comparison, and the WebSocket `auth`
 * op (`signature = hex HMAC(secret, "GET/realtime" + expires)`).
 *
 * @module
 */

/** An API key pair the simulator accepts. */
export interface BybitApiKey {
  apiKey: string;
  apiSecret: string;
}

/** The default accepted key pair. */
export const DEFAULT_API_KEYS: readonly BybitApiKey[] = [
  { apiKey: "tickgate-test-key", apiSecret: "tickgate-test-secret" },
];

/** Outcome of a WebSocket `auth` check. */
export type WsAuthResult =
  | "ok"
  | "bad-params"
  | "unknown-key"
  | "expired"
  | "bad-signature";

const encoder = new TextEncoder();

/**
 * Hex HMAC-SHA256 of `message` under `secret`.
 *
 * @example Usage
 * ```ts
 * const expires = Date.now() + 1000;
 * const signature = await hmacHex("secret", "GET/realtime" + expires);
 * ```
 */
export async function hmacHex(
  secret: string,
  message: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(message));
  return [...new Uint8Array(mac)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Compares two strings in time that depends only on their lengths. */
export function safeEqual(a: string, b: string): boolean {
  const [x, y] = [encoder.encode(a), encoder.encode(b)];
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  }
  return diff === 0;
}

/** The key pair of `apiKey`, if accepted. */
export function findKey(
  keys: readonly BybitApiKey[],
  apiKey: unknown,
): BybitApiKey | undefined {
  return keys.find((k) => k.apiKey === apiKey);
}

/**
 * Checks the `args` of a WebSocket `auth` op: `[apiKey, expires, signature]`
 * with `expires` a millisecond number or numeric string greater than `nowMs`.
 */
export async function verifyWsAuth(
  keys: readonly BybitApiKey[],
  args: unknown,
  nowMs: number,
): Promise<WsAuthResult> {
  if (!Array.isArray(args) || args.length !== 3) return "bad-params";
  const [apiKey, expires, signature] = args as unknown[];
  const text = typeof expires === "number"
    ? String(expires)
    : typeof expires === "string"
    ? expires
    : "";
  if (!/^\d+$/.test(text) || typeof signature !== "string") {
    return "bad-params";
  }
  const key = findKey(keys, apiKey);
  if (!key) return "unknown-key";
  if (Number(text) <= nowMs) return "expired";
  const expected = await hmacHex(key.apiSecret, `GET/realtime${text}`);
  return safeEqual(expected, signature) ? "ok" : "bad-signature";
}
