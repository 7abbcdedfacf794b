/**
 * Bybit v5 request signing as the simulator checks it: hex HMAC-SHA256
 * through WebCrypto, a constant-time comparison, and the WebSocket `auth`
 * op (`signature = hex HMAC(secret, "GET/realtime" + expires)`).
 *
 * @module
 */
import { sameSecret } from "../core/same_secret.ts";
import {
  hmacHex as keyHmacHex,
  importCredentials,
} from "../venues/bybit/sign.ts";

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

/**
 * Hex HMAC-SHA256 of `message` under `secret` (the gateway's own signing,
 * so the two cannot disagree on encoding).
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
  const { key } = await importCredentials("", secret);
  return await keyHmacHex(key, message);
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
  return sameSecret(signature, expected) ? "ok" : "bad-signature";
}
