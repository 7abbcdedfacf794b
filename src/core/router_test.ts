import assert from "node:assert/strict";
import { type NormalizedEvent, statusEvent } from "./events.ts";
import { type Route, Router } from "./router.ts";

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

/** A connection-wide status event (symbol `*`). */
function connected(): NormalizedEvent {
  return statusEvent({
    venue: "coinbase",
    connection: "coinbase-0",
    state: "connected",
    detail: "",
    symbol: "*",
    nativeSymbol: "*",
    ts: 1,
  });
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
  const status = connected();
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

Deno.test("Router.write() gives a one-event batch to exactly the sinks its kind passes, with or without symbol routes", () => {
  for (const withSymbolRoute of [false, true]) {
    const all = new Collect();
    const balances = new Collect();
    const tradesAndStatus = new Collect();
    const routes: Route[] = [
      { filter: {}, sink: all },
      { filter: { kinds: new Set(["balance" as const]) }, sink: balances },
      {
        filter: { kinds: new Set(["trade" as const, "status" as const]) },
        sink: tradesAndStatus,
      },
    ];
    const btc = new Collect();
    if (withSymbolRoute) {
      routes.push({ filter: { symbols: new Set(["BTC-USD"]) }, sink: btc });
    }
    const router = new Router(routes);
    const status = connected();
    for (const e of [trade("BTC-USD"), status, trade("ETH-USD")]) {
      router.write([e]);
    }
    assert.deepEqual(all.got.map((e) => e.kind), ["trade", "status", "trade"]);
    assert.deepEqual(balances.got, []);
    assert.deepEqual(tradesAndStatus.got.map((e) => e.symbol), [
      "BTC-USD",
      "*",
      "ETH-USD",
    ]);
    assert.deepEqual(
      btc.got.map((e) => e.symbol),
      withSymbolRoute ? ["BTC-USD", "*"] : [],
    );
  }
});
