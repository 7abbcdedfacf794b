import assert from "node:assert/strict";
import {
  type NormalizedEvent,
  statusEvent,
  type TickerEvent,
  type TradeEvent,
} from "../core/events.ts";
import { VERSION } from "../version.ts";
import {
  isoTimestamp,
  tickerSpread,
  toEnvelope,
  webhookBody,
  webhookEventId,
} from "./webhook_envelope.ts";

function ticker(extra: Partial<TickerEvent> = {}): TickerEvent {
  return {
    id: "coinbase:BTC-USD:ticker:5000",
    kind: "ticker",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 1415348367028.459,
    receivedTs: 1415348367031,
    bid: "77302.98",
    bidSize: "0.5",
    ask: "77303.00",
    askSize: "1.25",
    last: "77302.99",
    volume24h: "1234.5678",
    open24h: "76000.00",
    sequence: 5000,
    ...extra,
  };
}

const trade: TradeEvent = {
  id: "coinbase:BTC-USD:trade:10",
  kind: "trade",
  venue: "coinbase",
  symbol: "BTC-USD",
  nativeSymbol: "BTC-USD",
  exchangeTs: 1415348367028.459,
  receivedTs: 1415348367031,
  tradeId: "10",
  price: "400.23",
  size: "5.23512",
  side: "buy",
};

const source = (endpoint: string, environment = "production") => ({
  service: "tickgate",
  endpoint,
  method: "websocket",
  version: VERSION,
  environment,
});

Deno.test("envelope: ticker with lastTradeId", () => {
  assert.deepEqual(
    toEnvelope(ticker({ lastTradeId: "370843401" }), "staging"),
    {
      event_type: "ticker",
      event_id: "coinbase-BTC-USD-370843401",
      title: "BTC-USD ticker 77302.99",
      message:
        "BTC-USD on coinbase: last 77302.99, bid/ask 77302.98/77303.00, spread 0.02.",
      severity: "info",
      timestamp: "2014-11-07T08:19:27.028459Z",
      source: source("coinbase/ticker", "staging"),
      payload: {
        product_id: "BTC-USD",
        price: "77302.99",
        volume_24h: "1234.5678",
        last_trade_id: "370843401",
        best_bid: "77302.98",
        best_ask: "77303.00",
        spread: "0.02",
      },
    },
  );
});

Deno.test("envelope: ticker without lastTradeId falls back to the sequence, then the time", () => {
  assert.deepEqual(toEnvelope(ticker(), "production"), {
    event_type: "ticker",
    event_id: "coinbase-BTC-USD-5000",
    title: "BTC-USD ticker 77302.99",
    message:
      "BTC-USD on coinbase: last 77302.99, bid/ask 77302.98/77303.00, spread 0.02.",
    severity: "info",
    timestamp: "2014-11-07T08:19:27.028459Z",
    source: source("coinbase/ticker"),
    payload: {
      product_id: "BTC-USD",
      price: "77302.99",
      volume_24h: "1234.5678",
      last_trade_id: null,
      best_bid: "77302.98",
      best_ask: "77303.00",
      spread: "0.02",
    },
  });
  // A Binance book ticker: no last price, no volume, no sequence.
  const book = ticker({
    id: "binance:BTC-USDT:ticker:1",
    venue: "binance",
    symbol: "BTC-USDT",
    nativeSymbol: "BTCUSDT",
    exchangeTs: 1700000000000,
    last: "",
    volume24h: "",
    bid: "",
    sequence: undefined,
    lastTradeId: "",
  });
  assert.deepEqual(toEnvelope(book, "production"), {
    event_type: "ticker",
    event_id: "binance-BTC-USDT-1700000000000",
    title: "BTC-USDT ticker",
    message: "BTC-USDT on binance: last n/a, bid/ask n/a/77303.00, spread n/a.",
    severity: "info",
    timestamp: "2023-11-14T22:13:20.000Z",
    source: source("binance/ticker"),
    payload: {
      product_id: "BTC-USDT",
      price: null,
      volume_24h: null,
      last_trade_id: null,
      best_bid: null,
      best_ask: "77303.00",
      spread: null,
    },
  });
});

Deno.test("envelope: trade", () => {
  assert.deepEqual(toEnvelope(trade, "production"), {
    event_type: "trade",
    event_id: "coinbase-BTC-USD-trade-10",
    title: "BTC-USD trade 400.23",
    message: "BTC-USD on coinbase: taker buy of 5.23512 at 400.23 (trade 10).",
    severity: "info",
    timestamp: "2014-11-07T08:19:27.028459Z",
    source: source("coinbase/trade"),
    payload: {
      product_id: "BTC-USD",
      trade_id: "10",
      price: "400.23",
      size: "5.23512",
      side: "buy",
      time: "2014-11-07T08:19:27.028459Z",
    },
  });
});

