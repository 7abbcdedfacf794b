import assert from "node:assert/strict";
import type {
  BookEvent,
  CandleEvent,
  StatusEvent,
  TickerEvent,
  TradeEvent,
} from "../../core/events.ts";
import { candle, setup, T0 } from "./_test_feed.ts";
import { advancedFrames, advancedStreams } from "./protocol.ts";

Deno.test("candles: updates stay open; the first update of the next bucket closes the last one exactly once", () => {
  const t = setup();
  const b0 = T0 / 1000;
  const b1 = b0 + 300;
  const r1 = t.feed("candles", [{
    type: "snapshot",
    candles: [candle(b0, "100.1", "1.5")],
  }]);
  assert.equal(r1.outcome, "ok");
  assert.deepEqual((r1.out as CandleEvent[]).map((c) => [c.closed, c.close]), [[
    false,
    "100.1",
  ]]);
  t.feed("candles", [{
    type: "update",
    candles: [candle(b0, "100.9", "2.25")],
  }]);
  const r3 = t.feed("candles", [{
    type: "update",
    candles: [candle(b1, "101", "0.1")],
  }]);
  const closed = (r3.out as CandleEvent[]).filter((c) => c.closed);
  assert.equal(closed.length, 1);
  assert.deepEqual(
    { ...closed[0]!, receivedTs: 0, exchangeTs: 0 },
    {
      id: `coinbase-advanced:BTC-USD:candle:5m:${b0 * 1000}:closed`,
      kind: "candle",
      venue: "coinbase-advanced",
      symbol: "BTC-USD",
      nativeSymbol: "BTC-USD",
      exchangeTs: 0,
      receivedTs: 0,
      interval: "5m",
      openTime: b0 * 1000,
      open: "100.00",
      high: "101.50",
      low: "99.10",
      close: "100.9",
      volume: "2.25",
      closed: true,
    },
  );
  assert.equal(r3.out.at(-1)!.kind, "candle");
  assert.equal((r3.out.at(-1) as CandleEvent).closed, false);
  // A late update of the closed bucket is a repeat; no second close.
  const late = t.feed("candles", [{
    type: "update",
    candles: [candle(b0, "100.9", "2.25")],
  }]);
  assert.deepEqual(late.out, []);
  assert.equal(t.stats.duplicates, 1);
  const again = t.feed("candles", [{
    type: "update",
    candles: [candle(b1, "101.2", "0.3")],
  }]);
  assert.ok((again.out as CandleEvent[]).every((c) => !c.closed));
  assert.equal(t.stats.bySymbol.get("BTC-USD")!.frames, 5);
});

Deno.test("candles: a close after a reconnect also says the candle may miss its last trades", () => {
  const t = setup();
  const b0 = T0 / 1000;
  t.feed("candles", [{ type: "update", candles: [candle(b0, "100.1", "1")] }]);
  t.parser.connectionOpened("coinbase-advanced-0");
  const r = t.feed("candles", [{
    type: "snapshot",
    candles: [candle(b0 + 300, "102", "1")],
  }], { seq: 0 });
  const gap = r.out.find((e) => e.kind === "status") as StatusEvent;
  assert.equal(gap.state, "gap");
  assert.match(gap.detail, /may miss its last trades/);
  assert.equal(t.stats.gaps, 0, "the reconnect is no sequence gap");
  assert.equal(
    (r.out.filter((e) => e.kind === "candle") as CandleEvent[]).filter((c) =>
      c.closed
    ).length,
    1,
  );
});

