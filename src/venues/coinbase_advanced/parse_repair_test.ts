import assert from "node:assert/strict";
import type {
  BookEvent,
  CandleEvent,
  StatusEvent,
  TradeEvent,
} from "../../core/events.ts";
import { candle, setup, T0 } from "./_test_feed.ts";

const trade = (id: number) => ({
  trade_id: String(id),
  product_id: "BTC-USD",
  price: `100.${id}`,
  size: "1",
  side: "BUY",
  time: new Date(T0 + id * 100).toISOString(),
});

const ids = (out: unknown[]) => (out as TradeEvent[]).map((t) => t.tradeId);

Deno.test("trades lost in a gap come back with the snapshot even after newer trades arrived", () => {
  const t = setup();
  t.feed("subscriptions", [{ subscriptions: { market_trades: ["BTC-USD"] } }]);
  assert.deepEqual(
    ids(t.feed("market_trades", [{ type: "update", trades: [trade(10)] }]).out),
    ["10"],
  );
  // The message with trade 11 is lost; 12 reveals the gap.
  const gapped = t.feed("market_trades", [{
    type: "update",
    trades: [trade(12)],
  }], { seq: 3 });
  assert.deepEqual(ids(gapped.out.filter((e) => e.kind === "trade")), ["12"]);
  assert.deepEqual(t.resubscribed, [["market_trades:BTC-USD"]]);
  const snapshot = t.feed("market_trades", [{
    type: "snapshot",
    trades: [trade(12), trade(11), trade(10)],
  }]);
  assert.deepEqual(ids(snapshot.out), ["11"]);
  assert.equal(t.stats.duplicates, 2);
});

Deno.test("a second gap within 5 s resubscribes once the interval has passed; the book resumes", () => {
  const t = setup();
  t.feed("subscriptions", [{ subscriptions: { level2: ["BTC-USD"] } }]);
  const snapshot = () =>
    t.feed("l2_data", [{
      type: "snapshot",
      product_id: "BTC-USD",
      updates: [{
        side: "bid",
        event_time: "1970-01-01T00:00:00Z",
        price_level: "100",
        new_quantity: "1",
      }],
    }]);
  const update = (opts: { seq?: number; at?: number } = {}) =>
    t.feed("l2_data", [{
      type: "update",
      product_id: "BTC-USD",
      updates: [{
        side: "offer",
        event_time: new Date(T0).toISOString(),
        price_level: "101",
        new_quantity: "2",
      }],
    }], opts).out.filter((e) => e.kind === "book") as BookEvent[];
  snapshot();
  t.feed("heartbeats", [{ heartbeat_counter: 1 }], { seq: 5 }); // gap 1
  assert.equal(t.resubscribed.length, 1);
  snapshot();
  assert.equal(update().length, 1);
  t.feed("heartbeats", [{ heartbeat_counter: 2 }], { seq: 20 }); // gap 2, 3 s later
  assert.equal(t.resubscribed.length, 1, "not again within 5 s");
  assert.equal(update().length, 0, "the book waits for a snapshot");
  update(); // 5 s after the first resubscription: the due one goes out
  assert.equal(t.resubscribed.length, 2);
  snapshot();
  assert.equal(update().length, 1, "the book resumes");
  assert.equal(t.stats.gaps, 2);
});

Deno.test("a quiet product's candle closes once the feed's clock is past its bucket; a late repeat is dropped", () => {
  const t = setup();
  const b0 = T0 / 1000;
  t.feed("candles", [{ type: "update", candles: [candle(b0, "1", "1")] }], {
    at: T0 + 290_000,
  });
  const early = t.feed("heartbeats", [{ heartbeat_counter: 1 }], {
    at: T0 + 304_000,
  });
  assert.deepEqual(early.out, []);
  const due = t.feed("heartbeats", [{ heartbeat_counter: 2 }], {
    at: T0 + 305_000,
  });
  const closed = due.out as CandleEvent[];
  assert.deepEqual(closed.map((c) => [c.closed, c.openTime]), [[true, T0]]);
  const late = t.feed("candles", [{
    type: "update",
    candles: [candle(b0, "1", "1")],
  }]);
  assert.deepEqual(late.out, []);
  const next = t.feed("candles", [{
    type: "update",
    candles: [candle(b0 + 600, "2", "1")],
  }]);
  assert.deepEqual(
    (next.out as CandleEvent[]).map((c) => c.closed),
    [false],
    "no second close of the quiet bucket",
  );
});

Deno.test("an invalid frame emits nothing, not even its valid part", () => {
  const t = setup();
  const r = t.feed("candles", [{
    type: "update",
    candles: [candle(T0 / 1000, "1", "1"), {
      ...candle(T0 / 1000, "1", "1"),
      start: "",
    }],
  }]);
  assert.equal(r.outcome, "invalid");
  assert.deepEqual(r.out, []);
  const book = t.feed("l2_data", [
    { type: "snapshot", product_id: "BTC-USD", updates: [] },
    {
      type: "update",
      product_id: "BTC-USD",
      updates: [{ side: "middle", price_level: "1", new_quantity: "1" }],
    },
  ]);
  assert.equal(book.outcome, "invalid");
  assert.deepEqual(book.out as StatusEvent[], []);
});
