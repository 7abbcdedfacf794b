import assert from "node:assert/strict";
import type { OrderEvent } from "../../core/events.ts";
import type { Json } from "../fields.ts";
import type { Unify } from "./parse_private.ts";
import {
  parse as parseWith,
  RECEIVED,
  testUnify,
} from "./_private_test_parse.ts";

const calls: [string, string][] = [];
const recording: Unify = (s, category) => {
  calls.push([s, category]);
  return testUnify(s, category);
};

function parse(msg: Json, received = RECEIVED) {
  return parseWith(msg, received, recording);
}

// The field set documented on the order page of
// https://bybit-exchange.github.io/docs/v5/websocket/private.
const ORDER = {
  category: "linear",
  symbol: "BTCUSDT",
  orderId: "1c8bd2a1-9b2e-4c8e-8e1f-2f6a2f5c9d01",
  orderLinkId: "tg-0001",
  isLeverage: "",
  blockTradeId: "",
  price: "95000.5",
  qty: "0.3",
  side: "Buy",
  positionIdx: 0,
  orderStatus: "New",
  createType: "CreateByUser",
  cancelType: "UNKNOWN",
  rejectReason: "EC_NoError",
  avgPrice: "",
  leavesQty: "0.3",
  leavesValue: "28500.15",
  cumExecQty: "0",
  cumExecValue: "0",
  cumExecFee: "0",
  feeCurrency: "",
  timeInForce: "GTC",
  orderType: "Limit",
  stopOrderType: "",
  reduceOnly: false,
  closeOnTrigger: false,
  createdTime: "1746270400100",
  updatedTime: "1746270400100",
  smpType: "None",
};

const frame = (topic: string, data: Json[], creationTime = 1746270400355) => ({
  id: "386825804_BTCUSDT_140612148849382",
  topic,
  creationTime,
  data,
});

const orders = (...items: Json[]) =>
  parse(frame("order", items)).events as OrderEvent[];

Deno.test("order: a new limit order, every field", () => {
  calls.length = 0;
  const { outcome, events } = parse(frame("order", [ORDER]));
  assert.equal(outcome, "ok");
  assert.deepEqual(calls, [["BTCUSDT", "linear"]]);
  assert.deepEqual(events, [{
    id: `bybit:BTC-USDT:order:${ORDER.orderId}:1746270400100:new:0`,
    kind: "order",
    venue: "bybit",
    symbol: "BTC-USDT",
    nativeSymbol: "BTCUSDT",
    exchangeTs: 1746270400100,
    receivedTs: RECEIVED,
    orderId: ORDER.orderId,
    clientOrderId: "tg-0001",
    status: "new",
    side: "buy",
    orderType: "limit",
    price: "95000.5",
    size: "0.3",
    filledSize: "0",
    avgPrice: "",
    category: "linear",
  }]);
});

Deno.test("order: partial then full fill, then a cancel", () => {
  const [part, full] = orders(
    {
      ...ORDER,
      orderStatus: "PartiallyFilled",
      cumExecQty: "0.1",
      leavesQty: "0.2",
      avgPrice: "95000.5",
      updatedTime: "1746270400200",
    },
    {
      ...ORDER,
      orderStatus: "Filled",
      cumExecQty: "0.3",
      leavesQty: "0",
      avgPrice: "95000.4",
      updatedTime: "1746270400300",
    },
  );
  assert.deepEqual(
    [part?.status, part?.filledSize, part?.avgPrice, part?.exchangeTs],
    ["partially_filled", "0.1", "95000.5", 1746270400200],
  );
  assert.deepEqual(
    [full?.status, full?.filledSize, full?.avgPrice],
    ["filled", "0.3", "95000.4"],
  );
  assert.notEqual(part?.id, full?.id);
  const [cancel] = orders({
    ...ORDER,
    orderStatus: "Cancelled",
    cancelType: "CancelByUser",
    updatedTime: "1746270400500",
  });
  assert.equal(cancel?.status, "canceled");
  assert.equal(
    cancel?.id,
    `bybit:BTC-USDT:order:${ORDER.orderId}:1746270400500:canceled:0`,
  );
});

