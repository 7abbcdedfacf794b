import assert from "node:assert/strict";
import type {
  BookEvent,
  StatusEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import { buildKafkaBatch, isoMicros, tickValue } from "./kafka_format.ts";
import {
  kafkaSinkOptions,
  parseTopicTemplate,
  renderTopic,
} from "./kafka_options.ts";
import { parseSinkUrl, SinkUrlError } from "./url.ts";

// 2026-11-22T10:00:00.123456Z
const TS = 1795341600123.456;

const trade: TradeEvent = {
  id: "coinbase:BTC-USD:trade:10",
  kind: "trade",
  venue: "coinbase",
  symbol: "BTC-USD",
  nativeSymbol: "BTC-USD",
  exchangeTs: TS,
  receivedTs: 1795341600130,
  tradeId: "10",
  price: "77302.99",
  size: "45",
  side: "buy",
};

const ticker: TickerEvent = {
  id: "binance:ETH-USDT:ticker:7",
  kind: "ticker",
  venue: "binance",
  symbol: "ETH-USDT",
  nativeSymbol: "ETHUSDT",
  exchangeTs: 1795341601000,
  receivedTs: 1795341601004,
  bid: "3001.10",
  bidSize: "2.5",
  ask: "3001.20",
  askSize: "1.25",
  last: "3001.15000000",
  lastSize: "0.00450000",
  volume24h: "12345.6",
};

const book: BookEvent = {
  id: "binance:ETH-USDT:book:8",
  kind: "book",
  venue: "binance",
  symbol: "ETH-USDT",
  nativeSymbol: "ETHUSDT",
  exchangeTs: 1795341601000,
  receivedTs: 1795341601004,
  type: "delta",
  bids: [["3001.10", "2"]],
  asks: [],
};

const status: StatusEvent = {
  id: "coinbase:*:status:connected:coinbase-0:1795341600000",
  kind: "status",
  venue: "coinbase",
  symbol: "*",
  nativeSymbol: "*",
  exchangeTs: 1795341600000,
  receivedTs: 1795341600000,
  state: "connected",
  detail: "subscribed",
  connection: "coinbase-0",
};

Deno.test("tickValue renders a trade as the exact tick JSON", () => {
  assert.equal(
    tickValue(trade),
    '{"symbol":"BTC","price":77302.99,"volume":45,"timestamp":"2026-11-22T10:00:00.123456+00:00"}',
  );
});

Deno.test("tickValue renders a ticker from last and lastSize", () => {
  assert.equal(
    tickValue(ticker),
    '{"symbol":"ETH","price":3001.15,"volume":0.0045,"timestamp":"2026-11-22T10:00:01.000000+00:00"}',
  );
});

Deno.test("tickValue skips tickers without a last price or size, and other kinds", () => {
  assert.equal(tickValue({ ...ticker, last: "" }), undefined);
  assert.equal(tickValue({ ...ticker, lastSize: undefined }), undefined);
  assert.equal(tickValue({ ...ticker, lastSize: "" }), undefined);
  assert.equal(tickValue({ ...trade, price: "n/a" }), undefined);
  assert.equal(tickValue(book), undefined);
  assert.equal(tickValue(status), undefined);
});

Deno.test("isoMicros always writes six fraction digits and +00:00", () => {
  assert.equal(isoMicros(1795341600000), "2026-11-22T10:00:00.000000+00:00");
  assert.equal(isoMicros(1795341600007), "2026-11-22T10:00:00.007000+00:00");
  assert.equal(
    isoMicros(1795341600000.001),
    "2026-11-22T10:00:00.000001+00:00",
  );
  assert.equal(
    isoMicros(1795341600999.9996),
    "2026-11-22T10:00:01.000000+00:00",
  );
  assert.equal(isoMicros(0), "1970-01-01T00:00:00.000000+00:00");
});

Deno.test("buildKafkaBatch groups canonical records per topic, in order", () => {
  const t = parseTopicTemplate("md.{kind}");
  const trade2 = { ...trade, id: "coinbase:BTC-USD:trade:11", tradeId: "11" };
  const batch = buildKafkaBatch(
    [trade, ticker, trade2, status],
    "canonical",
    t,
  );
  assert.equal(batch.skipped, 0);
  assert.deepEqual(batch.topicMessages, [
    {
      topic: "md.trade",
      messages: [
        {
          key: "BTC-USD",
          value: JSON.stringify(trade),
          headers: { id: trade.id, kind: "trade", venue: "coinbase" },
        },
        {
          key: "BTC-USD",
          value: JSON.stringify(trade2),
          headers: { id: trade2.id, kind: "trade", venue: "coinbase" },
        },
      ],
    },
    {
      topic: "md.ticker",
      messages: [{
        key: "ETH-USDT",
        value: JSON.stringify(ticker),
        headers: { id: ticker.id, kind: "ticker", venue: "binance" },
      }],
    },
    {
      topic: "md.status",
      messages: [{
        key: "*",
        value: JSON.stringify(status),
        headers: { id: status.id, kind: "status", venue: "coinbase" },
      }],
    },
  ]);
});

Deno.test("buildKafkaBatch in tick format skips and counts other kinds", () => {
  const t = parseTopicTemplate("stock-ticks");
  const batch = buildKafkaBatch(
    [status, trade, book, ticker, { ...ticker, lastSize: undefined }],
    "tick",
    t,
  );
  assert.equal(batch.skipped, 3);
  assert.equal(batch.topicMessages.length, 1);
  assert.equal(batch.topicMessages[0]!.topic, "stock-ticks");
  assert.deepEqual(
    batch.topicMessages[0]!.messages.map((m) => [m.key, m.value, m.headers.id]),
    [
      ["BTC-USD", tickValue(trade), trade.id],
      ["ETH-USDT", tickValue(ticker), ticker.id],
    ],
  );
});

Deno.test("renderTopic fills placeholders and replaces characters Kafka refuses", () => {
  const t = parseTopicTemplate("x.{venue}.{symbol}.{native}.{kind}");
  assert.equal(renderTopic(t, ticker), "x.binance.ETH-USDT.ETHUSDT.ticker");
  assert.equal(renderTopic(t, status), "x.coinbase._._.status");
});

Deno.test("parseTopicTemplate refuses bad templates", () => {
  assert.throws(() => parseTopicTemplate(""), /empty/);
  assert.throws(
    () => parseTopicTemplate("a.{pair}"),
    /unknown placeholder \{pair\}/,
  );
  assert.throws(() => parseTopicTemplate("a.{kind"), /unclosed/);
  assert.throws(
    () => parseTopicTemplate("a/{kind}"),
    /characters Kafka does not allow/,
  );
});

Deno.test("kafkaSinkOptions reads brokers and options with defaults", () => {
  const o = kafkaSinkOptions(parseSinkUrl("kafka://a:9092,b?format=tick", 1));
  assert.deepEqual(o.brokers, ["a:9092", "b:9092"]);
  assert.equal(o.topic.source, "tickgate.{kind}");
  assert.equal(o.compression, "none");
  assert.equal(o.clientId, "tickgate");
  assert.equal(o.format, "tick");
  const g = kafkaSinkOptions(
    parseSinkUrl(
      "kafka://[::1]:19092?topic=t-{venue}&compression=gzip&client_id=gw-1",
      1,
    ),
  );
  assert.deepEqual(g.brokers, ["[::1]:19092"]);
  assert.equal(g.topic.source, "t-{venue}");
  assert.equal(g.compression, "gzip");
  assert.equal(g.clientId, "gw-1");
  assert.equal(g.format, "canonical");
});

Deno.test("kafkaSinkOptions names the bad option", () => {
  const bad = (url: string, re: RegExp) =>
    assert.throws(() => kafkaSinkOptions(parseSinkUrl(url, 1)), (e) => {
      assert.ok(e instanceof SinkUrlError);
      assert.match(e.message, re);
      return true;
    });
  for (const codec of ["snappy", "lz4", "zstd"]) {
    bad(
      `kafka://a:9092?compression=${codec}`,
      new RegExp(`"compression": ${codec} needs a codec this build lacks`),
    );
  }
  bad("kafka://a:9092?compression=brotli", /"compression": unknown codec/);
  bad("kafka://a:9092?topic=a.{pair}", /"topic": unknown placeholder/);
  bad("kafka://a:9092?topic=a%20b", /"topic": .*not allow/);
  bad("kafka://a:9092?client_id=a%20b", /"client_id"/);
  bad("kafka://a:99999", /bad broker "a:99999"/);
  bad("kafka://", /at least one broker/);
  bad("kafka://u:secret@a:9092", /credentials in kafka URLs are not supported/);
});

Deno.test("kafkaSinkOptions never shows credentials", () => {
  assert.throws(
    () => kafkaSinkOptions(parseSinkUrl("kafka://u:secret@a:9092", 1)),
    (e) => {
      assert.ok(e instanceof Error);
      assert.doesNotMatch(e.message, /secret/);
      return true;
    },
  );
});
