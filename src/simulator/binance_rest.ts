/**
 * The HTTP side of the Binance simulator: Binance Spot REST
 * (`/api/v3/ping`, `/api/v3/time`, `/api/v3/depth`, `/api/v3/exchangeInfo`)
 * and CoinGecko's `/api/v3/coins/markets`, with Binance's error bodies
 * (`{"code":-1121,"msg":"Invalid symbol."}`) and CoinGecko fault modes.
 *
 * @module
 */
import type { CoinSpec } from "./binance_assets.ts";
import { usdPrice } from "./binance_assets.ts";
import type { BinanceMarket } from "./binance_market.ts";
import { hashString } from "./prng.ts";

/** A CoinGecko fault: answer `coins/markets` with HTTP 429 or 500, or not at all (null). */
export type CoingeckoFault = "429" | "500" | null;

/** What the REST handler reads from the simulator. */
export interface RestContext {
  market: BinanceMarket;
  coins: readonly CoinSpec[];
  coingeckoFault: CoingeckoFault;
  /** Server time in ms. */
  now: number;
}

const ORDER_TYPES = [
  "LIMIT",
  "LIMIT_MAKER",
  "MARKET",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
];
const STP = [
  "NONE",
  "EXPIRE_TAKER",
  "EXPIRE_MAKER",
  "EXPIRE_BOTH",
  "DECREMENT",
];
const RATE_LIMITS = [
  ["REQUEST_WEIGHT", "MINUTE", 1, 6000],
  ["ORDERS", "SECOND", 10, 100],
  ["ORDERS", "DAY", 1, 200000],
  ["RAW_REQUESTS", "MINUTE", 5, 61000],
].map(([rateLimitType, interval, intervalNum, limit]) => ({
  rateLimitType,
  interval,
  intervalNum,
  limit,
}));
const INVALID_SYMBOL = { code: -1121, msg: "Invalid symbol." };

function fail(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

/**
 * Answers a REST request, or returns null when the path is not a REST one.
 *
 * @example Usage
 * ```ts ignore
 * const res = restResponse(new URL("http://x/api/v3/ping"), ctx); // 200 {}
 * ```
 */
export function restResponse(url: URL, ctx: RestContext): Response | null {
  const q = url.searchParams;
  switch (url.pathname) {
    case "/api/v3/ping":
      return Response.json({});
    case "/api/v3/time":
      return Response.json({ serverTime: ctx.now });
    case "/api/v3/depth": {
      const symbol = q.get("symbol") ?? "";
      if (symbol === "") {
        return fail(400, {
          code: -1102,
          msg:
            "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
        });
      }
      if (!ctx.market.has(symbol)) return fail(400, INVALID_SYMBOL);
      const limit = Number(q.get("limit") ?? 100);
      if (!Number.isInteger(limit) || limit < 1) {
        return fail(400, {
          code: -1100,
          msg: "Illegal characters found in parameter 'limit'.",
        });
      }
      return Response.json(ctx.market.book(symbol, Math.min(limit, 5000)));
    }
    case "/api/v3/exchangeInfo":
      return exchangeInfo(q, ctx);
    case "/api/v3/coins/markets":
      return coinsMarkets(q, ctx);
  }
  return null;
}

function exchangeInfo(q: URLSearchParams, ctx: RestContext): Response {
  let wanted = ctx.market.symbols;
  const one = q.get("symbol");
  const many = q.get("symbols");
  if (one !== null) wanted = [one];
  else if (many !== null) {
    let list: unknown;
    try {
      list = JSON.parse(many);
    } catch { /* reported below */ }
    if (
      !Array.isArray(list) || list.length === 0 ||
      !list.every((s) => typeof s === "string")
    ) {
      return fail(400, {
        code: -1100,
        msg: "Illegal characters found in parameter 'symbols'.",
      });
    }
    wanted = list;
  }
  if (!wanted.every((s) => ctx.market.has(s))) {
    return fail(400, INVALID_SYMBOL);
  }
  const symbols = wanted.map((s) => {
    const i = ctx.market.info(s);
    const trading = i.status === "TRADING";
    return {
      symbol: i.symbol,
      status: i.status,
      baseAsset: i.base,
      baseAssetPrecision: 8,
      quoteAsset: i.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ORDER_TYPES,
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      amendAllowed: true,
      isSpotTradingAllowed: trading,
      isMarginTradingAllowed: trading && i.quote === "USDT",
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: i.tickSize,
          maxPrice: "1000000.00000000",
          tickSize: i.tickSize,
        },
        {
          filterType: "LOT_SIZE",
          minQty: i.stepSize,
          maxQty: "9000000.00000000",
          stepSize: i.stepSize,
        },
        {
          filterType: "NOTIONAL",
          minNotional: i.quote === "BTC" ? "0.00010000" : "5.00000000",
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
        { filterType: "MAX_NUM_ORDERS", maxNumOrders: 200 },
      ],
      permissions: [],
      permissionSets: [["SPOT"]],
      defaultSelfTradePreventionMode: "EXPIRE_MAKER",
      allowedSelfTradePreventionModes: STP,
    };
  });
  return Response.json({
    timezone: "UTC",
    serverTime: ctx.now,
    rateLimits: RATE_LIMITS,
    exchangeFilters: [],
    symbols,
  });
}

