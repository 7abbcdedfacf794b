import assert from "node:assert/strict";
import { type NormalizedEvent, statusEvent } from "./events.ts";
import { Router } from "./router.ts";

function trade(
  symbol: string,
  venue: "coinbase" | "binance" = "coinbase",
): NormalizedEvent {
  return {
    id: `${venue}:${symbol}:trade:1`,
    kind: "trade",
    venue,
    symbol,
    nativeSymbol: symbol.replace("-", ""),
    exchangeTs: 1,
    receivedTs: 2,
    tradeId: "1",
    price: "1",
    size: "1",
    side: "buy",
  };
}

class Collect {
  readonly got: NormalizedEvent[] = [];
  write(events: readonly NormalizedEvent[]) {
    this.got.push(...events);
  }
}

Deno.test("Router.write() applies kind, venue and symbol filters", () => {
  const all = new Collect();
  const trades = new Collect();
  const btc = new Collect();
  const binance = new Collect();
  const router = new Router([
    { filter: {}, sink: all },
    { filter: { kinds: new Set(["trade"]) }, sink: trades },
    { filter: { symbols: new Set(["BTCUSD"]) }, sink: btc }, // native symbol
    { filter: { venues: new Set(["binance"]) }, sink: binance },
  ]);
  const status = statusEvent({
    venue: "coinbase",
    connection: "coinbase-0",
    state: "connected",
    detail: "",
    symbol: "*",
    nativeSymbol: "*",
    ts: 1,
  });
  const batch = [
    trade("BTC-USD"),
    trade("ETH-USD"),
    status,
    trade("BTC-USDT", "binance"),
  ];
  router.write(batch);
  assert.equal(all.got.length, 4);
  assert.deepEqual(trades.got.map((e) => e.symbol), [
    "BTC-USD",
    "ETH-USD",
    "BTC-USDT",
  ]);
  assert.deepEqual(btc.got.map((e) => e.symbol), ["BTC-USD", "*"]); // `*` passes symbol filters
  assert.deepEqual(binance.got.map((e) => e.symbol), ["BTC-USDT"]);
});
