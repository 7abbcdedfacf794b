import assert from "node:assert/strict";
import type { BalanceEvent } from "../../core/events.ts";
import type { Json } from "../fields.ts";
import { parse, RECEIVED } from "./_private_test_parse.ts";

// Field sets as documented on the wallet and position pages of
// https://bybit-exchange.github.io/docs/v5/websocket/private.
const POSITION = {
  category: "linear",
  symbol: "ETHUSDT",
  side: "Sell",
  size: "1.50",
  positionIdx: 0,
  tradeMode: 0,
  positionValue: "5400.75",
  riskId: 1,
  riskLimitValue: "900000",
  entryPrice: "3600.5",
  markPrice: "3598.2",
  leverage: "10",
  positionBalance: "540.08",
  autoAddMargin: 0,
  positionIM: "540.08",
  positionMM: "27.0",
  liqPrice: "3950.1",
  bustPrice: "",
  takeProfit: "0",
  stopLoss: "0",
  unrealisedPnl: "3.45",
  curRealisedPnl: "-2.97",
  cumRealisedPnl: "-120.3",
  positionStatus: "Normal",
  adlRankIndicator: 2,
  isReduceOnly: false,
  createdTime: "1746270000000",
  updatedTime: "1746270400360",
  seq: 140612148849390,
};

const frame = (topic: string, data: Json[], creationTime = 1746270400355) => ({
  id: "386825804_BTCUSDT_140612148849382",
  topic,
  creationTime,
  data,
});

Deno.test("wallet: a balance per coin; empty locked is 0, free computed", () => {
  const { outcome, events } = parse(frame("wallet", [{
    accountType: "UNIFIED",
    accountIMRate: "0.0112",
    accountMMRate: "0.0021",
    totalEquity: "20410.35",
    totalWalletBalance: "20402.1",
    totalMarginBalance: "20410.35",
    totalAvailableBalance: "20180.12",
    totalPerpUPL: "8.25",
    totalInitialMargin: "230.23",
    totalMaintenanceMargin: "43.02",
    coin: [
      {
        coin: "USDT",
        equity: "20010.2",
        usdValue: "20011.4",
        walletBalance: "20001.95",
        locked: "",
        spotHedgingQty: "0",
        borrowAmount: "0",
        unrealisedPnl: "8.25",
        cumRealisedPnl: "-120.3",
      },
      {
        coin: "BTC",
        equity: "0.3",
        usdValue: "28770.03",
        walletBalance: "0.30000000",
        locked: "0.1",
        borrowAmount: "0",
        unrealisedPnl: "0",
        cumRealisedPnl: "0",
      },
    ],
  }]));
  assert.equal(outcome, "ok");
  const [usdt, btc] = events as BalanceEvent[];
  assert.deepEqual(usdt, {
    id: "bybit:USDT:balance:UNIFIED:1746270400355",
    kind: "balance",
    venue: "bybit",
    symbol: "USDT",
    nativeSymbol: "USDT",
    exchangeTs: 1746270400355,
    receivedTs: RECEIVED,
    account: "UNIFIED",
    coin: "USDT",
    free: "20001.95",
    locked: "0",
    total: "20001.95",
  });
  assert.deepEqual([btc?.free, btc?.locked, btc?.total], [
    "0.20000000",
    "0.1",
    "0.30000000",
  ]);
  const [spot] = parse(
    frame("wallet", [{
      accountType: "SPOT",
      coin: [{ coin: "ETH", walletBalance: "2", free: "1.5", locked: "0.4" }],
    }]),
  ).events as BalanceEvent[];
  assert.deepEqual([spot?.account, spot?.free, spot?.locked], [
    "SPOT",
    "1.5",
    "0.4",
  ]);
});

Deno.test("position: a short is negative; flat positions are 0", () => {
  const { outcome, events } = parse(frame("position", [POSITION]));
  assert.equal(outcome, "ok");
  assert.deepEqual(events, [{
    id: "bybit:ETH-USDT:position:linear:0:140612148849390",
    kind: "balance",
    venue: "bybit",
    symbol: "ETH-USDT",
    nativeSymbol: "ETHUSDT",
    exchangeTs: 1746270400360,
    receivedTs: RECEIVED,
    account: "position:linear",
    coin: "ETHUSDT",
    free: "-1.50",
    locked: "0",
    total: "-1.50",
    entryPrice: "3600.5",
    markPrice: "3598.2",
    unrealisedPnl: "3.45",
    category: "linear",
  }]);
  const { seq: _, entryPrice: __, ...noSeq } = POSITION;
  const more = parse(frame("position.inverse", [
    {
      ...noSeq,
      category: "inverse",
      symbol: "BTCUSD",
      side: "Buy",
      size: "100",
      positionIdx: 1,
      avgPrice: "95000",
    },
    { ...POSITION, side: "", size: "0", positionIdx: 2 },
    { ...POSITION, side: "None", size: "0.000" },
  ])).events as BalanceEvent[];
  assert.deepEqual(more.map((e) => [e.total, e.entryPrice, e.id]), [
    ["100", "95000", "bybit:BTCUSD:inverse:position:inverse:1:1746270400360"],
    ["0", "3600.5", "bybit:ETH-USDT:position:linear:2:140612148849390"],
    ["0", "3600.5", "bybit:ETH-USDT:position:linear:0:140612148849390"],
  ]);
});

Deno.test("wallet and position: an identical re-sent update has the same ids", () => {
  const w = {
    accountType: "UNIFIED",
    coin: [{ coin: "USDT", walletBalance: "1", locked: "0" }],
  };
  const ids = (msg: Json, received: number) =>
    parse(msg, received).events.map((e) => e.id);
  assert.deepEqual(ids(frame("wallet", [w]), 1), ids(frame("wallet", [w]), 2));
  assert.deepEqual(
    ids(frame("position", [POSITION]), 1),
    ids({ ...frame("position", [POSITION], 1746270409999), id: "other" }, 2),
  );
  assert.equal(ids(frame("position", [POSITION]), 1).length, 1);
});

Deno.test("wallet and position: bad items are skipped, the frame is invalid", () => {
  const w = parse(
    frame("wallet", [{
      accountType: "UNIFIED",
      coin: [{ coin: "USDT", walletBalance: "5" }, {
        coin: "BTC",
        walletBalance: "1e-3",
      }, null],
    }]),
  );
  assert.deepEqual([w.outcome, w.events.length], ["invalid", 1]);
  assert.equal(
    parse(frame("wallet", [{ accountType: "", coin: [] }])).outcome,
    "invalid",
  );
  assert.equal(
    parse(
      frame("wallet", [{
        accountType: "UNIFIED",
        coin: [{ coin: "USDT", walletBalance: "5", locked: "x" }],
      }]),
    ).outcome,
    "invalid",
  );
  const p = parse(frame("position", [
    { ...POSITION, side: "" }, // flat side with a size
    { ...POSITION, positionIdx: "0" },
    { ...POSITION, size: "" },
    { ...POSITION, side: "Long" },
    POSITION,
  ]));
  assert.deepEqual([p.outcome, p.events.length], ["invalid", 1]);
});
