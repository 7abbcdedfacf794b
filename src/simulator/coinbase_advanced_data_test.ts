/**
 * Data tests of the Coinbase Advanced Trade simulator over real sockets:
 * candles against the trade tape across bucket boundaries, market trades,
 * level2 book rebuilding, tickers, status, and pause/resume.
 *
 * @module
 */
import assert from "node:assert/strict";
import { addDecimal, compareDecimal } from "../core/decimal.ts";
import { parseIsoTimestamp } from "../core/time.ts";
import { bucketStart, type Candle } from "./coinbase_advanced_candles.ts";
import type { AdvancedTrade } from "./coinbase_advanced_market.ts";
import {
  type AdvancedTestClient,
  simTest,
  START_MS,
  subscribe,
} from "./coinbase_advanced_test_util.ts";
import { ProductMarket } from "./coinbase_product.ts";
import type { Json } from "./ws_test_client.ts";

const PRODUCTS = ["BTC-USD", "ETH-USD"];
const DECIMAL = /^\d+(\.\d+)?$/;

/** OHLCV per bucket recomputed from the trades. */
function candlesFromTrades(trades: AdvancedTrade[]): Candle[] {
  const out: Candle[] = [];
  for (const t of trades) {
    const start = String(bucketStart(parseIsoTimestamp(t.time)));
    const last = out.at(-1);
    if (last?.start !== start) {
      out.push({
        start,
        high: t.price,
        low: t.price,
        open: t.price,
        close: t.price,
        volume: t.size,
        product_id: t.product_id,
      });
      continue;
    }
    if (compareDecimal(t.price, last.high) > 0) last.high = t.price;
    if (compareDecimal(t.price, last.low) < 0) last.low = t.price;
    last.close = t.price;
    last.volume = addDecimal(last.volume, t.size);
  }
  return out;
}

simTest(
  "candles: the last update of each bucket is its truth, across two boundaries",
  { products: PRODUCTS },
  async ({ sim, connect, advance, settle }) => {
    const c = await connect();
    await c.request(subscribe("heartbeats"));
    await c.request(subscribe("candles", PRODUCTS));
    await advance(30_000);
    const late = await connect();
    await late.request(subscribe("candles", ["ETH-USD"]));
    const snapshot = late.events("candles")[0];
    assert.deepEqual(snapshot, {
      type: "snapshot",
      candles: [sim.candles("ETH-USD").at(-1)],
    });
    await advance(630_000);
    sim.pause();
    await settle(c);
    const updates = c.events("candles").filter((e) => e.type === "update");
    for (const product of PRODUCTS) {
      const truth = sim.candles(product);
      assert.ok(truth.length >= 3, "two boundaries crossed");
      assert.deepEqual(candlesFromTrades(sim.trades(product)), truth);
      const sent = updates.flatMap((e) => e.candles as Candle[])
        .filter((k) => k.product_id === product);
      const lastPerBucket = new Map<string, Candle>();
      let newest = 0;
      for (const candle of sent) {
        assert.ok(
          Number(candle.start) >= newest,
          "never back to an old bucket",
        );
        newest = Number(candle.start);
        lastPerBucket.set(candle.start, candle);
        for (
          const field of ["high", "low", "open", "close", "volume"] as const
        ) {
          assert.match(candle[field], DECIMAL);
        }
      }
      assert.deepEqual([...lastPerBucket.values()], truth);
      assert.ok(sent.length > 600, "an update every second");
    }
  },
);

simTest(
  "market_trades: snapshot of 50 newest first, then every trade once, maker side",
  { products: PRODUCTS },
  async ({ sim, connect, advance, settle }) => {
    await advance(20_000);
    const c = await connect();
    await c.request(subscribe("market_trades", ["BTC-USD"]));
    const before = sim.trades("BTC-USD");
    assert.equal(before.length, 100);
    const [snapshot, ...rest] = c.events("market_trades");
    assert.equal(rest.length, 0);
    assert.deepEqual(snapshot, {
      type: "snapshot",
      trades: before.slice(-50).reverse(),
    });
    await advance(5000, 250);
    sim.pause();
    await settle(c);
    const updates = c.events("market_trades").slice(1);
    assert.ok(updates.every((e) => e.type === "update"));
    const streamed = updates.flatMap((e) =>
      [...(e.trades as AdvancedTrade[])].reverse()
    );
    assert.deepEqual(streamed, sim.trades("BTC-USD").slice(100));
    assert.equal(streamed.length, 25);
    assert.ok(
      c.events("market_trades").every((e) =>
        (e.trades as AdvancedTrade[]).every((t) => t.product_id === "BTC-USD")
      ),
    );
    const replay = new ProductMarket("BTC-USD", 1, START_MS * 1000);
    for (const trade of sim.trades("BTC-USD")) {
      const match = replay.trade(trade.time);
      assert.equal(typeof trade.trade_id, "string");
      assert.equal(trade.trade_id, String(match.trade_id));
      assert.equal(trade.side, match.side.toUpperCase(), "the maker side");
      assert.match(trade.time, /^2026-01-01T00:0\d:\d\d\.\d{6}Z$/);
    }
  },
);

