import assert from "node:assert/strict";
import type { NormalizedEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { CoinbaseParser } from "./parse.ts";

// Frames below are the documented examples (research/exchanges.md §1.7).
const MATCH = JSON.stringify({
  type: "match",
  trade_id: 10,
  sequence: 50,
  maker_order_id: "ac928c66-ca53-498f-9c13-a110027a60e8",
  taker_order_id: "132fb6ae-456b-4654-b4e0-d681ac05cea1",
  time: "2014-11-07T08:19:27.028459Z",
  product_id: "BTC-USD",
  size: "5.23512",
  price: "400.23",
  side: "sell",
});

const TICKER = JSON.stringify({
  type: "ticker",
  sequence: 37475248783,
  product_id: "ETH-USD",
  price: "1285.22",
  open_24h: "1310.79",
  volume_24h: "245532.79269678",
  low_24h: "1280.52",
  high_24h: "1313.8",
  volume_30d: "9788783.60117027",
  best_bid: "1285.04",
  best_bid_size: "0.46688654",
  best_ask: "1285.27",
  best_ask_size: "1.56637040",
  side: "buy",
  time: "2022-10-19T23:28:22.061769Z",
  trade_id: 370843401,
  last_size: "11.4396987",
});

function setup() {
  const stats = new VenueStats("coinbase");
  const parser = new CoinbaseParser(stats);
  const out: NormalizedEvent[] = [];
  const feed = (frame: string | object, conn = "coinbase-0", ts = 1_000) => {
    out.length = 0;
    const text = typeof frame === "string" ? frame : JSON.stringify(frame);
    const outcome = parser.parse(text, ts, conn, out);
    return { outcome, events: [...out] };
  };
  return { stats, parser, feed };
}

function match(tradeId: number, extra: object = {}) {
  return {
    type: "match",
    trade_id: tradeId,
    sequence: tradeId * 3,
    time: "2024-01-01T00:00:00.000001Z",
    product_id: "BTC-USD",
    size: "0.01",
    price: "42000.00",
    side: "buy",
    ...extra,
  };
}

Deno.test("CoinbaseParser.parse() maps a documented match to a trade with the taker side", () => {
  const { feed, stats } = setup();
  const { outcome, events } = feed(MATCH, "coinbase-0", 1_700_000_000_000);
  assert.equal(outcome, "ok");
  assert.deepEqual(events, [{
    id: "coinbase:BTC-USD:trade:10",
    kind: "trade",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 1415348367028.459,
    receivedTs: 1_700_000_000_000,
    tradeId: "10",
    price: "400.23",
    size: "5.23512",
    side: "buy", // maker sold, so the taker bought
  }]);
  assert.equal(stats.bySymbol.get("BTC-USD")?.frames, 1);
});

Deno.test("CoinbaseParser.parse() maps a documented ticker losslessly", () => {
  const { feed } = setup();
  const [e] = feed(TICKER).events;
  assert.deepEqual(e, {
    id: "coinbase:ETH-USD:ticker:37475248783",
    kind: "ticker",
    venue: "coinbase",
    symbol: "ETH-USD",
    nativeSymbol: "ETH-USD",
    exchangeTs: 1666222102061.769,
    receivedTs: 1_000,
    bid: "1285.04",
    bidSize: "0.46688654",
    ask: "1285.27",
    askSize: "1.56637040",
    last: "1285.22",
    volume24h: "245532.79269678",
    open24h: "1310.79",
    high24h: "1313.8",
    low24h: "1280.52",
    volume30d: "9788783.60117027",
    lastSize: "11.4396987",
    lastTradeId: "370843401",
    sequence: 37475248783,
  });
});

Deno.test("CoinbaseParser.parse() drops duplicate and older trade ids and tickers", () => {
  const { feed, stats } = setup();
  assert.equal(feed(match(5)).events.length, 1);
  assert.equal(feed({ ...match(5), type: "last_match" }).events.length, 0);
  assert.equal(feed(match(4)).events.length, 0);
  assert.equal(feed(TICKER).events.length, 1);
  assert.equal(feed(TICKER).events.length, 0);
  assert.equal(stats.duplicates, 3);
  assert.equal(stats.gaps, 0);
});

Deno.test("CoinbaseParser.parse() reports a trade id jump once as a gap", () => {
  const { feed, stats } = setup();
  feed(match(100));
  const { events } = feed(match(104));
  assert.equal(events.length, 2);
  const [gap, trade] = events;
  assert.equal(gap?.kind, "status");
  assert.equal(gap?.kind === "status" && gap.state, "gap");
  assert.equal(
    gap?.kind === "status" && gap.detail,
    "missed 3 trades (trade_id 101..103)",
  );
  assert.equal(gap?.symbol, "BTC-USD");
  assert.equal(trade?.kind === "trade" && trade.tradeId, "104");
  assert.equal(stats.gaps, 1);
  assert.equal(stats.missed, 3);
  // A late arrival of a missed trade is still delivered, not re-reported.
  assert.equal(feed(match(105)).events.length, 1);
  assert.equal(stats.gaps, 1);
});

Deno.test("CoinbaseParser.parse() ignores sequence jumps on matches (shared with the full channel)", () => {
  const { feed, stats } = setup();
  feed(match(1, { sequence: 10 }));
  feed(match(2, { sequence: 17 }));
  feed(match(3, { sequence: 31 }));
  assert.equal(stats.gaps, 0);
});

Deno.test("CoinbaseParser.parse() detects trades missing behind a heartbeat's last_trade_id", () => {
  const { feed, stats } = setup();
  const hb = (last: number) => ({
    type: "heartbeat",
    sequence: 90,
    last_trade_id: last,
    product_id: "BTC-USD",
    time: "2014-11-07T08:19:28.464459Z",
  });
  // Before this connection delivered a match, heartbeats judge nothing.
  assert.equal(feed(hb(7)).events.length, 0);
  feed(match(7));
  assert.equal(feed(hb(7)).outcome, "control");
  assert.equal(feed(hb(7)).events.length, 0);
  const { events } = feed(hb(9));
  assert.equal(events.length, 1);
  assert.equal(
    events[0]?.kind === "status" && events[0].detail,
    "missed 2 trades (trade_id 8..9)",
  );
  // The same loss is not counted again when trade 10 arrives.
  assert.equal(feed(match(10)).events.length, 1);
  assert.equal(stats.gaps, 1);
  assert.equal(stats.missed, 2);
  // After a reconnect, heartbeats wait for that connection's first match.
  feed(match(11), "coinbase-1");
  assert.equal(feed(hb(20), "coinbase-2").events.length, 0);
});

Deno.test("CoinbaseParser.connectionOpened() disarms heartbeat checks for that connection", () => {
  const { feed, parser, stats } = setup();
  feed(match(1));
  parser.connectionOpened("coinbase-0");
  feed({
    type: "heartbeat",
    sequence: 1,
    last_trade_id: 50,
    product_id: "BTC-USD",
    time: "2014-11-07T08:19:28.464459Z",
  });
  assert.equal(stats.gaps, 0);
});

Deno.test("CoinbaseParser.parse() maps level2 snapshot and l2update to book events", () => {
  const { feed, stats } = setup();
  const snap = feed(
    {
      type: "snapshot",
      product_id: "BTC-USD",
      bids: [["10101.10", "0.45054140"]],
      asks: [["10102.55", "0.57753524"]],
    },
    "coinbase-0",
    5_000,
  ).events[0];
  assert.equal(snap?.kind, "book");
  if (snap?.kind !== "book") return;
  assert.equal(snap.type, "snapshot");
  assert.deepEqual(snap.bids, [["10101.10", "0.45054140"]]);
  assert.deepEqual(snap.asks, [["10102.55", "0.57753524"]]);
  assert.equal(snap.exchangeTs, 5_000);
  const update = {
    type: "l2update",
    product_id: "BTC-USD",
    changes: [
      ["buy", "22356.270000", "0.00000000"],
      ["sell", "22356.300000", "1.00000000"],
    ],
    time: "2022-08-04T15:25:05.010758Z",
  };
  const d1 = feed(update).events[0];
  const d2 = feed(update).events[0];
  assert.equal(d1?.kind === "book" && d1.type, "delta");
  assert.deepEqual(d1?.kind === "book" && d1.bids, [[
    "22356.270000",
    "0.00000000",
  ]]);
  assert.deepEqual(d1?.kind === "book" && d1.asks, [[
    "22356.300000",
    "1.00000000",
  ]]);
  assert.equal(d1?.id, "coinbase:BTC-USD:book:delta:1659626705010758");
  assert.equal(d2?.id, "coinbase:BTC-USD:book:delta:1659626705010758.1");
  assert.equal(stats.bySymbol.get("BTC-USD")?.frames, 3);
});

Deno.test("CoinbaseParser.parse() records subscription acks per connection", () => {
  const { feed, stats } = setup();
  const { outcome, events } = feed({
    type: "subscriptions",
    channels: [
      { name: "ticker", product_ids: ["ETH-USD", "ETH-EUR"] },
      { name: "heartbeat", product_ids: ["ETH-USD"] },
    ],
  });
  assert.equal(outcome, "ack");
  assert.equal(events.length, 0);
  assert.equal(stats.acks, 1);
  assert.deepEqual(stats.acked.get("coinbase-0"), {
    ticker: ["ETH-USD", "ETH-EUR"],
    heartbeat: ["ETH-USD"],
  });
});

Deno.test("CoinbaseParser.parse() turns an error frame into an error status event", () => {
  const { feed, stats } = setup();
  const { events } = feed({
    type: "error",
    message: "Failed to subscribe",
    reason: "You need to specify at least one product ID for channel heartbeat",
  });
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.kind === "status" && e.state, "error");
  assert.equal(
    e.kind === "status" && e.detail,
    "Failed to subscribe: You need to specify at least one product ID for channel heartbeat",
  );
  assert.equal(e.symbol, "*");
  assert.equal(stats.venueErrors, 1);
});

