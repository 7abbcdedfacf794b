import assert from "node:assert/strict";
import type {
  BalanceEvent,
  BookEvent,
  CandleEvent,
  OrderEvent,
  StatusEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import {
  DEFAULT_KEY_TEMPLATES,
  formatFields,
  isoTime,
  KeyTemplateError,
  keyTemplates,
  parseKeyTemplate,
  renderKey,
} from "./redis_format.ts";

const TS = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

const trade: TradeEvent = {
  id: "binance:BTC-USDT:trade:42",
  kind: "trade",
  venue: "binance",
  symbol: "BTC-USDT",
  nativeSymbol: "BTCUSDT",
  exchangeTs: TS,
  receivedTs: TS + 3,
  tradeId: "42",
  price: "43000.10",
  size: "0.005",
  side: "sell",
};

const ticker: TickerEvent = {
  id: "coinbase:ETH-USD:ticker:7",
  kind: "ticker",
  venue: "coinbase",
  symbol: "ETH-USD",
  nativeSymbol: "ETH-USD",
  exchangeTs: TS,
  receivedTs: TS,
  bid: "2300.01",
  bidSize: "1.5",
  ask: "2300.02",
  askSize: "0.7",
  last: "2300.015",
  volume24h: "12345.6",
  open24h: "2250",
  sequence: 7,
};

const status: StatusEvent = {
  id: "coinbase:*:status:connected:coinbase-0:1",
  kind: "status",
  venue: "coinbase",
  symbol: "*",
  nativeSymbol: "*",
  exchangeTs: TS,
  receivedTs: TS,
  state: "connected",
  detail: "subscribed",
  connection: "coinbase-0",
};

const candle: CandleEvent = {
  id: "bybit:BTC-USDT:candle:1m:1",
  kind: "candle",
  venue: "bybit",
  symbol: "BTC-USDT",
  nativeSymbol: "BTCUSDT",
  exchangeTs: TS,
  receivedTs: TS,
  interval: "1m",
  openTime: Date.UTC(2024, 0, 2, 3, 4),
  open: "1",
  high: "2",
  low: "0.5",
  close: "1.5",
  volume: "10",
  closed: false,
};

Deno.test("flat trade: exactly the ingester's fields, in order", () => {
  assert.deepEqual(formatFields(trade, "flat"), [
    "exchange",
    "binance",
    "pair",
    "BTCUSDT",
    "price",
    "43000.10",
    "qty",
    "0.005",
    "ts",
    "2024-01-02T03:04:05.678Z",
    "side",
    "sell",
    "trade_id",
    "42",
    "raw_json",
    JSON.stringify(trade),
  ]);
  const raw = JSON.parse(formatFields(trade, "flat").at(-1)!);
  assert.equal(raw.id, trade.id);
});

Deno.test("flat ticker: base fields, snake_case scalars, raw_json", () => {
  assert.deepEqual(formatFields(ticker, "flat"), [
    "exchange",
    "coinbase",
    "pair",
    "ETH-USD",
    "kind",
    "ticker",
    "ts",
    "2024-01-02T03:04:05.678Z",
    "bid",
    "2300.01",
    "bid_size",
    "1.5",
    "ask",
    "2300.02",
    "ask_size",
    "0.7",
    "last",
    "2300.015",
    "volume_24h",
    "12345.6",
    "raw_json",
    JSON.stringify(ticker),
  ]);
});

Deno.test("flat status: state, detail, connection", () => {
  assert.deepEqual(formatFields(status, "flat"), [
    "exchange",
    "coinbase",
    "pair",
    "*",
    "kind",
    "status",
    "ts",
    "2024-01-02T03:04:05.678Z",
    "state",
    "connected",
    "detail",
    "subscribed",
    "connection",
    "coinbase-0",
    "raw_json",
    JSON.stringify(status),
  ]);
});

Deno.test("flat candle, book, order, balance: strings, undefined skipped", () => {
  assert.deepEqual(formatFields(candle, "flat").slice(8, -2), [
    "interval",
    "1m",
    "open_time",
    "2024-01-02T03:04:00.000Z",
    "open",
    "1",
    "high",
    "2",
    "low",
    "0.5",
    "close",
    "1.5",
    "volume",
    "10",
    "closed",
    "false",
  ]);
  const book: BookEvent = {
    ...trade,
    id: "b",
    kind: "book",
    type: "delta",
    bids: [["1", "2"]],
    asks: [],
  };
  assert.deepEqual(formatFields(book, "flat").slice(4, -2), [
    "kind",
    "book",
    "ts",
    "2024-01-02T03:04:05.678Z",
    "type",
    "delta",
  ]);
  assert.deepEqual(
    formatFields({ ...book, sequence: 9 }, "flat").slice(10, -2),
    ["sequence", "9"],
  );
  const order: OrderEvent = {
    ...trade,
    kind: "order",
    orderId: "o1",
    clientOrderId: "c1",
    status: "filled",
    side: "buy",
    orderType: "limit",
    price: "10",
    size: "2",
    filledSize: "2",
    avgPrice: "9.9",
  };
  assert.deepEqual(formatFields(order, "flat").slice(8, -2), [
    "order_id",
    "o1",
    "client_order_id",
    "c1",
    "status",
    "filled",
    "side",
    "buy",
    "order_type",
    "limit",
    "price",
    "10",
    "size",
    "2",
    "filled_size",
    "2",
    "avg_price",
    "9.9",
  ]);
  const balance: BalanceEvent = {
    ...status,
    kind: "balance",
    account: "spot",
    coin: "USDT",
    free: "1",
    locked: "0",
    total: "1",
  };
  assert.deepEqual(formatFields(balance, "flat").slice(8, -2), [
    "account",
    "spot",
    "coin",
    "USDT",
    "free",
    "1",
    "locked",
    "0",
    "total",
    "1",
  ]);
});

Deno.test("canonical: id and the event's JSON", () => {
  assert.deepEqual(formatFields(trade, "canonical"), [
    "id",
    trade.id,
    "event",
    JSON.stringify(trade),
  ]);
});

Deno.test("default keys: trades:{native}, status:{venue}, {kind}:{native}", () => {
  const key = (e: TradeEvent | TickerEvent | StatusEvent | CandleEvent) =>
    renderKey(DEFAULT_KEY_TEMPLATES[e.kind], e);
  assert.equal(key(trade), "trades:BTCUSDT");
  assert.equal(key(status), "status:coinbase");
  assert.equal(key(ticker), "ticker:ETH-USD");
  assert.equal(key(candle), "candle:BTCUSDT");
  assert.equal(keyTemplates(undefined), DEFAULT_KEY_TEMPLATES);
});

Deno.test("key templates: every placeholder, literals kept", () => {
  const t = keyTemplates("md.{venue}/{symbol}/{kind}/{native}!");
  assert.equal(
    renderKey(t.trade, trade),
    "md.binance/BTC-USDT/trade/BTCUSDT!",
  );
  assert.equal(renderKey(t.status, status), "md.coinbase/*/status/*!");
  assert.equal(renderKey(parseKeyTemplate("fixed"), trade), "fixed");
  assert.equal(renderKey(parseKeyTemplate("{native}"), trade), "BTCUSDT");
  assert.deepEqual(parseKeyTemplate("a{kind}{venue}b").literals, [
    "a",
    "",
    "b",
  ]);
});

Deno.test("key templates: unknown placeholder, unclosed brace, empty", () => {
  assert.throws(
    () => parseKeyTemplate("x:{pair}"),
    (e: unknown) =>
      e instanceof KeyTemplateError && /unknown placeholder "\{pair\}"/.test(
        e.message,
      ),
  );
  assert.throws(() => parseKeyTemplate("x:{kind"), /unclosed/);
  assert.throws(() => parseKeyTemplate(""), /empty/);
});

Deno.test("isoTime equals Date's toISOString, in order and out of it", () => {
  const times = [
    0,
    999.9,
    1000,
    -1,
    -1000.5,
    8.64e15,
    -8.64e15,
    253402300800000,
  ];
  let t = 1_700_000_000_000;
  for (let i = 0; i < 5_000; i++) {
    t += (i * 7919) % 1500; // mostly within the same second, sometimes not
    times.push(t + (i % 3) * 0.25, t - 86_400_000 * (i % 2));
  }
  for (const ms of times) {
    assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  }
  for (const bad of [8.64e15 + 1, Infinity, -Infinity]) {
    assert.equal(isoTime(bad), "");
  }
});

Deno.test("isoTime: ms precision, empty for a non-date", () => {
  assert.equal(isoTime(TS + 0.123), "2024-01-02T03:04:05.678Z");
  assert.equal(isoTime(Number.NaN), "");
});
