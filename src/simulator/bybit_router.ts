/**
 * Request routing of the Bybit simulator: WebSocket upgrades of
 * `/v5/public/{spot|linear|inverse}` and `/v5/private`, the REST paths,
 * and 404 for anything else.
 *
 * @module
 */
import type { BybitAccount } from "./bybit_account.ts";
import type { BybitApiKey } from "./bybit_auth.ts";
import type { ConnHub } from "./bybit_hub.ts";
import { privateConnId, type PrivateProtocol } from "./bybit_private_ws.ts";
import type { PublicMarkets } from "./bybit_public.ts";
import { handlePublic, type PublicContext } from "./bybit_public_ws.ts";
import { bybitRest } from "./bybit_rest.ts";
import { isCategory } from "./bybit_symbols.ts";
import type { Prng } from "./prng.ts";

/** What the router dispatches to. */
export interface RouteDeps {
  hub: ConnHub;
  markets: PublicMarkets;
  account: BybitAccount;
  private: PrivateProtocol;
  /** Source of `conn_id`s. */
  rng: Prng;
  keys: readonly BybitApiKey[];
  now: () => number;
  /** Whether pings are answered. */
  pong(): boolean;
}

/** Answers one HTTP request (upgrading WebSocket requests). */
export async function route(req: Request, d: RouteDeps): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname;
  if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
    const category = path.startsWith("/v5/public/") ? path.slice(11) : "";
    if (isCategory(category)) {
      const ctx: PublicContext = {
        hub: d.hub,
        category,
        hasSymbol: (s) => d.markets.market(category, s) !== undefined,
        subscribed: (_conn, topic, name, first) =>
          d.markets.subscribed(category, topic, name, first),
        pong: d.pong,
      };
      return d.hub.accept(
        req,
        path,
        category,
        d.rng.uuid(),
        (c, text) => handlePublic(ctx, c, text),
      );
    }
    if (path === "/v5/private") {
      return d.hub.accept(
        req,
        path,
        "private",
        privateConnId(d.rng),
        (c, text) => d.private.handle(c, text),
      );
    }
    return new Response("Not found", { status: 404 });
  }
  const rest = await bybitRest(req, url, {
    keys: d.keys,
    now: d.now,
    wallet: (coins) => d.account.walletPayload(coins),
  });
  return rest ?? Response.json({
    retCode: 10001,
    retMsg: "Not found",
    result: {},
    retExtInfo: {},
    time: d.now(),
  }, { status: 404 });
}
