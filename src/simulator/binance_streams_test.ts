import assert from "node:assert/strict";
import { parseControl, parseStream } from "./binance_streams.ts";

Deno.test("parseStream() knows Binance's stream names and cadences", () => {
  const cases: [string, unknown][] = [
    ["btcusdt@trade", { symbol: "BTCUSDT", kind: "trade", every: 0 }],
    ["ethbtc@aggTrade", { symbol: "ETHBTC", kind: "aggTrade", every: 0 }],
    ["btcusdt@bookTicker", { symbol: "BTCUSDT", kind: "bookTicker", every: 0 }],
    ["btcusdt@depth", { symbol: "BTCUSDT", kind: "depth", every: 1000 }],
    ["btcusdt@depth@100ms", { symbol: "BTCUSDT", kind: "depth", every: 100 }],
    ["btcusdt@depth5", {
      symbol: "BTCUSDT",
      kind: "partial",
      levels: 5,
      every: 1000,
    }],
    ["btcusdt@depth20@100ms", {
      symbol: "BTCUSDT",
      kind: "partial",
      levels: 20,
      every: 100,
    }],
    ["btcusdt@kline_1s", {
      symbol: "BTCUSDT",
      kind: "kline",
      interval: "1s",
      every: 1000,
    }],
    ["btcusdt@kline_1M", {
      symbol: "BTCUSDT",
      kind: "kline",
      interval: "1M",
      every: 2000,
    }],
    ["btcusdt@ticker", { symbol: "BTCUSDT", kind: "ticker", every: 1000 }],
    ["btcusdt@miniTicker", {
      symbol: "BTCUSDT",
      kind: "miniTicker",
      every: 1000,
    }],
  ];
  for (const [name, spec] of cases) assert.deepEqual(parseStream(name), spec);
  for (
    const name of [
      "BTCUSDT@trade",
      "btcusdt@aggtrade",
      "btcusdt@depth7",
      "btcusdt@depth@250ms",
      "btcusdt@kline_2m",
      "btcusdt@kline_1m@+08:00",
      "!miniTicker@arr",
      "btcusdt",
      "",
    ]
  ) assert.equal(parseStream(name), null, name);
});

Deno.test("parseControl() accepts the documented requests and id forms", () => {
  assert.deepEqual(
    parseControl('{"method":"SUBSCRIBE","params":["a@trade"],"id":1}'),
    { method: "SUBSCRIBE", params: ["a@trade"], id: 1 },
  );
  assert.deepEqual(
    parseControl('{"method":"UNSUBSCRIBE","params":[],"id":"abc123"}'),
    { method: "UNSUBSCRIBE", params: [], id: "abc123" },
  );
  assert.deepEqual(parseControl('{"method":"LIST_SUBSCRIPTIONS","id":-3}'), {
    method: "LIST_SUBSCRIPTIONS",
    id: -3,
  });
  assert.deepEqual(parseControl('{"method":"LIST_SUBSCRIPTIONS"}'), {
    method: "LIST_SUBSCRIPTIONS",
    id: null,
  });
  assert.deepEqual(
    parseControl(
      '{"method":"SET_PROPERTY","params":["combined",false],"id":5}',
    ),
    { method: "SET_PROPERTY", value: false, id: 5 },
  );
  assert.deepEqual(
    parseControl('{"method":"GET_PROPERTY","params":["combined"],"id":6}'),
    { method: "GET_PROPERTY", id: 6 },
  );
});

Deno.test("parseControl() answers malformed requests with the documented codes", () => {
  const cases: [string, number, RegExp, unknown?][] = [
    ["{", 3, /^Invalid JSON: expected value at line 1 column \d+$/],
    ["", 3, /^Invalid JSON: expected value at line 1 column 1$/],
    ["[1]", 2, /^Invalid request: /],
    [
      '{"params":[],"id":4}',
      2,
      /^Invalid request: missing field `method` at line 1 column 20$/,
      4,
    ],
    [
      '{"method":"PING","id":4}',
      2,
      /^Invalid request: unknown variant `PING`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 16$/,
      4,
    ],
    [
      '{"method":"SUBSCRIBE","params":["a"],"id":1.5}',
      2,
      /request ID must be an unsigned integer/,
    ],
    ['{"method":"SUBSCRIBE","params":["a"],"id":"a-b"}', 2, /request ID/],
    [
      '{"method":"SUBSCRIBE","params":["a"],"id":"' + "x".repeat(37) + '"}',
      2,
      /request ID/,
    ],
    [
      '{"method":"SUBSCRIBE","params":[1],"id":1}',
      2,
      /^Invalid request: params/,
      1,
    ],
    ['{"method":"SUBSCRIBE","id":1}', 2, /^Invalid request: params/, 1],
    [
      '{"method":"LIST_SUBSCRIPTIONS","params":["x"],"id":2}',
      2,
      /^Invalid request: too many parameters$/,
      2,
    ],
    [
      '{"method":"GET_PROPERTY","params":[1],"id":2}',
      2,
      /^Invalid request: property name must be a string$/,
      2,
    ],
    [
      '{"method":"GET_PROPERTY","params":["colour"],"id":2}',
      0,
      /^Unknown property$/,
      2,
    ],
    [
      '{"method":"SET_PROPERTY","params":["combined","yes"],"id":2}',
      1,
      /^Invalid value type: expected Boolean$/,
      2,
    ],
    [
      '{"method":"SET_PROPERTY","params":["combined",true,1],"id":2}',
      2,
      /too many parameters/,
      2,
    ],
  ];
  for (const [text, code, msg, id] of cases) {
    const reply = parseControl(text);
    assert.ok("code" in reply, text);
    assert.equal(reply.code, code, text);
    assert.match(reply.msg, msg);
    assert.equal(reply.id, id, text);
  }
});
