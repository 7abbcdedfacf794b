import assert from "node:assert/strict";
import {
  DiscoveryError,
  fetchTopCoins,
  parseMarketsPage,
} from "./coingecko.ts";
import { coin, type FakeApi, startFakeApi } from "./_test_server.ts";

const KEY = "CG-s3cr3t-key-do-not-leak";

function markets(api: FakeApi) {
  return api.requests.filter((r) => r.path === "/api/v3/coins/markets");
}

Deno.test("fetchTopCoins returns the ranking with upper-case tickers and position ranks", async () => {
  const api = startFakeApi();
  try {
    const coins = await fetchTopCoins({ url: api.url, limit: 12 });
    assert.deepEqual(coins.slice(0, 3), [
      {
        id: "bitcoin",
        symbol: "BTC",
        name: "Bitcoin",
        rank: 1,
        marketCap: 1_800_000_000_000,
      },
      {
        id: "ethereum",
        symbol: "ETH",
        name: "Ethereum",
        rank: 2,
        marketCap: 420_000_000_000,
      },
      {
        id: "tether",
        symbol: "USDT",
        name: "Tether",
        rank: 3,
        marketCap: 160_000_000_000,
      },
    ]);
    // The broken entry at position 10 is skipped and leaves a gap.
    assert.deepEqual(coins.map((c) => c.rank), [
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      11,
      12,
    ]);
    const [req] = markets(api);
    assert.deepEqual(req?.params, {
      vs_currency: "usd",
      order: "market_cap_desc",
      per_page: "12",
      page: "1",
    });
    assert.equal(req?.headers["x-cg-demo-api-key"], undefined);
    assert.equal(req?.headers["x-cg-pro-api-key"], undefined);
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins pages by 250, stops at the limit and at a short page", async () => {
  const api = startFakeApi();
  try {
    api.coins = Array.from(
      { length: 520 },
      (_, i) => coin(`coin-${i + 1}`, `c${i + 1}`, `Coin ${i + 1}`, 1e9 - i),
    );
    const top = await fetchTopCoins({ url: api.url, limit: 300 });
    assert.equal(top.length, 300);
    assert.deepEqual(top.at(-1), {
      id: "coin-300",
      symbol: "C300",
      name: "Coin 300",
      rank: 300,
      marketCap: 1e9 - 299,
    });
    assert.deepEqual(
      markets(api).map((r) => [r.params.per_page, r.params.page]),
      [["250", "1"], ["250", "2"]],
    );

    api.requests.length = 0;
    const all = await fetchTopCoins({ url: api.url, limit: 1_000 });
    assert.equal(all.length, 520);
    assert.deepEqual(markets(api).map((r) => r.params.page), ["1", "2", "3"]);
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins keeps a coin once when the ranking moves between pages", async () => {
  const api = startFakeApi();
  try {
    const list = Array.from(
      { length: 260 },
      (_, i) => coin(`coin-${i + 1}`, `c${i + 1}`, `Coin ${i + 1}`, 1e9 - i),
    );
    list[250] = list[249]!; // coin-250 shows again at the top of page 2
    api.coins = list;
    const coins = await fetchTopCoins({ url: api.url, limit: 500 });
    assert.equal(coins.length, 259);
    assert.equal(coins.filter((c) => c.id === "coin-250").length, 1);
    assert.equal(coins.find((c) => c.id === "coin-250")?.rank, 250);
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins sends the demo key header for the public host", async () => {
  const api = startFakeApi();
  try {
    await fetchTopCoins({ url: api.url, apiKey: KEY, limit: 5 });
    const [req] = markets(api);
    assert.equal(req?.headers["x-cg-demo-api-key"], KEY);
    assert.equal(req?.headers["x-cg-pro-api-key"], undefined);
    assert.ok(!JSON.stringify(req?.params).includes(KEY), "not in the URL");
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins sends the pro key header for pro-api.coingecko.com", async () => {
  const api = startFakeApi();
  const hosts: string[] = [];
  // Route the pro host to the local server; the request is still real HTTP.
  const routed: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    hosts.push(url.host);
    return fetch(`${api.url}${url.pathname}${url.search}`, init);
  };
  try {
    await fetchTopCoins({
      url: "https://pro-api.coingecko.com",
      apiKey: KEY,
      limit: 5,
      fetch: routed,
    });
    assert.deepEqual(hosts, ["pro-api.coingecko.com"]);
    const [req] = markets(api);
    assert.equal(req?.headers["x-cg-pro-api-key"], KEY);
    assert.equal(req?.headers["x-cg-demo-api-key"], undefined);
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins turns 429 into a DiscoveryError without the API key", async () => {
  const api = startFakeApi();
  try {
    api.coingeckoFault = {
      status: 429,
      body: JSON.stringify({
        status: {
          error_code: 429,
          error_message:
            `You've exceeded the Rate Limit for key ${KEY}. Please visit https://www.coingecko.com/en/api/pricing`,
        },
      }),
    };
    const err = await fetchTopCoins({ url: api.url, apiKey: KEY, limit: 5 })
      .then(() => undefined, (e) => e);
    assert.ok(err instanceof DiscoveryError);
    assert.equal(err.source, "coingecko");
    assert.equal(err.status, 429);
    assert.equal(err.retryAfterMs, 1_000);
    assert.match(err.message, /^CoinGecko returned HTTP 429: You've exceeded/);
    assert.ok(!err.message.includes(KEY), err.message);
    assert.ok(!String(err.stack).includes(KEY));
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins reports 500 with the body text", async () => {
  const api = startFakeApi();
  try {
    api.coingeckoFault = { status: 500, body: "upstream exploded\n" };
    await assert.rejects(
      fetchTopCoins({ url: api.url, limit: 5 }),
      (e: unknown) =>
        e instanceof DiscoveryError && e.status === 500 &&
        e.message === "CoinGecko returned HTTP 500: upstream exploded",
    );
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins times out a hung request", async () => {
  const api = startFakeApi();
  try {
    api.coingeckoFault = "hang";
    await assert.rejects(
      fetchTopCoins({ url: api.url, apiKey: KEY, limit: 5, timeoutMs: 100 }),
      (e: unknown) =>
        e instanceof DiscoveryError && e.source === "coingecko" &&
        e.status === undefined &&
        e.message === "CoinGecko did not answer within 100 ms",
    );
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins reports network errors without the API key", async () => {
  const api = startFakeApi();
  const url = api.url;
  await api.close(); // nothing listens there any more
  const err = await fetchTopCoins({ url, apiKey: KEY, limit: 5 })
    .then(() => undefined, (e) => e);
  assert.ok(err instanceof DiscoveryError);
  assert.match(err.message, /^CoinGecko request failed: /);
  assert.ok(!err.message.includes(KEY));
});

Deno.test("fetchTopCoins rejects a response that is not a coin list", async () => {
  const api = startFakeApi();
  try {
    api.coins = { error: "nope" } as never;
    await assert.rejects(
      fetchTopCoins({ url: api.url, limit: 5 }),
      /expected an array of coins/,
    );
    api.coins = [{ id: 1, symbol: 2 }] as never;
    await assert.rejects(
      fetchTopCoins({ url: api.url, limit: 5 }),
      /no usable coins/,
    );
  } finally {
    await api.close();
  }
});

Deno.test("fetchTopCoins with limit 0 asks nothing; a bad URL is a DiscoveryError", async () => {
  assert.deepEqual(await fetchTopCoins({ url: "not a url", limit: 0 }), []);
  await assert.rejects(
    fetchTopCoins({ url: "not a url", limit: 5 }),
    (e: unknown) =>
      e instanceof DiscoveryError && /URL is not a valid URL/.test(e.message),
  );
});

Deno.test("parseMarketsPage skips and counts bad entries; null caps stay null", () => {
  const page = parseMarketsPage([
    { id: "bitcoin", symbol: "btc", name: "Bitcoin", market_cap: 5 },
    null,
    { id: "nameless", symbol: "nml", market_cap: null },
    { id: "", symbol: "x" },
    { id: "odd-cap", symbol: "odd", name: "Odd", market_cap: "12" },
  ], 250);
  assert.equal(page.invalid, 2);
  assert.deepEqual(page.coins, [
    { id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 251, marketCap: 5 },
    {
      id: "nameless",
      symbol: "NML",
      name: "nameless",
      rank: 253,
      marketCap: null,
    },
    { id: "odd-cap", symbol: "ODD", name: "Odd", rank: 255, marketCap: null },
  ]);
});
