import assert from "node:assert/strict";
import { unifiedSymbol } from "./symbols.ts";
import { splitTopic } from "./topics.ts";

Deno.test("Bybit symbols map to unified symbols per category", () => {
  const cases: [string, string, string][] = [
    ["BTCUSDT", "spot", "BTC-USDT"],
    ["ethbtc", "spot", "ETH-BTC"],
    ["BTCUSDT", "linear", "BTC-USDT-PERP"],
    ["BTCPERP", "linear", "BTC-USDC-PERP"],
    ["BTC-26DEC25", "linear", "BTC-USDC-26DEC25"],
    ["BTCUSDT-26DEC25", "linear", "BTC-USDT-26DEC25"],
    ["BTCUSD", "inverse", "BTC-USD-PERP"],
    ["BTCUSDH26", "inverse", "BTC-USD-H26"],
    ["WEIRD", "spot", "WEIRD"],
  ];
  for (const [native, category, unified] of cases) {
    assert.equal(unifiedSymbol(native, category), unified, native);
  }
});

Deno.test("topics split into kind, name, symbol, depth and interval", () => {
  assert.deepEqual(splitTopic("orderbook.50.BTCUSDT"), {
    kind: "book",
    name: "orderbook.50",
    nativeSymbol: "BTCUSDT",
    depth: 50,
    interval: "",
  });
  assert.equal(splitTopic("kline.D.ETHUSDT")?.interval, "1d");
  assert.equal(splitTopic("kline.60.ETHUSDT")?.interval, "1h");
  assert.equal(splitTopic("publicTrade.BTCUSDT")?.kind, "trade");
  assert.equal(splitTopic("tickers.BTCUSDT")?.kind, "ticker");
  for (
    const bad of [
      "kline.2.BTCUSDT",
      "orderbook.x.BTC",
      "order",
      "x.",
      "liquidation.BTCUSDT",
    ]
  ) {
    assert.equal(splitTopic(bad), undefined, bad);
  }
});