/** Applies l2_data events to a book: price -> quantity per side. */
function applyLevels(events: Json[]): Map<string, Map<string, string>> {
  const book = new Map([["bid", new Map<string, string>()], [
    "offer",
    new Map<string, string>(),
  ]]);
  for (const event of events) {
    for (const u of event.updates as Json[]) {
      const side = book.get(String(u.side)) as Map<string, string>;
      if (u.new_quantity === "0") side.delete(String(u.price_level));
      else side.set(String(u.price_level), String(u.new_quantity));
    }
  }
  return book;
}

function sorted(side: Map<string, string>, descending: boolean) {
  return [...side].sort(([a], [b]) =>
    descending ? compareDecimal(b, a) : compareDecimal(a, b)
  );
}

simTest(
  "level2: the snapshot plus absolute updates rebuild the book",
  { products: PRODUCTS },
  async ({ sim, connect, advance, settle }) => {
    await advance(3000);
    const c = await connect();
    await c.request(subscribe("level2", ["BTC-USD"]));
    const [snapshot] = c.events("l2_data");
    assert.equal(snapshot?.type, "snapshot");
    assert.equal(snapshot?.product_id, "BTC-USD");
    const levels = snapshot?.updates as Json[];
    assert.deepEqual(Object.keys(levels[0] ?? {}).sort(), [
      "event_time",
      "new_quantity",
      "price_level",
      "side",
    ]);
    await advance(10_000, 250);
    sim.pause();
    await settle(c);
    const events = c.events("l2_data");
    assert.ok(events.slice(1).every((e) => e.type === "update"));
    const removals = events.flatMap((e) => e.updates as Json[])
      .filter((u) => u.new_quantity === "0");
    assert.ok(removals.length > 0, "some levels were removed");
    const book = applyLevels(events);
    const truth = sim.book("BTC-USD");
    assert.deepEqual(
      sorted(book.get("bid") as Map<string, string>, true),
      truth.bids,
    );
    assert.deepEqual(
      sorted(book.get("offer") as Map<string, string>, false),
      truth.asks,
    );
    assert.equal(truth.bids.length >= 50, true);
  },
);

simTest(
  "ticker, ticker_batch and status carry the documented fields",
  { products: PRODUCTS },
  async ({ sim, connect, advance, settle }) => {
    const c = await connect();
    await c.request(subscribe("ticker", ["ETH-USD"]));
    await c.request(subscribe("ticker_batch", ["ETH-USD"]));
    await c.request(subscribe("status", PRODUCTS));
    const [snapshot] = c.events("ticker");
    assert.deepEqual(snapshot, {
      type: "snapshot",
      tickers: [sim.ticker("ETH-USD")],
    });
    assert.deepEqual(Object.keys(sim.ticker("ETH-USD")), [
      "type",
      "product_id",
      "price",
      "volume_24_h",
      "low_24_h",
      "high_24_h",
      "low_52_w",
      "high_52_w",
      "price_percent_chg_24_h",
      "best_bid",
      "best_bid_quantity",
      "best_ask",
      "best_ask_quantity",
    ]);
    await advance(10_000, 250);
    sim.pause();
    await settle(c);
    const ticker = sim.ticker("ETH-USD");
    const updates = c.events("ticker").slice(1);
    assert.equal(updates.length, 40, "one per tick with trades");
    assert.deepEqual(updates.at(-1), { type: "update", tickers: [ticker] });
    for (const [field, value] of Object.entries(ticker)) {
      if (field !== "type" && field !== "product_id") {
        assert.match(value, /^-?\d+\.\d+$/, field);
      }
    }
    const batches = c.envelopes("ticker_batch");
    assert.equal(batches.length, 3, "the snapshot and one per 5 s");
    const {
      best_bid: _b,
      best_bid_quantity: _bq,
      best_ask: _a,
      best_ask_quantity: _aq,
      ...batched
    } = ticker;
    assert.deepEqual(batches.at(-1)?.events, [{
      type: "update",
      tickers: [batched],
    }]);
    assert.equal(batches.at(-1)?.timestamp, "2026-01-01T00:03:30.125000000Z");
    const [status] = c.events("status");
    assert.deepEqual(status, {
      type: "snapshot",
      products: PRODUCTS.map((id) => ({
        product_type: "SPOT",
        id,
        base_currency: id.slice(0, 3),
        quote_currency: "USD",
        base_increment: "0.00000001",
        quote_increment: "0.01",
        display_name: id,
        status: "online",
        status_message: "",
        min_market_funds: "1",
      })),
    });
  },
);

simTest(
  "pause stops data but not heartbeats; resume restarts it",
  { products: PRODUCTS },
  async ({ sim, connect, advance, settle }) => {
    const c = await connect();
    await c.request(subscribe("heartbeats"));
    for (const channel of ["market_trades", "candles", "level2", "ticker"]) {
      await c.request(subscribe(channel, PRODUCTS));
    }
    await advance(2000);
    sim.pause();
    await settle(c);
    const trades = sim.trades("BTC-USD").length;
    const count = (client: AdvancedTestClient) =>
      client.envelopes().filter((f) => f.channel !== "heartbeats").length;
    const before = count(c);
    await advance(10_000);
    await settle(c);
    assert.equal(count(c), before);
    assert.equal(sim.trades("BTC-USD").length, trades);
    assert.equal(c.envelopes("heartbeats").length, 12);
    sim.resume();
    await advance(1000);
    await settle(c);
    assert.equal(sim.trades("BTC-USD").length, trades + 5);
    assert.ok(count(c) > before);
  },
);
