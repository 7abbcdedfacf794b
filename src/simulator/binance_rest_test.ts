import assert from "node:assert/strict";
import type { CoinSpec } from "./binance.ts";
import type { DepthSnapshot } from "./binance_market.ts";
import { getJson, type Json, simTest } from "./binance_test_util.ts";

interface Info {
  timezone: string;
  serverTime: number;
  rateLimits: unknown[];
  exchangeFilters: unknown[];
  symbols: Json[];
}

simTest(
  "REST ping and depth: top N levels, Binance's error bodies",
  {},
  async (sim) => {
    const base = `${sim.restUrl}/api/v3`;
    assert.deepEqual(await getJson(`${base}/ping`), { status: 200, body: {} });
    const depth = await getJson<DepthSnapshot>(
      `${base}/depth?symbol=BTCUSDT&limit=5`,
    );
    assert.equal(depth.status, 200);
    assert.deepEqual(Object.keys(depth.body), ["lastUpdateId", "bids", "asks"]);
    assert.equal(depth.body.bids.length, 5);
    assert.equal(depth.body.asks.length, 5);
    assert.match(depth.body.bids[0]?.[0] ?? "", /^\d+\.\d{8}$/);
    const full = await getJson<DepthSnapshot>(`${base}/depth?symbol=ETHBTC`);
    assert.ok(full.body.bids.length >= 25 && full.body.asks.length >= 25);
    assert.ok(full.body.lastUpdateId > 0);
    const now = sim.book("ETHBTC");
    assert.ok(now.lastUpdateId >= full.body.lastUpdateId);
    assert.deepEqual(await getJson(`${base}/depth?symbol=NOPE`), {
      status: 400,
      body: { code: -1121, msg: "Invalid symbol." },
    });
    const missing = await getJson(`${base}/depth`);
    assert.deepEqual([missing.status, missing.body.code], [400, -1102]);
    const badLimit = await getJson(`${base}/depth?symbol=BTCUSDT&limit=x`);
    assert.deepEqual([badLimit.status, badLimit.body.code], [400, -1100]);
  },
);

simTest(
  "REST exchangeInfo: all symbols, ?symbol=, ?symbols=[...], invalid symbol",
  {},
  async (sim) => {
    const base = `${sim.restUrl}/api/v3`;
    const info = (await getJson<Info>(`${base}/exchangeInfo`)).body;
    assert.equal(info.timezone, "UTC");
    assert.equal(typeof info.serverTime, "number");
    assert.ok(Array.isArray(info.rateLimits));
    assert.deepEqual(info.exchangeFilters, []);
    assert.equal(info.symbols.length, 17);
    const btc = info.symbols.find((s) => s.symbol === "BTCUSDT") as Json;
    assert.deepEqual(
      [btc.status, btc.baseAsset, btc.quoteAsset, btc.isSpotTradingAllowed],
      ["TRADING", "BTC", "USDT", true],
    );
    const filters = btc.filters as Json[];
    const price = filters.find((f) => f.filterType === "PRICE_FILTER") as Json;
    assert.equal(price.tickSize, "0.01000000");
    assert.ok(filters.some((f) => f.filterType === "LOT_SIZE"));
    assert.equal(
      info.symbols.find((s) => s.symbol === "MATICUSDT")?.status,
      "BREAK",
    );
    assert.deepEqual(
      info.symbols.filter((s) => s.quoteAsset === "BTC").map((s) => s.symbol),
      ["ETHBTC", "BNBBTC", "SOLBTC", "LTCBTC"],
    );
    const one = await getJson<Info>(`${base}/exchangeInfo?symbol=ETHBTC`);
    assert.deepEqual(one.body.symbols.map((s) => s.symbol), ["ETHBTC"]);
    const list = encodeURIComponent('["SOLUSDT","BNBBTC"]');
    const two = await getJson<Info>(`${base}/exchangeInfo?symbols=${list}`);
    assert.deepEqual(two.body.symbols.map((s) => s.symbol), [
      "SOLUSDT",
      "BNBBTC",
    ]);
    assert.deepEqual(await getJson(`${base}/exchangeInfo?symbol=NOPE`), {
      status: 400,
      body: { code: -1121, msg: "Invalid symbol." },
    });
    const bad = await getJson(`${base}/exchangeInfo?symbols=SOLUSDT`);
    assert.deepEqual([bad.status, bad.body.code], [400, -1100]);
  },
);