Deno.test("market_trades: maker side inverted to the taker's, oldest first, snapshot repeats dropped", () => {
  const t = setup();
  const trade = (id: number, side: string, sec: number) => ({
    trade_id: String(id),
    product_id: "ETH-USD",
    price: `1260.${id}`,
    size: "0.3",
    side,
    time: new Date(T0 + sec * 1000).toISOString(),
  });
  const r = t.feed("market_trades", [{
    type: "snapshot",
    trades: [trade(12, "BUY", 3), trade(11, "SELL", 2), trade(10, "BUY", 1)],
  }]);
  const trades = r.out as TradeEvent[];
  assert.deepEqual(trades.map((e) => [e.tradeId, e.side]), [["10", "sell"], [
    "11",
    "buy",
  ], ["12", "sell"]]);
  assert.equal(trades[0]!.id, "coinbase-advanced:ETH-USD:trade:10");
  assert.equal(trades[0]!.exchangeTs, T0 + 1000);
  // The snapshot after a resubscription repeats 11 and 12.
  const again = t.feed("market_trades", [{
    type: "snapshot",
    trades: [trade(13, "SELL", 4), trade(12, "BUY", 3), trade(11, "SELL", 2)],
  }]);
  assert.deepEqual((again.out as TradeEvent[]).map((e) => e.tradeId), ["13"]);
  assert.equal(t.stats.duplicates, 2);
  assert.equal(
    t.feed("market_trades", [{
      type: "update",
      trades: [{ ...trade(14, "HOLD", 5) }],
    }]).outcome,
    "invalid",
  );
});

Deno.test("ticker and ticker_batch: best bid/ask where given, empty where not", () => {
  const t = setup();
  const ticker = {
    type: "ticker",
    product_id: "BTC-USD",
    price: "21932.98",
    volume_24_h: "16038.28770938",
    low_24_h: "21835.29",
    high_24_h: "23011.18",
    low_52_w: "15460",
    high_52_w: "48240",
    price_percent_chg_24_h: "-4.15775596190603",
    best_bid: "21931.98",
    best_bid_quantity: "8000.21",
    best_ask: "21933.98",
    best_ask_quantity: "8038.07770938",
  };
  const [e] = t.feed("ticker", [{ type: "snapshot", tickers: [ticker] }])
    .out as TickerEvent[];
  assert.deepEqual([
    e!.bid,
    e!.bidSize,
    e!.ask,
    e!.askSize,
    e!.last,
    e!.volume24h,
    e!.high24h,
    e!.low24h,
  ], [
    "21931.98",
    "8000.21",
    "21933.98",
    "8038.07770938",
    "21932.98",
    "16038.28770938",
    "23011.18",
    "21835.29",
  ]);
  const {
    best_bid: _b,
    best_bid_quantity: _bq,
    best_ask: _a,
    best_ask_quantity: _aq,
    ...batch
  } = ticker;
  const [b] = t.feed("ticker_batch", [{ type: "update", tickers: [batch] }])
    .out as TickerEvent[];
  assert.deepEqual([b!.bid, b!.ask, b!.last], ["", "", "21932.98"]);
  assert.match(b!.id, /:ticker:batch:/);
});

Deno.test("sequence gap: counted once, reported, level2 held until the resubscription's snapshot", () => {
  const t = setup();
  t.feed("subscriptions", [{
    subscriptions: {
      level2: ["BTC-USD"],
      candles: ["BTC-USD"],
      heartbeats: [],
    },
  }]);
  assert.deepEqual(t.stats.acked.get("coinbase-advanced-0"), {
    level2: ["BTC-USD"],
    candles: ["BTC-USD"],
    heartbeats: [],
  });
  const snap = t.feed("l2_data", [{
    type: "snapshot",
    product_id: "BTC-USD",
    updates: [
      {
        side: "bid",
        event_time: "1970-01-01T00:00:00Z",
        price_level: "100",
        new_quantity: "1",
      },
      {
        side: "offer",
        event_time: "1970-01-01T00:00:00Z",
        price_level: "101",
        new_quantity: "2",
      },
    ],
  }]);
  const book = snap.out[0] as BookEvent;
  assert.deepEqual([book.type, book.bids, book.asks], ["snapshot", [[
    "100",
    "1",
  ]], [["101", "2"]]]);
  const update = (q: string) => [{
    type: "update",
    product_id: "BTC-USD",
    updates: [{
      side: "bid",
      event_time: new Date(T0).toISOString(),
      price_level: "100",
      new_quantity: q,
    }],
  }];
  assert.equal(
    (t.feed("l2_data", update("0")).out[0] as BookEvent).type,
    "delta",
  );
  const gapped = t.feed("l2_data", update("3"), { seq: 10 });
  const status = gapped.out as StatusEvent[];
  assert.equal(status.length, 1, "the delta after the gap is held back");
  assert.equal(status[0]!.state, "gap");
  assert.match(status[0]!.detail, /missed 7 messages \(sequence_num 3\.\.9\)/);
  assert.deepEqual([t.stats.gaps, t.stats.missed], [1, 7]);
  assert.deepEqual(t.resubscribed, [["level2:BTC-USD", "candles:BTC-USD"]]);
  const resync = t.feed("l2_data", [{
    ...snap.out.length &&
      { type: "snapshot", product_id: "BTC-USD", updates: [] },
  }]);
  assert.deepEqual(
    resync.out.map((e) => e.kind === "status" ? e.state : e.kind),
    ["resync", "book"],
  );
  assert.equal(t.feed("l2_data", update("4")).out.length, 1);
  // A second gap within 5 s is reported but does not resubscribe again.
  t.feed("heartbeats", [{ current_time: "x", heartbeat_counter: 5 }], {
    seq: 20,
  });
  assert.equal(t.stats.gaps, 2);
  assert.equal(t.resubscribed.length, 1);
  // A repeated number is dropped.
  assert.deepEqual(
    t.feed("candles", [{
      type: "update",
      candles: [candle(T0 / 1000, "1", "1")],
    }], { seq: 20 }).out,
    [],
  );
});

