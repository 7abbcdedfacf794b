/**
 * Unit tests of the Coinbase Advanced Trade simulator parts without
 * sockets: candle bookkeeping, exact text formats, product determinism and
 * request parsing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CandleSeries, sizeUnits } from "./coinbase_advanced_candles.ts";
import { heartbeatTime, rfc3339Nanos } from "./coinbase_advanced_feeds.ts";
import { AdvancedProduct } from "./coinbase_advanced_market.ts";
import { parseAdvancedRequest } from "./coinbase_advanced_subscribe.ts";

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const MINUTE = 60_000;

Deno.test("candle updates: a bucket's final candle comes before the next bucket's", () => {
  const series = new CandleSeries("BTC-USD");
  assert.deepEqual(series.takeUpdates(false), []);
  series.add(T0 + MINUTE, "100.00", "0.1");
  assert.deepEqual(series.takeUpdates(false).map((c) => c.volume), [
    "0.10000000",
  ]);
  series.add(T0 + 4 * MINUTE, "101.50", "0.2");
  series.add(T0 + 5 * MINUTE, "99.00", "1");
  const [ended, started, ...rest] = series.takeUpdates(false);
  assert.equal(rest.length, 0);
  assert.deepEqual(ended, {
    start: String(T0 / 1000),
    high: "101.50",
    low: "100.00",
    open: "100.00",
    close: "101.50",
    volume: "0.30000000",
    product_id: "BTC-USD",
  });
  assert.equal(started?.start, String(T0 / 1000 + 300));
  assert.deepEqual(series.takeUpdates(false), [started], "the newest again");
  assert.deepEqual(series.takeUpdates(true), [], "a flush sends only changes");
  series.add(T0 + 6 * MINUTE, "98.00", "0.5");
  assert.deepEqual(series.takeUpdates(true).map((c) => c.low), ["98.00"]);
  assert.equal(series.current(T0 + 9 * MINUTE)?.volume, "1.50000000");
  assert.equal(series.current(T0 + 10 * MINUTE), null);
  assert.equal(series.all().length, 2);
  assert.throws(() => series.add(T0, "1.00", "1"), RangeError);
});

Deno.test("sizes and timestamps are exact text", () => {
  assert.equal(sizeUnits("0.1") + sizeUnits("0.2"), 30_000_000);
  assert.equal(sizeUnits("12.00000001"), 1_200_000_001);
  assert.equal(
    rfc3339Nanos(T0 + 1234.5),
    "2026-01-01T00:00:01.234500000Z",
  );
  assert.equal(
    heartbeatTime(T0 + 91_717_525, T0),
    "2026-01-02 01:28:37.525000000 +0000 UTC m=+91717.525000000",
  );
});

Deno.test("products are deterministic and speak in decimal strings", () => {
  const a = new AdvancedProduct("ETH-USD", 7, T0);
  const b = new AdvancedProduct("ETH-USD", 7, T0);
  assert.deepEqual(a.step(0, T0 + 250), { trades: [], levels: [] });
  for (let i = 1; i <= 20; i++) {
    assert.deepEqual(a.step(3, T0 + i * 250), b.step(3, T0 + i * 250));
  }
  assert.deepEqual(a.trades(), b.trades());
  assert.equal(a.trades().length, 60);
  assert.deepEqual(a.recentTrades(2), a.trades().slice(-2).reverse());
  for (const t of a.trades()) {
    assert.match(t.price, /^\d+\.\d{2}$/);
    assert.match(t.size, /^\d+\.\d{8}$/);
    assert.ok(t.side === "BUY" || t.side === "SELL");
  }
  const ticker = a.ticker();
  assert.equal(ticker.price, a.trades().at(-1)?.price);
  assert.ok(Number(ticker.low_52_w) <= Number(ticker.low_24_h));
  assert.ok(Number(ticker.high_52_w) >= Number(ticker.high_24_h));
  assert.equal(ticker.best_bid, a.book().bids[0]?.[0]);
  assert.equal(ticker.best_ask_quantity, a.book().asks[0]?.[1]);
  assert.equal("best_bid" in a.batchTicker(), false);
  assert.equal(a.tickerVersion, 20);
  const snapshot = a.snapshotLevels();
  assert.equal(snapshot.length, a.book().bids.length + a.book().asks.length);
  assert.equal(snapshot[0]?.side, "bid");
  assert.equal(snapshot.at(-1)?.side, "offer");
});

Deno.test("request parsing: heartbeats take no products; jwt must be text", () => {
  const known = new Set(["BTC-USD"]);
  assert.deepEqual(
    parseAdvancedRequest(
      '{"type":"subscribe","channel":"heartbeats","product_ids":["X"]}',
      known,
    ),
    {
      type: "subscribe",
      channel: "heartbeats",
      productIds: [],
      jwt: undefined,
    },
  );
  assert.equal(
    parseAdvancedRequest(
      '{"type":"subscribe","channel":"ticker","product_ids":["BTC-USD"],"jwt":1}',
      known,
    ),
    "jwt must be a string",
  );
  assert.equal(
    parseAdvancedRequest(new Uint8Array(2), known),
    "binary frames are not supported",
  );
});
