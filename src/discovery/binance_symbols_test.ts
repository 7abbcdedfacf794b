import assert from "node:assert/strict";
import {
  fetchBinanceSymbols,
  guessSymbol,
  parseExchangeInfo,
  resolvePairs,
  type SymbolInfo,
} from "./binance_symbols.ts";
import { DiscoveryError } from "./coingecko.ts";
import { spotSymbol, startFakeApi } from "./_test_server.ts";

Deno.test("fetchBinanceSymbols keys exchangeInfo by native symbol, metadata from the asset fields", async () => {
  const api = startFakeApi();
  try {
    const symbols = await fetchBinanceSymbols({ restUrl: `${api.url}/` });
    assert.deepEqual(api.requests.map((r) => r.path), ["/api/v3/exchangeInfo"]);
    assert.equal(symbols.size, 19);
    assert.deepEqual(symbols.get("BTCUSDT"), {
      nativeSymbol: "BTCUSDT",
      symbol: "BTC-USDT",
      base: "BTC",
      quote: "USDT",
      status: "TRADING",
    });
    assert.equal(symbols.get("ADAUSDT")?.status, "BREAK");
    assert.equal(symbols.get("BTCFDUSD")?.symbol, "BTC-FDUSD");
    assert.equal(symbols.get("ETHBTC")?.symbol, "ETH-BTC");
  } finally {
    await api.close();
  }
});

Deno.test("fetchBinanceSymbols keeps a base path prefix of the REST URL", async () => {
  const api = startFakeApi();
  try {
    await fetchBinanceSymbols({ restUrl: `${api.url}/proxy/binance` });
    assert.deepEqual(api.requests.map((r) => r.path), [
      "/proxy/binance/api/v3/exchangeInfo",
    ]);
  } finally {
    await api.close();
  }
});

Deno.test("parseExchangeInfo uses baseAsset/quoteAsset, never the symbol string", () => {
  const { symbols, invalid } = parseExchangeInfo({
    symbols: [
      {
        symbol: "ABCXYZ",
        status: "TRADING",
        baseAsset: "ABC",
        quoteAsset: "XYZ",
      },
      // "ABCXYZ" has no known quote suffix: only the fields can split it.
      spotSymbol("1000SATS", "USDT"),
      { symbol: "BROKEN", status: "TRADING" },
      "junk",
    ],
  });
  assert.equal(invalid, 2);
  assert.equal(symbols.get("ABCXYZ")?.symbol, "ABC-XYZ");
  assert.equal(symbols.get("1000SATSUSDT")?.base, "1000SATS");
  assert.throws(() => parseExchangeInfo({ code: -1 }), DiscoveryError);
  assert.throws(() => parseExchangeInfo(null), /no symbols array/);
});

Deno.test("fetchBinanceSymbols turns HTTP errors into DiscoveryError(exchangeInfo)", async () => {
  const api = startFakeApi();
  try {
    api.exchangeInfoFault = {
      status: 418,
      body: JSON.stringify({
        code: -1003,
        msg: "Way too much request weight used; IP banned until 1768212000000.",
      }),
    };
    await assert.rejects(
      fetchBinanceSymbols({ restUrl: api.url }),
      (e: unknown) =>
        e instanceof DiscoveryError && e.source === "exchangeInfo" &&
        e.status === 418 &&
        e.message ===
          "Binance exchangeInfo returned HTTP 418: Way too much request weight used; IP banned until 1768212000000.",
    );
    api.exchangeInfoFault = "hang";
    await assert.rejects(
      fetchBinanceSymbols({ restUrl: api.url, timeoutMs: 100 }),
      /Binance exchangeInfo did not answer within 100 ms/,
    );
    api.exchangeInfoFault = undefined;
    api.exchangeInfo = { symbols: [] };
    await assert.rejects(
      fetchBinanceSymbols({ restUrl: api.url }),
      /listed no symbols/,
    );
  } finally {
    await api.close();
  }
});

Deno.test("guessSymbol splits at the longest known quote and says it guessed", () => {
  assert.deepEqual(guessSymbol("BTCUSDT"), {
    nativeSymbol: "BTCUSDT",
    symbol: "BTC-USDT",
    base: "BTC",
    quote: "USDT",
    status: "UNKNOWN",
  });
  assert.equal(guessSymbol("BNBFDUSD")?.symbol, "BNB-FDUSD");
  assert.equal(guessSymbol("BTCTUSD")?.symbol, "BTC-TUSD");
  assert.equal(guessSymbol("ETHBTC")?.symbol, "ETH-BTC");
  assert.equal(guessSymbol("BTCTRY")?.symbol, "BTC-TRY");
  assert.equal(guessSymbol("eth-usdc")?.symbol, "ETH-USDC");
  assert.equal(guessSymbol("USDT"), undefined, "a quote alone has no base");
  assert.equal(guessSymbol("FOO"), undefined);
  assert.equal(guessSymbol("BTC USDT"), undefined);
});

Deno.test("resolvePairs with exchangeInfo: listed pairs (any status), unknown reported", () => {
  const info = parseExchangeInfo({
    symbols: [spotSymbol("BTC", "USDT"), spotSymbol("ADA", "USDT", "BREAK")],
  }).symbols;
  const r = resolvePairs(["btcusdt", "ADAUSDT", "FOOUSDT", "BTC-USDT"], info);
  assert.deepEqual(r.pairs.map((p: SymbolInfo) => [p.symbol, p.status]), [
    ["BTC-USDT", "TRADING"],
    ["ADA-USDT", "BREAK"],
  ]);
  assert.deepEqual(r.guessed, []);
  assert.deepEqual(r.unknown, ["FOOUSDT"]);
});

Deno.test("resolvePairs without exchangeInfo guesses and flags every pair", () => {
  const r = resolvePairs(["BTCUSDT", "ETHUSDT", "SOLUSDT", "WHAT"], undefined);
  assert.deepEqual(r.pairs.map((p) => p.symbol), [
    "BTC-USDT",
    "ETH-USDT",
    "SOL-USDT",
  ]);
  assert.ok(r.pairs.every((p) => p.status === "UNKNOWN"));
  assert.deepEqual(r.guessed, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
  assert.deepEqual(r.unknown, ["WHAT"]);
});
