import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { ManualClock } from "../core/clock.ts";
import { PairDiscovery, type PairDiscoveryOptions } from "./pair_discovery.ts";
import type { DiscoveredPair, PairDiff } from "./top_pairs.ts";
import { coin, type FakeApi, startFakeApi } from "./_test_server.ts";

const HOUR = 3_600_000;
const KEY = "CG-demo-key-that-must-not-leak";
const RATE_LIMITED = {
  status: 429,
  body: JSON.stringify({
    status: {
      error_code: 429,
      error_message: "You've exceeded the Rate Limit.",
    },
  }),
};

function setup(api: FakeApi, extra: Partial<PairDiscoveryOptions> = {}) {
  const clock = new ManualClock(1_768_200_000_000);
  const changes: { pairs: readonly DiscoveredPair[]; diff: PairDiff }[] = [];
  const discovery = new PairDiscovery({
    restUrl: api.url,
    coingeckoUrl: api.url,
    quote: "USDT",
    limit: 5,
    fallback: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
    refreshMs: HOUR,
    clock,
    random: () => 0,
    onChange: (pairs, diff) => changes.push({ pairs, diff }),
    ...extra,
  });
  const hits = (path: string) =>
    api.requests.filter((r) => r.path.endsWith(path)).length;
  return { clock, changes, discovery, hits };
}

const natives = (pairs: readonly DiscoveredPair[]) =>
  pairs.map((p) => `${p.nativeSymbol}:${p.source}`);