Deno.test("CoinbaseParser.parse() classifies bad frames without throwing", async (t) => {
  const cases: [string, string][] = [
    ["{not json", "malformed"],
    ["", "malformed"],
    ["[1,2]", "malformed"],
    ["42", "malformed"],
    ["null", "malformed"],
    ['{"type":"auction"}', "unknown"],
    ['{"no_type":true}', "unknown"],
    [JSON.stringify({ ...match(1), price: 400.23 }), "invalid"],
    [JSON.stringify({ ...match(1), side: "up" }), "invalid"],
    [JSON.stringify({ ...match(1), time: "yesterday" }), "invalid"],
    [JSON.stringify({ ...match(1), trade_id: "1" }), "invalid"],
    [
      '{"type":"l2update","product_id":"BTC-USD","changes":[["up","1","2"]],"time":"2022-08-04T15:25:05Z"}',
      "invalid",
    ],
    [
      '{"type":"snapshot","product_id":"BTC-USD","bids":[[1,2]],"asks":[]}',
      "invalid",
    ],
    ['{"type":"heartbeat","product_id":"BTC-USD"}', "invalid"],
    ['{"type":"subscriptions"}', "invalid"],
  ];
  for (const [frame, expected] of cases) {
    await t.step(`${expected}: ${frame.slice(0, 40)}`, () => {
      const { feed } = setup();
      const r = feed(frame);
      assert.equal(r.outcome, expected);
      assert.equal(r.events.length, 0);
    });
  }
});

Deno.test("CoinbaseParser.parse() records product status from the status channel", () => {
  const { feed, stats } = setup();
  feed({
    type: "status",
    products: [{ id: "BTC-USD", status: "online" }, {
      id: "XYZ-USD",
      status: "delisted",
    }],
    currencies: [],
  });
  assert.equal(stats.symbolStatus.get("BTC-USD"), "online");
  assert.equal(stats.symbolStatus.get("XYZ-USD"), "delisted");
});
