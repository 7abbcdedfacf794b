import assert from "node:assert/strict";
import type { NormalizedEvent, TickerEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { BinanceParser } from "./parse.ts";
import { RequestLog } from "./requests.ts";

const CHANNELS = [
  "trade",
  "aggTrade",
  "bookTicker",
  "depth",
  "depth5",
  "kline_1m",
  "ticker",
  "miniTicker",
];

function setup() {
  const stats = new VenueStats("binance");
  const requests = new RequestLog(() => 1000);
  const snapshots: string[] = [];
  const parser = new BinanceParser({
    stats,
    requests,
    onSnapshotNeeded: (s) => snapshots.push(s),
  });
  parser.setPairs([{ symbol: "BNB-BTC", nativeSymbol: "BNBBTC" }], CHANNELS);
  const out: NormalizedEvent[] = [];
  const parse = (stream: string, data: unknown, conn = "binance-0") => {
    out.length = 0;
    const outcome = parser.parse(
      JSON.stringify({ stream, data }),
      5000,
      conn,
      out,
    );
    return { outcome, events: [...out] };
  };
  return { stats, requests, parser, parse, snapshots, out };
}

// Payloads as documented (exchanges.md §3.4).
const TRADE = {
  e: "trade",
  E: 1672515782136,
  s: "BNBBTC",
  t: 12345,
  p: "0.001",
  q: "100",
  T: 1672515782136,
  m: true,
  M: true,
};

Deno.test("trade: fields kept as strings; m=true means the taker sold", () => {
  const t = setup();
  const { outcome, events } = t.parse("bnbbtc@trade", TRADE);
  assert.equal(outcome, "ok");
  assert.deepEqual(events, [{
    id: "binance:BNB-BTC:trade:12345",
    kind: "trade",
    venue: "binance",
    symbol: "BNB-BTC",
    nativeSymbol: "BNBBTC",
    exchangeTs: 1672515782136,
    receivedTs: 5000,
    tradeId: "12345",
    price: "0.001",
    size: "100",
    side: "sell",
  }]);
  const buy = t.parse("bnbbtc@trade", { ...TRADE, t: 12346, m: false });
  assert.equal((buy.events[0] as { side: string }).side, "buy");
  assert.equal(t.stats.bySymbol.get("BNBBTC")?.frames, 2);
});

Deno.test("trade ids: a repeat is dropped, a jump is a counted gap", () => {
  const t = setup();
  t.parse("bnbbtc@trade", TRADE);
  const dup = t.parse("bnbbtc@trade", TRADE, "binance-1");
  assert.deepEqual(dup.events, []);
  assert.equal(t.stats.duplicates, 1);
  const jump = t.parse("bnbbtc@trade", { ...TRADE, t: 12349 });
  assert.equal(jump.events.length, 2);
  const gap = jump.events[0]!;
  assert.equal(gap.kind, "status");
  assert.match(
    (gap as { detail: string }).detail,
    /missed 3 trades \(t 12346\.\.12348\)/,
  );
  assert.equal(t.stats.gaps, 1);
  assert.equal(t.stats.missed, 3);
  assert.equal(jump.events[1]!.id, "binance:BNB-BTC:trade:12349");
});

Deno.test("aggTrade keeps its own id line", () => {
  const t = setup();
  const agg = {
    e: "aggTrade",
    E: 1672515782136,
    s: "BNBBTC",
    a: 12345,
    p: "0.001",
    q: "100",
    f: 100,
    l: 105,
    T: 1672515782136,
    m: false,
    M: true,
  };
  t.parse("bnbbtc@trade", TRADE);
  const r = t.parse("bnbbtc@aggTrade", agg);
  assert.equal(
    r.events.length,
    1,
    "same number as a trade id: not a duplicate",
  );
  assert.equal(r.events[0]!.id, "binance:BNB-BTC:aggTrade:12345");
  assert.equal((r.events[0] as { side: string }).side, "buy");
});

Deno.test("bookTicker, 24hrTicker and miniTicker become tickers; repeats drop", () => {
  const t = setup();
  const bt = {
    u: 400900217,
    s: "BNBUSDT",
    b: "25.35190000",
    B: "31.21000000",
    a: "25.36520000",
    A: "40.66000000",
  };
  const r = t.parse("bnbbtc@bookTicker", bt);
  assert.deepEqual(r.events[0], {
    id: "binance:BNB-BTC:bookTicker:400900217",
    kind: "ticker",
    venue: "binance",
    symbol: "BNB-BTC",
    nativeSymbol: "BNBBTC",
    exchangeTs: 5000,
    receivedTs: 5000,
    bid: "25.35190000",
    bidSize: "31.21000000",
    ask: "25.36520000",
    askSize: "40.66000000",
    last: "",
    volume24h: "",
    open24h: undefined,
    high24h: undefined,
    low24h: undefined,
    volume30d: undefined,
    lastSize: undefined,
    lastTradeId: undefined,
    sequence: 400900217,
  });
  assert.deepEqual(t.parse("bnbbtc@bookTicker", bt).events, []);
  const ticker = {
    e: "24hrTicker",
    E: 1672515782136,
    s: "BNBBTC",
    p: "0.0015",
    P: "250.00",
    w: "0.0018",
    x: "0.0009",
    c: "0.0025",
    Q: "10",
    b: "0.0024",
    B: "10",
    a: "0.0026",
    A: "100",
    o: "0.0010",
    h: "0.0025",
    l: "0.0010",
    v: "10000",
    q: "18",
    O: 0,
    C: 86400000,
    F: 0,
    L: 18150,
    n: 18151,
  };
  const tk = t.parse("bnbbtc@ticker", ticker).events[0] as TickerEvent;
  assert.equal(tk.bid, "0.0024");
  assert.equal(tk.ask, "0.0026");
  assert.equal(tk.last, "0.0025");
  assert.equal(tk.lastSize, "10");
  assert.equal(tk.lastTradeId, "18150");
  assert.equal(tk.volume24h, "10000");
  assert.equal(tk.open24h, "0.0010");
  assert.equal(tk.exchangeTs, 1672515782136);
  const mini = {
    e: "24hrMiniTicker",
    E: 1672515782136,
    s: "BNBBTC",
    c: "0.0025",
    o: "0.0010",
    h: "0.0025",
    l: "0.0010",
    v: "10000",
    q: "18",
  };
  const mk = t.parse("bnbbtc@miniTicker", mini).events[0] as TickerEvent;
  assert.equal(mk.id, "binance:BNB-BTC:miniTicker:1672515782136");
  assert.equal(mk.bid, "");
  assert.equal(mk.last, "0.0025");
  assert.equal(mk.high24h, "0.0025");
  assert.equal(t.stats.duplicates, 1);
});

Deno.test("kline → candle; the closing update is kept even with the same event time", () => {
  const t = setup();
  const k = {
    t: 1672515780000,
    T: 1672515839999,
    s: "BNBBTC",
    i: "1m",
    f: 100,
    L: 200,
    o: "0.0010",
    c: "0.0020",
    h: "0.0025",
    l: "0.0015",
    v: "1000",
    n: 100,
    x: false,
    q: "1.0000",
    V: "500",
    Q: "0.500",
    B: "123456",
  };
  const frame = { e: "kline", E: 1672515782136, s: "BNBBTC", k };
  const open = t.parse("bnbbtc@kline_1m", frame).events[0];
  assert.deepEqual(open, {
    id: "binance:BNB-BTC:candle:1m:1672515780000:1672515782136",
    kind: "candle",
    venue: "binance",
    symbol: "BNB-BTC",
    nativeSymbol: "BNBBTC",
    exchangeTs: 1672515782136,
    receivedTs: 5000,
    interval: "1m",
    openTime: 1672515780000,
    open: "0.0010",
    high: "0.0025",
    low: "0.0015",
    close: "0.0020",
    volume: "1000",
    closed: false,
  });
  assert.deepEqual(t.parse("bnbbtc@kline_1m", frame).events, [], "repeat");
  const closing = { ...frame, k: { ...k, x: true } };
  const closed = t.parse("bnbbtc@kline_1m", closing).events;
  assert.equal(closed.length, 1);
  assert.equal(
    closed[0]?.id,
    "binance:BNB-BTC:candle:1m:1672515780000:1672515782136:closed",
    "not the id of the open update with the same event time",
  );
  assert.deepEqual(t.parse("bnbbtc@kline_1m", closing).events, []);
  const older = { ...frame, E: 1672515782000 };
  assert.deepEqual(t.parse("bnbbtc@kline_1m", older).events, []);
});

Deno.test("partial depth is attributed by its stream name", () => {
  const t = setup();
  const d = {
    lastUpdateId: 160,
    bids: [["0.0024", "10"]],
    asks: [["0.0026", "100"]],
  };
  const r = t.parse("bnbbtc@depth5@100ms", d);
  assert.deepEqual(r.events[0], {
    id: "binance:BNB-BTC:depth5:160",
    kind: "book",
    venue: "binance",
    symbol: "BNB-BTC",
    nativeSymbol: "BNBBTC",
    exchangeTs: 5000,
    receivedTs: 5000,
    type: "snapshot",
    bids: [["0.0024", "10"]],
    asks: [["0.0026", "100"]],
    sequence: 160,
  });
  assert.deepEqual(t.parse("bnbbtc@depth5@100ms", d).events, []);
});

Deno.test("bad frames: malformed, invalid, unknown streams; serverShutdown asks for renewal", () => {
  const t = setup();
  const out: NormalizedEvent[] = [];
  assert.equal(t.parser.parse('{"stream":"bnb', 1, "c", out), "malformed");
  assert.equal(t.parser.parse("[1]", 1, "c", out), "malformed");
  assert.equal(
    t.parse("bnbbtc@trade", { ...TRADE, p: 0.001 }).outcome,
    "invalid",
  );
  assert.equal(t.parse("bnbbtc@trade", "x").outcome, "invalid");
  assert.equal(t.parse("ethbtc@trade", TRADE).outcome, "unknown");
  assert.equal(
    t.parse("bnbbtc@kline_1m", { e: "kline", E: 1 }).outcome,
    "invalid",
  );
  assert.equal(
    t.parse("!serverShutdown", { e: "serverShutdown", E: 1770123456789 })
      .outcome,
    "renew",
  );
  assert.equal(
    t.parser.parse('{"e":"serverShutdown","E":1770123456789}', 1, "c", out),
    "renew",
  );
  assert.deepEqual(out, []);
});

Deno.test("replies are matched to their requests by id", () => {
  const t = setup();
  const out: NormalizedEvent[] = [];
  const sub = JSON.parse(
    t.requests.frame("SUBSCRIBE", ["bnbbtc@trade", "bnbbtc@depth@100ms"]),
  );
  const list = JSON.parse(t.requests.frame("LIST_SUBSCRIPTIONS"));
  const unsub = JSON.parse(t.requests.frame("UNSUBSCRIBE", ["bnbbtc@trade"]));
  const bad = JSON.parse(t.requests.frame("SUBSCRIBE", ["x@y"]));
  const reply = (m: unknown) =>
    t.parser.parse(JSON.stringify(m), 9, "binance-3", out);
  assert.equal(reply({ result: null, id: sub.id }), "ack");
  assert.deepEqual(t.stats.acked.get("binance-3"), {
    trade: ["BNBBTC"],
    depth: ["BNBBTC"],
  });
  assert.equal(reply({ result: null, id: unsub.id }), "ack");
  assert.deepEqual(t.stats.acked.get("binance-3"), { depth: ["BNBBTC"] });
  assert.equal(
    reply({ result: ["bnbbtc@ticker", "xrpbtc@trade"], id: list.id }),
    "ack",
  );
  assert.deepEqual(t.stats.acked.get("binance-3"), {
    ticker: ["BNBBTC"],
    trade: ["XRPBTC"],
  });
  assert.equal(reply({ result: null, id: 999 }), "control", "unknown id");
  assert.equal(
    reply({ code: 2, msg: "Invalid request: too many parameters", id: bad.id }),
    "control",
  );
  assert.equal(out.length, 1);
  assert.equal(out[0]!.kind, "status");
  assert.match(
    (out[0] as { detail: string }).detail,
    /^SUBSCRIBE \[x@y\] rejected: Invalid request: too many parameters \(code 2\)$/,
  );
  assert.equal(t.stats.venueErrors, 1);
  assert.equal(t.stats.acks, 3);
  assert.equal(t.requests.size, 0);
});