Deno.test("start discovers the top pairs, reports them all once and schedules the next refresh", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    await t.discovery.start();
    assert.equal(t.changes.length, 1);
    const [first] = t.changes;
    assert.deepEqual(natives(first!.pairs), [
      "BTCUSDT:discovery",
      "ETHUSDT:discovery",
      "XRPUSDT:discovery",
      "BNBUSDT:discovery",
      "SOLUSDT:discovery",
    ]);
    assert.deepEqual(first!.diff.added, first!.pairs);
    assert.deepEqual(first!.diff.removed, []);
    assert.equal(t.discovery.pairs, first!.pairs);
    assert.deepEqual(t.discovery.status, {
      mode: "discovery",
      failures: 0,
      lastSuccessTs: t.clock.now(),
      lastAttemptTs: t.clock.now(),
    });
    assert.equal(t.discovery.symbols?.get("ETHBTC")?.symbol, "ETH-BTC");
    assert.equal(t.clock.pending, 1);
    // 5 pairs wanted: one 250-coin page is plenty.
    assert.equal(api.requests[0]?.params.per_page, "250");
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("a refresh applies a changed ranking as a diff, and an unchanged one silently", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    await t.discovery.start();
    api.coins = [
      coin("bitcoin", "btc", "Bitcoin", 9e12),
      coin("ethereum", "eth", "Ethereum", 8e12),
      coin("tether", "usdt", "Tether", 7e12),
      coin("dogecoin", "doge", "Dogecoin", 6e12),
      coin("binancecoin", "bnb", "BNB", 5e12),
      coin("tron", "trx", "TRON", 4e12),
      coin("solana", "sol", "Solana", 3e12),
      coin("ripple", "xrp", "XRP", 2e12),
    ];
    t.clock.advance(HOUR);
    await t.discovery.refresh(); // joins the refresh the timer started
    assert.equal(t.hits("/coins/markets"), 2);
    assert.equal(t.changes.length, 2);
    const { pairs, diff } = t.changes[1]!;
    assert.deepEqual(natives(diff.added), [
      "DOGEUSDT:discovery",
      "TRXUSDT:discovery",
    ]);
    assert.deepEqual(natives(diff.removed), ["XRPUSDT:discovery"]);
    // SOL fell out of the top 5 but stays as a fallback pair: no change.
    assert.deepEqual(natives(pairs), [
      "BTCUSDT:discovery",
      "ETHUSDT:discovery",
      "DOGEUSDT:discovery",
      "BNBUSDT:discovery",
      "TRXUSDT:discovery",
      "SOLUSDT:fallback",
    ]);

    t.clock.advance(HOUR);
    await t.discovery.refresh();
    assert.equal(t.hits("/coins/markets"), 3);
    assert.equal(t.changes.length, 2, "same set: no onChange");
    assert.equal(t.discovery.status.lastSuccessTs, t.clock.now());
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("CoinGecko 429 on the first run: fallback pairs from exchangeInfo, then recovery", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    api.coingeckoFault = RATE_LIMITED;
    await t.discovery.start();
    assert.equal(t.changes.length, 1);
    assert.deepEqual(natives(t.discovery.pairs), [
      "BTCUSDT:fallback",
      "ETHUSDT:fallback",
      "SOLUSDT:fallback",
    ]);
    assert.ok(t.discovery.pairs.every((p) => p.guessed === undefined));
    const status = t.discovery.status;
    assert.equal(status.mode, "fallback");
    assert.equal(status.failures, 1);
    assert.equal(status.lastSuccessTs, undefined);
    assert.equal(
      status.problem,
      "binance discovery: CoinGecko returned HTTP 429: You've exceeded the Rate Limit.; running on 3 fallback pairs",
    );
    assert.equal(
      status.lastError,
      "CoinGecko returned HTTP 429: You've exceeded the Rate Limit.",
    );
    assert.ok(t.discovery.symbols !== undefined, "exchangeInfo was fine");

    // The retry comes after 30 s × 0.8 (random() = 0), not after an hour.
    api.coingeckoFault = undefined;
    t.clock.advance(24_000);
    await t.discovery.refresh();
    assert.equal(t.discovery.status.mode, "discovery");
    assert.equal(t.discovery.status.problem, undefined);
    assert.equal(t.changes.length, 2);
    assert.deepEqual(natives(t.changes[1]!.diff.added), [
      "XRPUSDT:discovery",
      "BNBUSDT:discovery",
    ]);
    assert.deepEqual(t.changes[1]!.diff.removed, []);
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("CoinGecko 500 after a success keeps the last good list", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    await t.discovery.start();
    const good = t.discovery.pairs;
    const successTs = t.clock.now();
    api.coingeckoFault = { status: 500, body: "Internal Server Error" };
    t.clock.advance(HOUR);
    await t.discovery.refresh();
    assert.equal(t.changes.length, 1, "no change reported");
    assert.equal(t.discovery.pairs, good);
    const status = t.discovery.status;
    assert.equal(status.mode, "last-good");
    assert.equal(status.lastSuccessTs, successTs);
    assert.equal(status.lastAttemptTs, successTs + HOUR);
    assert.equal(
      status.problem,
      `binance discovery: CoinGecko returned HTTP 500: Internal Server Error; keeping the last good list of 5 pairs from ${
        new Date(successTs).toISOString()
      }`,
    );
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("a CoinGecko timeout falls back and says so", async () => {
  const api = startFakeApi();
  const t = setup(api, { timeoutMs: 100 });
  try {
    api.coingeckoFault = "hang";
    await t.discovery.start();
    assert.equal(t.discovery.status.mode, "fallback");
    assert.equal(
      t.discovery.status.problem,
      "binance discovery: CoinGecko did not answer within 100 ms; running on 3 fallback pairs",
    );
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("exchangeInfo failure: guessed fallback pairs, flagged; later resolved through exchangeInfo", async () => {
  const api = startFakeApi();
  const t = setup(api, { fallback: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XYZ"] });
  try {
    api.exchangeInfoFault = {
      status: 503,
      body: JSON.stringify({
        code: -1008,
        msg: "Server is currently overloaded",
      }),
    };
    await t.discovery.start();
    assert.equal(t.discovery.symbols, undefined);
    assert.deepEqual(t.discovery.pairs, [
      {
        nativeSymbol: "BTCUSDT",
        symbol: "BTC-USDT",
        source: "fallback",
        guessed: true,
      },
      {
        nativeSymbol: "ETHUSDT",
        symbol: "ETH-USDT",
        source: "fallback",
        guessed: true,
      },
      {
        nativeSymbol: "SOLUSDT",
        symbol: "SOL-USDT",
        source: "fallback",
        guessed: true,
      },
    ]);
    const status = t.discovery.status;
    assert.equal(status.mode, "fallback");
    assert.deepEqual(status.guessed, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
    assert.deepEqual(status.unknown, ["XYZ"]);
    assert.equal(
      status.problem,
      "binance discovery: Binance exchangeInfo returned HTTP 503: Server is currently overloaded; running on 3 fallback pairs (symbols guessed: exchangeInfo unavailable); not usable: XYZ",
    );

    // exchangeInfo back, CoinGecko down: same pairs, now resolved, no onChange.
    api.exchangeInfoFault = undefined;
    api.coingeckoFault = RATE_LIMITED;
    t.clock.advance(24_000);
    await t.discovery.refresh();
    assert.equal(t.changes.length, 1);
    assert.ok(t.discovery.pairs.every((p) => p.guessed === undefined));
    assert.equal(t.discovery.status.guessed, undefined);
    assert.deepEqual(t.discovery.status.unknown, ["XYZ"]);
    assert.equal(t.discovery.status.failures, 2);
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("both upstreams failing are both named", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    api.coingeckoFault = RATE_LIMITED;
    api.exchangeInfoFault = { status: 502, body: "Bad Gateway" };
    await t.discovery.start();
    assert.equal(
      t.discovery.status.lastError,
      "CoinGecko returned HTTP 429: You've exceeded the Rate Limit.; Binance exchangeInfo returned HTTP 502: Bad Gateway",
    );
    assert.ok(t.discovery.pairs.every((p) => p.guessed === true));
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("the API key goes to CoinGecko only, and never into status or errors", async () => {
  const api = startFakeApi();
  const t = setup(api, { coingeckoApiKey: KEY });
  try {
    await t.discovery.start();
    const cg = api.requests.find((r) => r.path === "/api/v3/coins/markets");
    const bn = api.requests.find((r) => r.path === "/api/v3/exchangeInfo");
    assert.equal(cg?.headers["x-cg-demo-api-key"], KEY);
    assert.ok(!JSON.stringify(bn).includes(KEY));

    api.coingeckoFault = {
      status: 401,
      body: JSON.stringify({ error: `invalid api key ${KEY}` }),
    };
    t.clock.advance(HOUR);
    await t.discovery.refresh();
    const status = JSON.stringify(t.discovery.status);
    assert.match(status, /CoinGecko returned HTTP 401: invalid api key \*\*\*/);
    assert.ok(!status.includes(KEY));
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("failures warn once per streak, back off, and recovery is logged", async () => {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: ["tickgate"], lowestLevel: "debug", sinks: ["memory"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
    ],
  });
  const api = startFakeApi();
  const t = setup(api, { coingeckoApiKey: KEY });
  try {
    api.coingeckoFault = RATE_LIMITED;
    await t.discovery.start();
    // Retries at 24 s, then 48 s, then 96 s (80 % of 30/60/120 s).
    for (const step of [24_000, 48_000]) {
      t.clock.advance(step - 1);
      assert.equal(t.hits("/coins/markets"), step === 24_000 ? 1 : 2);
      t.clock.advance(1);
      await t.discovery.refresh();
    }
    assert.equal(t.hits("/coins/markets"), 3);
    assert.equal(t.discovery.status.failures, 3);
    api.coingeckoFault = undefined;
    t.clock.advance(96_000);
    await t.discovery.refresh();
    assert.equal(t.discovery.status.mode, "discovery");

    // (The fixture's malformed coin entry earns its own warning per fetch.)
    const warnings = records.filter((r) =>
      r.level === "warning" && /pair discovery/.test(String(r.rawMessage))
    );
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.rawMessage), /pair discovery failed/);
    assert.equal(warnings[0]?.properties.retryInMs, 24_000);
    const recovered = records.filter((r) =>
      r.level === "info" && /recovered/.test(String(r.rawMessage))
    );
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0]?.properties.failures, 3);
    assert.ok(!JSON.stringify(records.map((r) => r.properties)).includes(KEY));
  } finally {
    t.discovery.stop();
    await api.close();
    await reset();
  }
});

Deno.test("concurrent refresh calls share one run", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    const a = t.discovery.refresh();
    const b = t.discovery.refresh();
    assert.equal(a, b);
    await Promise.all([a, b]);
    assert.equal(t.hits("/coins/markets"), 1);
    assert.equal(t.hits("/exchangeInfo"), 1);
    assert.equal(t.changes.length, 1);
    assert.equal(
      t.clock.pending,
      0,
      "refresh() before start() schedules nothing",
    );
  } finally {
    t.discovery.stop();
    await api.close();
  }
});

Deno.test("stop() cancels the timer; nothing runs after it", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    await t.discovery.start();
    assert.equal(t.clock.pending, 1);
    t.discovery.stop();
    assert.equal(t.clock.pending, 0);
    t.clock.advance(10 * HOUR);
    await t.discovery.refresh();
    await t.discovery.start();
    assert.equal(t.hits("/coins/markets"), 1);
    assert.equal(t.changes.length, 1);
  } finally {
    await api.close();
  }
});

Deno.test("stop() during a refresh cancels its requests and drops the result", async () => {
  const api = startFakeApi();
  const t = setup(api);
  try {
    api.coingeckoFault = "hang";
    const started = t.discovery.start();
    t.discovery.stop();
    await started;
    assert.equal(t.changes.length, 0);
    assert.deepEqual(t.discovery.pairs, []);
    assert.equal(t.clock.pending, 0);
  } finally {
    await api.close();
  }
});