Deno.test("envelope: status events carry their severity and canonical fields", () => {
  const gap = statusEvent({
    venue: "coinbase",
    connection: "coinbase-0",
    state: "gap",
    detail: "missed 3 trades (trade_id 101..103)",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    ts: 1700000000123,
  });
  assert.deepEqual(toEnvelope(gap, "production"), {
    event_type: "status",
    event_id: "coinbase-BTC-USD-status-gap-coinbase-0-1700000000123",
    title: "coinbase coinbase-0 gap",
    message:
      "coinbase connection coinbase-0 gap for BTC-USD: missed 3 trades (trade_id 101..103).",
    severity: "warning",
    timestamp: "2023-11-14T22:13:20.123Z",
    source: source("coinbase/status"),
    payload: {
      id: "coinbase:BTC-USD:status:gap:coinbase-0:1700000000123",
      kind: "status",
      venue: "coinbase",
      symbol: "BTC-USD",
      nativeSymbol: "BTC-USD",
      exchangeTs: 1700000000123,
      receivedTs: 1700000000123,
      state: "gap",
      detail: "missed 3 trades (trade_id 101..103)",
      connection: "coinbase-0",
    },
  });
  const severity = (state: "connected" | "disconnected" | "resync" | "error") =>
    toEnvelope(
      statusEvent({
        venue: "bybit",
        connection: "bybit-1",
        state,
        detail: "",
        symbol: "*",
        nativeSymbol: "*",
        ts: 1,
      }),
      "production",
    ).severity;
  assert.equal(severity("connected"), "info");
  assert.equal(severity("disconnected"), "warning");
  assert.equal(severity("resync"), "warning");
  assert.equal(severity("error"), "error");
});

Deno.test("tickerSpread is exact decimal arithmetic", () => {
  assert.equal(tickerSpread("0.1", "0.3"), "0.2"); // float: 0.19999999999999998
  assert.equal(tickerSpread("0.2", "0.3"), "0.1"); // float: 0.09999999999999998
  assert.equal(
    tickerSpread("0.1", "0.30000000000000004"),
    "0.20000000000000004",
  );
  assert.equal(tickerSpread("77302.99", "77303.00"), "0.01");
  assert.equal(tickerSpread("1.5", "2.25"), "0.75");
  assert.equal(
    tickerSpread("123456789012345678.1", "123456789012345678.3"),
    "0.2",
  );
  assert.equal(tickerSpread("2", "1"), "-1"); // a crossed book stays visible
  assert.equal(tickerSpread("", "1"), null);
  assert.equal(tickerSpread("1", ""), null);
});

Deno.test("isoTimestamp keeps microseconds and carries a rounded millisecond", () => {
  assert.equal(isoTimestamp(0), "1970-01-01T00:00:00.000Z");
  assert.equal(isoTimestamp(1415348367028.459), "2014-11-07T08:19:27.028459Z");
  assert.equal(isoTimestamp(1415348367028.001), "2014-11-07T08:19:27.028001Z");
  assert.equal(isoTimestamp(1415348367999.9999), "2014-11-07T08:19:28.000Z");
});

Deno.test("webhookEventId: other kinds use the event id with dashes", () => {
  const candle: NormalizedEvent = {
    id: "coinbase-advanced:BTC-USD:candle:5m:1700000000000",
    kind: "candle",
    venue: "coinbase-advanced",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 1700000000000,
    receivedTs: 1700000000000,
    interval: "5m",
    openTime: 1700000000000,
    open: "1",
    high: "2",
    low: "0.5",
    close: "1.5",
    volume: "10",
    closed: true,
  };
  assert.equal(
    webhookEventId(candle),
    "coinbase-advanced-BTC-USD-candle-5m-1700000000000",
  );
  const env = toEnvelope(candle, "production");
  assert.equal(env.payload, candle);
  assert.equal(
    env.message,
    "BTC-USD on coinbase-advanced: 5m candle open 1, high 2, low 0.5, close 1.5, volume 10, closed.",
  );
});

Deno.test("webhookBody: one event is an object, more are an array, in either format", () => {
  const t = ticker({ lastTradeId: "9" });
  assert.deepEqual(
    JSON.parse(webhookBody([trade], "envelope", "production")),
    toEnvelope(trade, "production"),
  );
  assert.deepEqual(JSON.parse(webhookBody([trade, t], "envelope", "dev")), [
    JSON.parse(JSON.stringify(toEnvelope(trade, "dev"))),
    JSON.parse(JSON.stringify(toEnvelope(t, "dev"))),
  ]);
  assert.equal(webhookBody([trade], "canonical", "x"), JSON.stringify(trade));
  assert.equal(
    webhookBody([trade, t], "canonical", "x"),
    `[${JSON.stringify(trade)},${JSON.stringify(t)}]`,
  );
});
