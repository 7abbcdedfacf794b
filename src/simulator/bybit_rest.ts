/**
 * Bybit v5 REST of the simulator: `GET /v5/account/wallet-balance`, signed
 * with `X-BAPI-API-KEY`, `X-BAPI-TIMESTAMP`, `X-BAPI-RECV-WINDOW` and
 * `X-BAPI-SIGN` = hex HMAC-SHA256(secret, timestamp + apiKey + recvWindow +
 * queryString). Checks in order: key (`10003 "API key is invalid."`),
 * timestamp within `[now − recvWindow, now + 1000)` (`10002`), signature
 * (`10004 "error sign! origin_string[…]"`, the origin string echoed
 * without the secret), `accountType=UNIFIED` (`10001`, text UNVERIFIED).
 * Every answer is HTTP 200 with the v5 envelope (status UNVERIFIED for the
 * errors); an optional `coin=USDT,BTC` filters the coins.
 *
 * @module
 */
import { sameSecret } from "../core/same_secret.ts";
import { type BybitApiKey, findKey, hmacHex } from "./bybit_auth.ts";
import type { PrivatePayload } from "./bybit_private_payloads.ts";

/** What the REST handler reads from the simulator. */
export interface BybitRestContext {
  keys: readonly BybitApiKey[];
  now(): number;
  /** The wallet list element, optionally only `coins`. */
  wallet(coins?: readonly string[]): PrivatePayload;
}

/** The wallet-balance path. */
export const WALLET_BALANCE_PATH = "/v5/account/wallet-balance";
const DEFAULT_RECV_WINDOW = 5000;

/** Answers a Bybit REST request, or null when the path is not one. */
export async function bybitRest(
  req: Request,
  url: URL,
  ctx: BybitRestContext,
): Promise<Response | null> {
  if (url.pathname !== WALLET_BALANCE_PATH) return null;
  const now = ctx.now();
  const body = (retCode: number, retMsg: string, result: unknown = {}) =>
    Response.json({ retCode, retMsg, result, retExtInfo: {}, time: now });
  if (req.method !== "GET") return body(10001, "Method not allowed");
  const h = req.headers;
  const apiKey = h.get("X-BAPI-API-KEY") ?? "";
  const key = findKey(ctx.keys, apiKey);
  if (!key) return body(10003, "API key is invalid.");
  const timestamp = h.get("X-BAPI-TIMESTAMP") ?? "";
  const recv = h.get("X-BAPI-RECV-WINDOW") ?? "";
  const window = /^\d+$/.test(recv) ? Number(recv) : DEFAULT_RECV_WINDOW;
  const ts = /^\d+$/.test(timestamp) ? Number(timestamp) : NaN;
  if (!(ts >= now - window && ts < now + 1000)) {
    return body(
      10002,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${window}]`,
    );
  }
  const query = url.search.replace(/^\?/, "");
  const origin = timestamp + apiKey + recv + query;
  const expected = await hmacHex(key.apiSecret, origin);
  const sign = h.get("X-BAPI-SIGN") ?? "";
  if (!sameSecret(sign, expected)) {
    return body(10004, `error sign! origin_string[${origin}]`);
  }
  const accountType = url.searchParams.get("accountType");
  if (accountType !== "UNIFIED") {
    return body(10001, "accountType only support UNIFIED.");
  }
  const coin = url.searchParams.get("coin");
  const coins = coin ? coin.split(",").filter(Boolean) : undefined;
  return body(0, "OK", { list: [ctx.wallet(coins)] });
}
