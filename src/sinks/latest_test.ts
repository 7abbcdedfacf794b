import assert from "node:assert/strict";
import type { NormalizedEvent } from "../core/events.ts";
import { LatestStore } from "./latest.ts";

function book(
  venue: "coinbase" | "binance",
  type: "snapshot" | "delta",
  bids: [string, string][],
  asks: [string, string][],
  ts: number,
): NormalizedEvent {
  return {
    id: `${venue}:BTC-USD:book:${ts}`,
    kind: "book",
    venue,
    symbol: "BTC-USD",
    nativeSymbol: venue === "binance" ? "BTCUSD" : "BTC-USD",
    exchangeTs: ts,
    receivedTs: ts,
    type,
    bids,
    asks,
  };
}

Deno.test("LatestStore keeps best bid/ask from a local book, per venue", () => {
  const store = new LatestStore();
  store.write([
    book(
      "coinbase",
      "snapshot",
      [["100", "1"], ["99", "2"]],
      [["101", "3"]],
      1,
    ),
    book("binance", "snapshot", [["200", "1"]], [["201", "1"]], 2),
  ]);
  store.write([book("coinbase", "delta", [["100", "0.00000000"]], [], 3)]);
  const [binance, coinbase] = store.query(["btc-usd"]);
  assert.equal(coinbase?.venue, "coinbase");
  assert.deepEqual(
    [coinbase?.bid, coinbase?.bidSize, coinbase?.ask, coinbase?.askSize],
    ["99", "2", "101", "3"],
  );
  assert.equal(coinbase?.quoteSource, "book");
  assert.equal(coinbase?.quoteTs, 3);
  assert.equal(coinbase?.lastTrade, null);
  assert.deepEqual([binance?.venue, binance?.bid, binance?.ask], [
    "binance",
    "200",
    "201",
  ]);
  assert.deepEqual(store.query(["BTCUSD"]).map((e) => e.venue), ["binance"]);
  assert.deepEqual(store.query(["ETH-USD"]), []);
});

Deno.test("LatestStore quotes whichever of ticker and book came last", () => {
  const ticker = (bid: string, ask: string, ts: number): NormalizedEvent => ({
    id: `coinbase:BTC-USD:ticker:${ts}`,
    kind: "ticker",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: ts,
    receivedTs: ts,
    bid,
    bidSize: "1",
    ask,
    askSize: "2",
    last: "100",
    volume24h: "5",
    sequence: ts,
  });
  const store = new LatestStore();
  const quote = () => {
    const [e] = store.query();
    return [e?.bid, e?.bidSize, e?.ask, e?.askSize, e?.quoteTs, e?.quoteSource];
  };
  store.write([ticker("99", "101", 1)]);
  assert.deepEqual(quote(), ["99", "1", "101", "2", 1, "ticker"]);
  store.write([book("coinbase", "snapshot", [["98", "3"]], [["102", "4"]], 2)]);
  assert.deepEqual(quote(), ["98", "3", "102", "4", 2, "book"]);
  store.write([ticker("97", "103", 3)]);
  assert.deepEqual(quote(), ["97", "1", "103", "2", 3, "ticker"]);
  // A ticker without a quote leaves the last one as it was.
  store.write([ticker("", "", 4)]);
  assert.deepEqual(quote(), ["97", "1", "103", "2", 3, "ticker"]);
});