const SORTS: Record<string, (a: Coin, b: Coin) => number> = {
  market_cap_desc: (a, b) => b.market_cap - a.market_cap,
  market_cap_asc: (a, b) => a.market_cap - b.market_cap,
  volume_desc: (a, b) => b.total_volume - a.total_volume,
  volume_asc: (a, b) => a.total_volume - b.total_volume,
  id_asc: (a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  id_desc: (a, b) => a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
};

type Coin = ReturnType<typeof coin>;

function coinsMarkets(q: URLSearchParams, ctx: RestContext): Response {
  if (ctx.coingeckoFault === "429") {
    return fail(429, {
      status: { error_code: 429, error_message: "Rate limit exceeded" },
    });
  }
  if (ctx.coingeckoFault === "500") {
    return fail(500, { error: "Internal server error" });
  }
  const vs = q.get("vs_currency");
  if (!vs) return fail(400, { error: "Missing parameter vs_currency" });
  if (vs.toLowerCase() !== "usd") {
    return fail(400, { error: "invalid vs_currency" });
  }
  const perPage = Math.min(250, Math.max(1, Number(q.get("per_page")) || 100));
  const page = Math.max(1, Math.floor(Number(q.get("page")) || 1));
  const ids = q.get("ids")?.split(",").map((s) => s.trim()).filter(Boolean);
  const ranked = [...ctx.coins].sort((a, b) =>
    b.marketCap - a.marketCap || (a.id < b.id ? -1 : 1)
  ).map((c, i) => coin(c, i + 1, ctx));
  const sort = SORTS[q.get("order") ?? ""] ?? SORTS["market_cap_desc"];
  const list = ranked.filter((c) => !ids || ids.includes(c.id)).sort(sort);
  return Response.json(list.slice((page - 1) * perPage, page * perPage));
}

/** One `coins/markets` entry; numbers other than price and cap derive from the id. */
function coin(c: CoinSpec, rank: number, ctx: RestContext) {
  const symbol = c.symbol.toUpperCase();
  const market = `${symbol}USDT`;
  const price = c.price ??
    (ctx.market.has(market) && ctx.market.info(market).status === "TRADING"
      ? ctx.market.lastPrice(market)
      : usdPrice(symbol));
  const h = hashString(c.id);
  const change = ((h % 2001) - 1000) / 100; // -10 .. +10 %
  const supply = Math.round(c.marketCap / price);
  const ath = price * (1.2 + (h % 400) / 100);
  const atl = price * (0.001 + (h % 90) / 100);
  const date = (days: number) =>
    new Date(ctx.now - days * 86_400_000).toISOString();
  return {
    id: c.id,
    symbol: c.symbol.toLowerCase(),
    name: c.name,
    current_price: price,
    market_cap: Math.round(c.marketCap),
    market_cap_rank: rank,
    fully_diluted_valuation: Math.round(c.marketCap * (1 + (h % 50) / 100)),
    total_volume: Math.round(c.marketCap * (0.01 + (h % 100) / 1000)),
    high_24h: price * (1 + Math.abs(change) / 200 + 0.005),
    low_24h: price * (1 - Math.abs(change) / 200 - 0.005),
    price_change_24h: price * change / (100 + change),
    price_change_percentage_24h: change,
    market_cap_change_24h: c.marketCap * change / (100 + change),
    market_cap_change_percentage_24h: change,
    circulating_supply: supply,
    total_supply: Math.round(supply * (1 + (h % 30) / 100)),
    max_supply: h % 3 === 0 ? null : Math.round(supply * (1 + (h % 70) / 100)),
    ath,
    ath_change_percentage: (price / ath - 1) * 100,
    ath_date: date(30 + (h % 1500)),
    atl,
    atl_change_percentage: (price / atl - 1) * 100,
    atl_date: date(1600 + (h % 2000)),
    roi: null,
    last_updated: new Date(ctx.now).toISOString(),
  };
}