Deno.test("order: statuses in lower snake case", () => {
  const statuses = [
    "New",
    "PartiallyFilled",
    "Filled",
    "Cancelled",
    "PartiallyFilledCanceled",
    "Rejected",
    "Untriggered",
    "Triggered",
    "Deactivated",
    "SomeNewState",
    "UNKNOWN",
  ];
  const events = orders(
    ...statuses.map((orderStatus) => ({ ...ORDER, orderStatus })),
  );
  assert.deepEqual(events.map((e) => e.status), [
    "new",
    "partially_filled",
    "filled",
    "canceled",
    "partially_filled_canceled",
    "rejected",
    "untriggered",
    "triggered",
    "deactivated",
    "some_new_state",
    "unknown",
  ]);
});

Deno.test("order: category from the topic; creationTime without updatedTime", () => {
  const { category: _, updatedTime: __, ...item } = {
    ...ORDER,
    symbol: "ETHUSDT",
    side: "Sell",
    orderType: "Market",
  };
  const { outcome, events } = parse(frame("order.spot", [item], 1746270400999));
  assert.equal(outcome, "ok");
  const e = events[0] as OrderEvent;
  assert.deepEqual(
    [e.category, e.symbol, e.side, e.orderType, e.exchangeTs],
    ["spot", "ETH-USDT", "sell", "market", 1746270400999],
  );
  assert.equal(
    e.id,
    `bybit:ETH-USDT:order:${ORDER.orderId}:1746270400999:new:0`,
  );
});

Deno.test("order: an identical re-sent update has the same id", () => {
  const a = parse(frame("order", [ORDER]), RECEIVED).events;
  const b = parse(
    { ...frame("order", [ORDER], 1746270409999), id: "other" },
    RECEIVED + 5000,
  ).events;
  assert.equal(a.length, 1);
  assert.deepEqual(a.map((e) => e.id), b.map((e) => e.id));
});

Deno.test("a frame with one bad item is invalid; the good items still count", () => {
  const bad = [
    { ...ORDER, orderId: "" },
    { ...ORDER, qty: 0.3 },
    { ...ORDER, side: "BUY" },
    { ...ORDER, price: 95000.5 },
    { ...ORDER, category: undefined }, // no category in item nor topic
    "not an item",
    null,
  ];
  for (const b of bad) {
    const { outcome, events } = parse(frame("order", [ORDER, b]));
    assert.equal(outcome, "invalid", JSON.stringify(b));
    assert.equal(events.length, 1);
  }
  const none = parse(
    frame("order", [{ ...ORDER, qty: "" }, { ...ORDER, orderStatus: 1 }]),
  );
  assert.deepEqual([none.outcome, none.events.length], ["invalid", 0]);
  assert.deepEqual(parse(frame("order", [])), { outcome: "ok", events: [] });
});

Deno.test("unknown topics and broken envelopes", () => {
  for (
    const topic of [
      "greeks",
      "dcp",
      "order.sbe.resp.linear",
      "order.futures",
      "position.spot",
      "wallet.spot",
      "execution.fast.option",
      "execution.fast.spot.x",
      ".order",
      "",
      5,
    ]
  ) {
    assert.equal(
      parse({ ...frame("x", [ORDER]), topic }).outcome,
      "unknown",
      String(topic),
    );
  }
  assert.equal(parse({ op: "auth", success: true }).outcome, "unknown");
  assert.equal(parse(null).outcome, "unknown");
  assert.equal(
    parse({ ...frame("order", [ORDER]), data: ORDER }).outcome,
    "invalid",
  );
  assert.equal(
    parse({ ...frame("order", [ORDER]), creationTime: "1" }).outcome,
    "invalid",
  );
});