Deno.test("each connection has its own sequence line, restarted on reconnect", () => {
  const t = setup();
  t.feed("heartbeats", [{ heartbeat_counter: "1" }], {
    seq: 0,
    conn: "coinbase-advanced-0",
  });
  t.feed("heartbeats", [{ heartbeat_counter: "1" }], {
    seq: 0,
    conn: "coinbase-advanced-1",
  });
  t.feed("heartbeats", [{ heartbeat_counter: "2" }], {
    seq: 1,
    conn: "coinbase-advanced-0",
  });
  t.parser.connectionOpened("coinbase-advanced-1");
  t.feed("heartbeats", [{ heartbeat_counter: "1" }], {
    seq: 0,
    conn: "coinbase-advanced-1",
  });
  assert.deepEqual([t.stats.gaps, t.stats.duplicates], [0, 0]);
});

Deno.test("errors: counted and reported; an authentication failure is told to the venue, redacted", () => {
  const t = setup();
  const r = t.raw(
    JSON.stringify({
      type: "error",
      message: "authentication failure for secret-key-name",
    }),
  );
  assert.equal(r.outcome, "control");
  assert.equal((r.out[0] as StatusEvent).state, "error");
  assert.equal(
    (r.out[0] as StatusEvent).detail,
    "authentication failure for ***",
  );
  assert.deepEqual(t.authFailures, ["authentication failure for ***"]);
  assert.equal(t.stats.venueErrors, 1);
  assert.equal(t.raw('{"channel":"candles"').outcome, "malformed");
  assert.equal(t.raw('{"channel":"candles","events":[]}').outcome, "invalid");
  assert.equal(t.feed("mystery", []).outcome, "unknown");
  assert.equal(
    t.feed("candles", [{ type: "update", candles: [{ start: "x" }] }]).outcome,
    "invalid",
  );
  assert.equal(
    t.feed("status", [{ products: [{ id: "BTC-USD", status: "online" }] }])
      .outcome,
    "control",
  );
  assert.equal(t.stats.symbolStatus.get("BTC-USD"), "online");
});

Deno.test("subscribe messages: one per channel, heartbeats not a stream", () => {
  const streams = advancedStreams(["candles", "heartbeats", "level2"], [
    "BTC-USD",
    "ETH-USD",
  ]);
  assert.deepEqual(streams.map((s) => s.key), [
    "candles:BTC-USD",
    "candles:ETH-USD",
    "level2:BTC-USD",
    "level2:ETH-USD",
  ]);
  assert.deepEqual(
    advancedFrames("subscribe", streams).map((f) => JSON.parse(f)),
    [
      {
        type: "subscribe",
        product_ids: ["BTC-USD", "ETH-USD"],
        channel: "candles",
      },
      {
        type: "subscribe",
        product_ids: ["BTC-USD", "ETH-USD"],
        channel: "level2",
      },
    ],
  );
});
