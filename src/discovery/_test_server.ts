/**
 * Test-only: a local HTTP server that answers like CoinGecko's
 * `coins/markets` and Binance's `exchangeInfo`, with switches for errors and
 * hangs, and the fixtures it serves by default.
 *
 * @module
 */

/** A CoinGecko `coins/markets` entry (the fields discovery reads, and more). */
export interface MarketEntry {
  id: string;
  symbol: string;
  name: string;
  market_cap: number | null;
  [field: string]: unknown;
}

/** A CoinGecko-shaped coin; `cap` in USD. */
export function coin(
  id: string,
  symbol: string,
  name: string,
  cap: number | null,
): MarketEntry {
  return {
    id,
    symbol,
    name,
    image: `https://coin-images.coingecko.com/coins/images/1/large/${id}.png`,
    current_price: 1.23,
    market_cap: cap,
    market_cap_rank: null,
    fully_diluted_valuation: cap,
    total_volume: 123_456_789,
    high_24h: 1.3,
    low_24h: 1.1,
    price_change_percentage_24h: -0.42,
    circulating_supply: 1_000_000,
    max_supply: null,
    ath: 2.5,
    last_updated: "2026-01-12T09:00:00.000Z",
  };
}

/** Today's (fictional but plausible) top coins, in market-cap order. */
export function defaultCoins(): MarketEntry[] {
  const list = [
    coin("bitcoin", "btc", "Bitcoin", 1_800_000_000_000),
    coin("ethereum", "eth", "Ethereum", 420_000_000_000),
    coin("tether", "usdt", "Tether", 160_000_000_000),
    coin("ripple", "xrp", "XRP", 140_000_000_000),
    coin("binancecoin", "bnb", "BNB", 120_000_000_000),
    coin("solana", "sol", "Solana", 90_000_000_000),
    coin("usd-coin", "usdc", "USDC", 75_000_000_000),
    coin("staked-ether", "steth", "Lido Staked Ether", 30_000_000_000),
    coin("cardano", "ada", "Cardano", 25_000_000_000),
    coin("tron", "trx", "TRON", 24_000_000_000),
    coin("dogecoin", "doge", "Dogecoin", 23_000_000_000),
    coin("hyperliquid", "hype", "Hyperliquid", 15_000_000_000),
    coin("the-open-network", "ton", "Toncoin", 8_000_000_000),
    coin("leo-token", "leo", "LEO Token", 7_000_000_000),
    coin("chainlink", "link", "Chainlink", 6_000_000_000),
    coin("tokamak-network", "ton", "Tokamak Network", 60_000_000),
  ];
  // A broken entry, as upstreams occasionally send.
  list.splice(9, 0, { id: "broken", symbol: null, name: "?" } as never);
  return list;
}

/** An exchangeInfo symbol entry with Binance's usual fields. */
export function spotSymbol(
  base: string,
  quote: string,
  status = "TRADING",
): Record<string, unknown> {
  return {
    symbol: `${base}${quote}`,
    status,
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: "PRICE_FILTER",
        minPrice: "0.01000000",
        maxPrice: "1000000.00000000",
        tickSize: "0.01000000",
      },
      {
        filterType: "LOT_SIZE",
        minQty: "0.00001000",
        maxQty: "9000.00000000",
        stepSize: "0.00001000",
      },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER"],
  };
}

/** Binance exchangeInfo: several quotes, TRADING and BREAK symbols. */
export function defaultExchangeInfo(): Record<string, unknown> {
  const symbols = [
    spotSymbol("BTC", "USDT"),
    spotSymbol("ETH", "USDT"),
    spotSymbol("XRP", "USDT"),
    spotSymbol("BNB", "USDT"),
    spotSymbol("SOL", "USDT"),
    spotSymbol("USDC", "USDT"),
    spotSymbol("ADA", "USDT", "BREAK"),
    spotSymbol("TRX", "USDT"),
    spotSymbol("DOGE", "USDT"),
    spotSymbol("TON", "USDT"),
    spotSymbol("LINK", "USDT"),
    spotSymbol("ETH", "BTC"),
    spotSymbol("BNB", "BTC"),
    spotSymbol("BTC", "FDUSD"),
    spotSymbol("BTC", "USDC"),
    spotSymbol("ETH", "USDC"),
    spotSymbol("SOL", "USDC", "BREAK"),
    spotSymbol("BTC", "TRY"),
    spotSymbol("LUNA", "USDT", "BREAK"),
  ];
  return {
    timezone: "UTC",
    serverTime: 1768208400000,
    rateLimits: [
      {
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: 6000,
      },
    ],
    exchangeFilters: [],
    symbols,
  };
}

/** One request the server saw. */
export interface SeenRequest {
  path: string;
  params: Record<string, string>;
  headers: Record<string, string>;
}

/** A failure to serve: an HTTP status with a body, or a hang. */
export type Fault = { status: number; body: string } | "hang";

/** The running fake; mutate its fields between requests. */
export interface FakeApi {
  /** `http://127.0.0.1:PORT` */
  url: string;
  coins: MarketEntry[];
  exchangeInfo: Record<string, unknown>;
  coingeckoFault?: Fault | undefined;
  exchangeInfoFault?: Fault | undefined;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the fake on an ephemeral port. Close it in the test. */
export function startFakeApi(): FakeApi {
  const releases = new Set<() => void>();
  // A hung request is answered only when the server closes (by then the
  // client has long given up).
  const hang = () =>
    new Promise<Response>((resolve) => {
      releases.add(() => resolve(new Response("released", { status: 503 })));
    });
  const serve = (fault: Fault | undefined, ok: () => unknown) => {
    if (fault === "hang") return hang();
    if (fault !== undefined) {
      return new Response(fault.body, {
        status: fault.status,
        headers: { "content-type": "application/json", "retry-after": "1" },
      });
    }
    return Response.json(ok());
  };
  const api: FakeApi = {
    url: "",
    coins: defaultCoins(),
    exchangeInfo: defaultExchangeInfo(),
    requests: [],
    close: async () => {
      for (const release of releases) release();
      releases.clear();
      await server.shutdown();
    },
  };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => {
      const url = new URL(req.url);
      api.requests.push({
        path: url.pathname,
        params: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(req.headers),
      });
      if (url.pathname.endsWith("/api/v3/coins/markets")) {
        return serve(api.coingeckoFault, () => {
          if (!Array.isArray(api.coins)) return api.coins;
          const perPage = Number(url.searchParams.get("per_page") ?? 100);
          const page = Number(url.searchParams.get("page") ?? 1);
          return api.coins.slice((page - 1) * perPage, page * perPage);
        });
      }
      if (url.pathname.endsWith("/api/v3/exchangeInfo")) {
        return serve(api.exchangeInfoFault, () => api.exchangeInfo);
      }
      return new Response("not found", { status: 404 });
    },
  );
  api.url = `http://127.0.0.1:${server.addr.port}`;
  return api;
}
