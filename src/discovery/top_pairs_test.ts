import assert from "node:assert/strict";
import { parseExchangeInfo, resolvePairs } from "./binance_symbols.ts";
import { parseMarketsPage, type RankedCoin } from "./coingecko.ts";
import {
  defaultCoinLimit,
  diffPairs,
  type DiscoveredPair,
  fallbackPairs,
  isEmptyDiff,
  retryDelay,
  selectTopPairs,
} from "./top_pairs.ts";
import { defaultCoins, defaultExchangeInfo } from "./_test_server.ts";

const coins = parseMarketsPage(defaultCoins(), 0).coins;
const symbols = parseExchangeInfo(defaultExchangeInfo()).symbols;
const FALLBACK = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];

const natives = (pairs: readonly DiscoveredPair[]) =>
  pairs.map((p) => `${p.nativeSymbol}:${p.source}:${p.rank ?? "-"}`);

Deno.test("selectTopPairs maps the ranking in order, skipping the quote, non-TRADING and unlisted coins", () => {
  const r = selectTopPairs({
    coins,
    symbols,
    quote: "USDT",
    limit: 100,
    fallback: FALLBACK,
  });
  assert.deepEqual(natives(r.pairs), [
    "BTCUSDT:discovery:1",
    "ETHUSDT:discovery:2",
    "XRPUSDT:discovery:4",
    "BNBUSDT:discovery:5",
    "SOLUSDT:discovery:6",
    "USDCUSDT:discovery:7",
    "TRXUSDT:discovery:11",
    "DOGEUSDT:discovery:12",
    "TONUSDT:discovery:14", // the-open-network; tokamak's TON (17) is a duplicate
    "LINKUSDT:discovery:16",
  ]);
  assert.deepEqual(r.pairs[0], {
    nativeSymbol: "BTCUSDT",
    symbol: "BTC-USDT",
    source: "discovery",
    rank: 1,
  });
  // ADA is on BREAK; the others have no USDT pair at all.
  assert.deepEqual(r.unmapped, ["STETH", "ADA", "HYPE", "LEO"]);
  assert.deepEqual(r.unknownFallback, []);
});

Deno.test("selectTopPairs stops at the limit and still adds every fallback pair", () => {
  const r = selectTopPairs({
    coins,
    symbols,
    quote: "USDT",
    limit: 3,
    fallback: [...FALLBACK, "ethusdt", "BNBBTC", "FOOUSDT"],
  });
  assert.deepEqual(natives(r.pairs), [
    "BTCUSDT:discovery:1",
    "ETHUSDT:discovery:2",
    "XRPUSDT:discovery:4",
    "SOLUSDT:fallback:-",
    "BNBBTC:fallback:-",
  ]);
  assert.equal(r.pairs[3]?.symbol, "SOL-USDT");
  assert.deepEqual(r.unknownFallback, ["FOOUSDT"]);
  assert.deepEqual(r.unmapped, [], "the walk stopped before any miss");

  const none = selectTopPairs({
    coins,
    symbols,
    quote: "USDT",
    limit: 0,
    fallback: FALLBACK,
  });
  assert.deepEqual(natives(none.pairs), [
    "BTCUSDT:fallback:-",
    "ETHUSDT:fallback:-",
    "SOLUSDT:fallback:-",
  ]);
});

Deno.test("selectTopPairs filters by quote", () => {
  const r = selectTopPairs({
    coins,
    symbols,
    quote: "usdc",
    limit: 10,
    fallback: ["BTCUSDT"],
  });
  // SOLUSDC is on BREAK; the USDC coin itself is the quote.
  assert.deepEqual(natives(r.pairs), [
    "BTCUSDC:discovery:1",
    "ETHUSDC:discovery:2",
    "BTCUSDT:fallback:-",
  ]);
  assert.deepEqual(r.pairs.map((p) => p.symbol), [
    "BTC-USDC",
    "ETH-USDC",
    "BTC-USDT",
  ]);
});

Deno.test("selectTopPairs: the first coin by rank owns a duplicated ticker, in any input order", () => {
  const shuffled: RankedCoin[] = [
    {
      id: "tokamak-network",
      symbol: "TON",
      name: "Tokamak",
      rank: 40,
      marketCap: 1,
    },
    { id: "bitcoin", symbol: "BTC", name: "Bitcoin", rank: 1, marketCap: 9 },
    {
      id: "the-open-network",
      symbol: "TON",
      name: "Toncoin",
      rank: 12,
      marketCap: 5,
    },
  ];
  const r = selectTopPairs({
    coins: shuffled,
    symbols,
    quote: "USDT",
    limit: 10,
    fallback: [],
  });
  assert.deepEqual(natives(r.pairs), [
    "BTCUSDT:discovery:1",
    "TONUSDT:discovery:12",
  ]);
});

Deno.test("diffPairs compares by native symbol; a changed unified symbol is removed and added", () => {
  const p = (
    nativeSymbol: string,
    symbol: string,
    source: DiscoveredPair["source"] = "discovery",
  ): DiscoveredPair => ({ nativeSymbol, symbol, source });
  const before = [p("BTCUSDT", "BTC-USDT"), p("XRPUSDT", "XRP-USDT")];
  const after = [
    p("BTCUSDT", "BTC-USDT", "fallback"),
    p("DOGEUSDT", "DOGE-USDT"),
  ];
  assert.deepEqual(diffPairs(before, after), {
    added: [p("DOGEUSDT", "DOGE-USDT")],
    removed: [p("XRPUSDT", "XRP-USDT")],
  });
  assert.ok(isEmptyDiff(diffPairs(before, [...before].reverse())));
  const renamed = diffPairs([p("ABCXYZ", "ABCX-YZ")], [p("ABCXYZ", "ABC-XYZ")]);
  assert.deepEqual(renamed, {
    added: [p("ABCXYZ", "ABC-XYZ")],
    removed: [p("ABCXYZ", "ABCX-YZ")],
  });
});

Deno.test("fallbackPairs flags guessed symbols only", () => {
  assert.deepEqual(fallbackPairs(resolvePairs(["BTCUSDT"], symbols)), [
    { nativeSymbol: "BTCUSDT", symbol: "BTC-USDT", source: "fallback" },
  ]);
  assert.deepEqual(fallbackPairs(resolvePairs(["BTCUSDT"], undefined)), [
    {
      nativeSymbol: "BTCUSDT",
      symbol: "BTC-USDT",
      source: "fallback",
      guessed: true,
    },
  ]);
});

Deno.test("defaultCoinLimit asks for whole pages covering three coins per pair", () => {
  assert.equal(defaultCoinLimit(0), 0);
  assert.equal(defaultCoinLimit(5), 250);
  assert.equal(defaultCoinLimit(200), 750);
  assert.equal(defaultCoinLimit(10_000), 2_000);
});

Deno.test("retryDelay doubles from 30 s up to the refresh period, honouring Retry-After", () => {
  const o = { baseMs: 30_000, refreshMs: 3_600_000, random: () => 0.999999 };
  const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) =>
    Math.round(retryDelay(n, o) / 1000)
  );
  assert.deepEqual(ceilings, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  assert.equal(retryDelay(1, { ...o, random: () => 0 }), 24_000);
  assert.equal(retryDelay(1, { ...o, retryAfterMs: 90_000 }), 90_000);
  assert.equal(retryDelay(1, { ...o, retryAfterMs: 1e9 }), 3_600_000);
  assert.equal(
    retryDelay(1, { ...o, refreshMs: 10_000, random: () => 0 }),
    8_000,
  );
});
