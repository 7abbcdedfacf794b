/**
 * The wallet balances at (re)authentication. Bybit's `wallet` topic sends
 * nothing on subscribe, only changes, so after each successful `auth` the
 * venue fetches `GET /v5/account/wallet-balance` (signed) and turns it into
 * balance events the same way as a `wallet` frame.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import { getJson, isRecord } from "../../http_json.ts";
import { parsePrivate } from "./parse_private.ts";
import { type BybitCredentials, restHeaders } from "./sign.ts";
import { unifiedSymbol } from "./symbols.ts";

/** The account type tickgate reads (Bybit's unified trading account). */
export const ACCOUNT_TYPE = "UNIFIED";

/** A refused or failed wallet-balance request. */
export class WalletSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WalletSnapshotError";
  }
}

/** What {@link fetchWalletSnapshot} needs. */
export interface WalletSnapshotRequest {
  restUrl: string;
  credentials: BybitCredentials;
  now: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Fetches the wallet balances as balance events. Throws
 * {@link WalletSnapshotError} (without secrets) when Bybit refuses.
 *
 * @example Usage
 * ```ts ignore
 * const events = await fetchWalletSnapshot({ restUrl, credentials, now: Date.now() });
 * ```
 */
export async function fetchWalletSnapshot(
  req: WalletSnapshotRequest,
): Promise<NormalizedEvent[]> {
  const query = `accountType=${ACCOUNT_TYPE}`;
  const body = await getJson({
    label: "Bybit wallet balance",
    base: req.restUrl,
    path: `/v5/account/wallet-balance?${query}`,
    headers: await restHeaders(req.credentials, req.now, query),
    timeoutMs: req.timeoutMs ?? 10_000,
    secret: req.credentials.apiKey,
    ...(req.fetch ? { fetch: req.fetch } : {}),
  });
  if (!isRecord(body) || body.retCode !== 0 || !isRecord(body.result)) {
    const code = isRecord(body) ? body.retCode : undefined;
    const msg = isRecord(body) && typeof body.retMsg === "string"
      ? body.retMsg.split(req.credentials.apiKey).join("***").slice(0, 200)
      : "unexpected response";
    throw new WalletSnapshotError(
      `Bybit wallet balance refused (retCode ${code ?? "?"}): ${msg}`,
    );
  }
  const time = typeof body.time === "number" ? body.time : req.now;
  const out: NormalizedEvent[] = [];
  const outcome = parsePrivate(
    {
      topic: "wallet",
      id: `rest-${time}`,
      creationTime: time,
      data: body.result.list,
    },
    req.now,
    out,
    unifiedSymbol,
  );
  if (outcome !== "ok") {
    throw new WalletSnapshotError(
      `Bybit wallet balance: unexpected payload (${outcome})`,
    );
  }
  return out;
}
