import assert from "node:assert/strict";
import type { OrderEvent } from "../../core/events.ts";
import type { Json } from "../fields.ts";
import { parse, RECEIVED } from "./_private_test_parse.ts";

// The documented example (exchanges.md §4.5), `extraFees` shortened.
const EXECUTION = {
  category: "linear",
  symbol: "BTCUSDT",
  closedSize: "0.5",
  execFee: "26.3725275",
  execId: "0ab1bdf7-4219-438b-b30a-32ec863018f7",
  execPrice: "95900.1",
  execQty: "0.5",
  execType: "Trade",
  execValue: "47950.05",
  feeRate: "0.00055",
  tradeIv: "",
  markIv: "",
  blockTradeId: "",
  markPrice: "95901.48",
  indexPrice: "",
  underlyingPrice: "",
  leavesQty: "0",
  orderId: "9aac161b-8ed6-450d-9cab-c5cc67c21784",
  orderLinkId: "",
  orderPrice: "94942.5",
  orderQty: "0.5",
  orderType: "Market",
  stopOrderType: "UNKNOWN",
  side: "Sell",
  execTime: "1746270400353",
  isLeverage: "0",
  isMaker: false,
  seq: 140612148849382,
  marketUnit: "",
  execPnl: "0.05",
  createType: "CreateByUser",
  extraFees: [{ feeCoin: "USDT", feeType: "GST", fee: "0.006403779" }],
  feeCurrency: "USDT",
};

const frame = (topic: string, data: Json[], creationTime = 1746270400355) => ({
  id: "386825804_BTCUSDT_140612148849382",
  topic,
  creationTime,
  data,
});

Deno.test("execution: the documented fill, every field", () => {
  const { outcome, events } = parse(frame("execution", [EXECUTION]));
  assert.equal(outcome, "ok");
  assert.deepEqual(events, [{
    id: "bybit:BTC-USDT:execution:0ab1bdf7-4219-438b-b30a-32ec863018f7",
    kind: "order",
    venue: "bybit",
    symbol: "BTC-USDT",
    nativeSymbol: "BTCUSDT",
    exchangeTs: 1746270400353,
    receivedTs: RECEIVED,
    orderId: "9aac161b-8ed6-450d-9cab-c5cc67c21784",
    clientOrderId: "",
    status: "filled",
    side: "sell",
    orderType: "market",
    price: "94942.5",
    size: "0.5",
    filledSize: "0.5",
    avgPrice: "",
    execId: "0ab1bdf7-4219-438b-b30a-32ec863018f7",
    execPrice: "95900.1",
    execSize: "0.5",
    fee: "26.3725275",
    feeCurrency: "USDT",
    liquidity: "taker",
    category: "linear",
  }]);
});

Deno.test("execution: partial then full fill, filled size exact", () => {
  const limit = {
    ...EXECUTION,
    orderType: "Limit",
    orderQty: "0.3",
    isMaker: true,
    execFee: "-0.0019",
  };
  const { outcome, events } = parse(frame("execution.linear", [
    { ...limit, execId: "e1", execQty: "0.1", leavesQty: "0.2" },
    { ...limit, execId: "e2", execQty: "0.2", leavesQty: "0.0" },
  ]));
  assert.equal(outcome, "ok");
  const [a, b] = events as OrderEvent[];
  assert.deepEqual(
    [a?.status, a?.filledSize, a?.execSize, a?.liquidity, a?.fee, a?.id],
    [
      "partially_filled",
      "0.1",
      "0.1",
      "maker",
      "-0.0019",
      "bybit:BTC-USDT:execution:e1",
    ],
  );
  assert.deepEqual([b?.status, b?.filledSize], ["filled", "0.3"]);
});

Deno.test("execution: non-Trade exec types keep their own status", () => {
  const [f] = parse(
    frame("execution", [{
      ...EXECUTION,
      execType: "Funding",
      execFee: "0.12",
      leavesQty: "0",
      orderQty: "0",
    }]),
  ).events as OrderEvent[];
  assert.equal(f?.status, "funding");
  const [adl] = parse(
    frame("execution", [{ ...EXECUTION, execType: "AdlTrade" }]),
  ).events as OrderEvent[];
  assert.equal(adl?.status, "adl_trade");
});

Deno.test("execution.fast: the documented fill, without order fields", () => {
  const item = { // fast-execution page example
    category: "linear",
    symbol: "ICPUSDT",
    execId: "3510f361-0add-5c7b-a2e7-9679810944fc",
    execPrice: "12.015",
    execQty: "3000",
    orderId: "443d63fa-b4c3-4297-b7b1-23bca88b04dc",
    isMaker: false,
    orderLinkId: "test-00001",
    side: "Sell",
    execTime: "1716800399334",
    seq: 34771365464,
  };
  for (const topic of ["execution.fast", "execution.fast.linear"]) {
    const { outcome, events } = parse({
      topic,
      creationTime: 1716800399338,
      data: [item],
    });
    assert.equal(outcome, "ok");
    const e = events[0] as OrderEvent;
    assert.equal(e.id, `bybit:ICP-USDT:execution_fast:${item.execId}`);
    assert.deepEqual(
      [
        e.status,
        e.clientOrderId,
        e.filledSize,
        e.size,
        e.price,
        e.orderType,
        e.execSize,
        e.fee,
        e.feeCurrency,
        e.liquidity,
        e.exchangeTs,
      ],
      [
        "trade",
        "test-00001",
        "",
        "",
        "",
        "",
        "3000",
        undefined,
        undefined,
        "taker",
        1716800399334,
      ],
    );
  }
});

Deno.test("execution: an identical re-sent fill has the same id", () => {
  const a = parse(frame("execution", [EXECUTION]), RECEIVED).events;
  const b = parse(
    { ...frame("execution", [EXECUTION], 1746270409999), id: "other" },
    RECEIVED + 5000,
  ).events;
  assert.equal(a.length, 1);
  assert.deepEqual(a.map((e) => e.id), b.map((e) => e.id));
});

Deno.test("execution: a bad fill is skipped, the others still count", () => {
  const bad = [
    { ...EXECUTION, execId: "" },
    { ...EXECUTION, execQty: 0.5 },
    { ...EXECUTION, side: "BUY" },
    { ...EXECUTION, orderLinkId: 7 },
    { ...EXECUTION, execType: undefined }, // only execution.fast may omit it
    "not an item",
  ];
  for (const b of bad) {
    const { outcome, events } = parse(frame("execution", [EXECUTION, b]));
    assert.equal(outcome, "invalid", JSON.stringify(b));
    assert.equal(events.length, 1);
  }
  const all = parse(frame("execution", [{ ...EXECUTION, execId: 1 }]));
  assert.deepEqual([all.outcome, all.events.length], ["invalid", 0]);
});