simTest(
  "CoinGecko coins/markets: market-cap order, ranks, paging",
  {},
  async (sim) => {
    const url = (q: string) =>
      `${sim.coingeckoUrl}/api/v3/coins/markets?vs_currency=usd&order=market_cap_desc&${q}`;
    const all = await getJson<Json[]>(url("per_page=250&page=1"));
    assert.equal(all.status, 200);
    const coins = all.body;
    const caps = coins.map((c) => c.market_cap as number);
    assert.deepEqual(caps, [...caps].sort((a, b) => b - a));
    assert.deepEqual(
      coins.map((c) => c.market_cap_rank),
      coins.map((_, i) => i + 1),
    );
    assert.deepEqual(coins.slice(0, 3).map((c) => c.id), [
      "bitcoin",
      "ethereum",
      "tether",
    ]);
    const tether = coins.find((c) => c.id === "tether") as Json;
    assert.deepEqual([tether.symbol, tether.current_price], ["usdt", 1]);
    assert.ok(
      coins.some((c) => c.id === "staked-ether"),
      "a coin without a market",
    );
    assert.ok(
      coins.some((c) => c.id === "matic-network"),
      "a market not trading",
    );
    const bitcoin = coins[0] as Json;
    for (
      const key of [
        "name",
        "current_price",
        "total_volume",
        "price_change_percentage_24h",
        "circulating_supply",
        "last_updated",
      ]
    ) {
      assert.ok(key in bitcoin, key);
    }
    assert.equal(bitcoin.symbol, "btc");
    const price = bitcoin.current_price as number;
    const last = Number(sim.trades("BTCUSDT").at(-1)?.p ?? price);
    assert.ok(
      Math.abs(price - last) / last < 0.01,
      "priced from the BTCUSDT market",
    );
    const page2 = await getJson<Json[]>(url("per_page=5&page=2"));
    assert.deepEqual(
      page2.body.map((c) => c.id),
      coins.slice(5, 10).map((c) => c.id),
    );
    assert.deepEqual(page2.body.map((c) => c.market_cap_rank), [
      6,
      7,
      8,
      9,
      10,
    ]);
    const beyond = await getJson<Json[]>(url("per_page=250&page=2"));
    assert.deepEqual(beyond.body, []);
    const missing = await getJson(`${sim.coingeckoUrl}/api/v3/coins/markets`);
    assert.equal(missing.status, 400);
  },
);

simTest(
  "CoinGecko setCoins() re-ranks between refreshes; failCoingecko() answers 429/500",
  {},
  async (sim) => {
    const url =
      `${sim.coingeckoUrl}/api/v3/coins/markets?vs_currency=usd&per_page=10`;
    const mine: CoinSpec[] = [
      { id: "alpha", symbol: "ALP", name: "Alpha", marketCap: 10 },
      { id: "bitcoin", symbol: "BTC", name: "Bitcoin", marketCap: 5 },
      { id: "gamma", symbol: "GAM", name: "Gamma", marketCap: 20, price: 2 },
    ];
    sim.setCoins(mine);
    const ranked = await getJson<Json[]>(url);
    assert.deepEqual(
      ranked.body.map((c) => [c.id, c.symbol, c.market_cap_rank]),
      [["gamma", "gam", 1], ["alpha", "alp", 2], ["bitcoin", "btc", 3]],
    );
    assert.equal(ranked.body[0]?.current_price, 2);
    sim.setCoins([{ ...mine[1] as CoinSpec, marketCap: 50 }]);
    const again = await getJson<Json[]>(url);
    assert.deepEqual(again.body.map((c) => [c.id, c.market_cap_rank]), [[
      "bitcoin",
      1,
    ]]);
    sim.failCoingecko("429");
    const limited = await getJson<{ status: { error_code: number } }>(url);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.status.error_code, 429);
    sim.failCoingecko("500");
    const broken = await getJson(url);
    assert.equal(broken.status, 500);
    assert.equal(typeof broken.body.error, "string");
    sim.failCoingecko(null);
    assert.equal((await getJson(url)).status, 200);
  },
);
