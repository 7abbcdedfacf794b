import assert from "node:assert/strict";
import { hmacHex, verifyWsAuth } from "./bybit_auth.ts";
import {
  BybitDecimalError,
  fixed,
  formatAmount,
  parseUnits,
  trim,
} from "./bybit_decimal.ts";
import { OrderbookFeed } from "./bybit_feeds.ts";
import { klineBucket } from "./bybit_kline.ts";
import { SymbolMarket } from "./bybit_market.ts";
import {
  applyFill,
  type PositionState,
  tradeValue,
  unrealised,
} from "./bybit_position.ts";
import { symbolSpec } from "./bybit_symbols.ts";
import { parsePrivateTopic, parsePublicTopic } from "./bybit_topics.ts";
import { applyBook, type Json } from "./bybit_test_util.ts";

const NOW = 1_700_000_000_000;

Deno.test("decimals are exact: fixed, trim, parse", () => {
  assert.equal(fixed(1649350, 2), "16493.50");
  assert.equal(fixed(-5n, 3), "-0.005");
  assert.equal(fixed(7, 0), "7");
  assert.equal(trim("20575.00"), "20575");
  assert.equal(trim("0.0100"), "0.01");
  assert.equal(parseUnits("0.1", 8), 10_000_000n);
  assert.equal(formatAmount(parseUnits("100000", 8)), "100000");
  assert.throws(() => parseUnits("1e5", 8), BybitDecimalError);
  assert.throws(() => parseUnits("0.123", 2), BybitDecimalError);
});

Deno.test("kline buckets: aligned minutes, Monday weeks, calendar months, scaled minutes", () => {
  assert.deepEqual(klineBucket("5", 1_672_324_988_882, 60_000), [
    1_672_324_800_000,
    1_672_325_099_999,
  ]);
  assert.deepEqual(klineBucket("W", Date.UTC(2026, 0, 7, 12), 60_000), [
    Date.UTC(2026, 0, 5),
    Date.UTC(2026, 0, 12) - 1,
  ]);
  assert.deepEqual(klineBucket("M", Date.UTC(2024, 1, 20), 60_000), [
    Date.UTC(2024, 1, 1),
    Date.UTC(2024, 2, 1) - 1,
  ]);
  assert.deepEqual(klineBucket("1", 1234, 100), [1200, 1299]);
  assert.deepEqual(klineBucket("D", 150_000, 100), [144_000, 287_999]);
});

Deno.test("topic names parse as Bybit's handlers do", () => {
  assert.deepEqual(parsePublicTopic("orderbook.1000.BTCUSDT"), {
    kind: "orderbook",
    depth: 1000,
    symbol: "BTCUSDT",
  });
  assert.deepEqual(parsePublicTopic("kline.D.ETHUSDT"), {
    kind: "kline",
    interval: "D",
    symbol: "ETHUSDT",
  });
  assert.deepEqual(parsePublicTopic("publicTrade.BTCUSD"), {
    kind: "publicTrade",
    symbol: "BTCUSD",
  });
  for (
    const bad of [
      "orderbook.25.BTCUSDT",
      "kline.2.BTCUSDT",
      "trade.BTCUSDT",
      "tickers",
      "tickers.A.B",
      "",
    ]
  ) {
    assert.equal(parsePublicTopic(bad), null, bad);
  }
  assert.deepEqual(parsePrivateTopic("position.linear"), {
    family: "position",
    category: "linear",
  });
  assert.equal(parsePrivateTopic("position.spot"), null);
  assert.equal(parsePrivateTopic("wallet.spot"), null);
});

Deno.test("the master book: ≥250 sorted levels per side on the tick grid, deterministic for the seed", () => {
  for (
    const [category, symbol] of [["spot", "XRPUSDT"], ["linear", "BTCUSDT"], [
      "inverse",
      "BTCUSD",
    ]] as const
  ) {
    const spec = symbolSpec(category, symbol);
    const a = new SymbolMarket(spec, 7, NOW, 60_000);
    const b = new SymbolMarket(spec, 7, NOW, 60_000);
    for (let i = 0; i < 200; i++) {
      assert.deepEqual(a.step(i % 4, NOW + i), b.step(i % 4, NOW + i));
    }
    const { bids, asks } = a.book;
    assert.ok(bids.length >= 250 && asks.length >= 250);
    assert.ok(
      bids.every((l, i) =>
        l.qty > 0 && l.price % spec.tick === 0 &&
        (i === 0 || l.price < (bids[i - 1]?.price ?? 0))
      ),
    );
    assert.ok(
      asks.every((l, i) =>
        l.qty > 0 && l.price % spec.tick === 0 &&
        (i === 0 || l.price > (asks[i - 1]?.price ?? 0))
      ),
    );
    assert.ok((bids[0]?.price ?? 0) < (asks[0]?.price ?? 0));
    const burst = a.burst(3000, NOW + 500, "Buy");
    assert.equal(burst.length, 3000);
    assert.equal(new Set(burst.map((t) => t.seq)).size, 1);
    assert.ok(a.book.asks.length >= 250);
  }
});

Deno.test("an order book feed: deltas with '0' deletes rebuild the view; level 1 re-pushes after 3 s", () => {
  const market = new SymbolMarket(
    symbolSpec("spot", "ETHUSDT"),
    3,
    NOW,
    60_000,
  );
  const feed = new OrderbookFeed("orderbook.50.ETHUSDT", 50, market, 100);
  const frames: Json[] = [JSON.parse(feed.refresh(NOW))];
  for (let i = 1; i < 300; i++) {
    market.step(i % 3, NOW + i);
    const f = feed.push(NOW + i);
    if (f) frames.push(JSON.parse(f));
  }
  assert.ok(frames.length > 100);
  assert.ok(frames.some((f) => JSON.stringify(f).includes('"0"]')));
  assert.deepEqual(applyBook(frames), feed.view());
  assert.equal(feed.view().u, 100 + frames.length);
  const top = new OrderbookFeed("orderbook.1.ETHUSDT", 1, market, 5);
  const first = JSON.parse(top.refresh(NOW));
  assert.equal(top.push(NOW + 2999), null);
  const again = JSON.parse(top.push(NOW + 3000) ?? "null");
  assert.deepEqual([again.type, again.data], ["snapshot", first.data]);
  top.reset();
  assert.equal(JSON.parse(top.push(NOW + 3001) ?? "null").data.u, 1);
});

Deno.test("positions: exact linear and inverse PnL", () => {
  const flat = (): PositionState => ({
    size: 0,
    value: 0n,
    realised: 0n,
    lastRealised: 0n,
    seq: 0,
    created: 0,
    updated: 0,
  });
  const lin = symbolSpec("linear", "BTCUSDT");
  const p = flat();
  applyFill(p, lin, "Sell", 20, 6_000_000); // short 0.020 at 60000.00
  assert.equal(unrealised(p, lin, 5_900_000), 20_00000000n); // +20 USDT
  assert.equal(applyFill(p, lin, "Buy", 30, 5_950_000), 10_00000000n); // closes 0.020: +10
  assert.deepEqual([p.size, p.value], [10, tradeValue(lin, 5_950_000, 10)]); // long 0.010 now
  const inv = symbolSpec("inverse", "BTCUSD");
  const q = flat();
  applyFill(q, inv, "Buy", 100, 5_000_000); // 100 USD long at 50000
  assert.equal(q.value, 200_000n); // 0.002 BTC
  assert.equal(applyFill(q, inv, "Sell", 100, 10_000_000), 100_000n); // 0.002 − 0.001 = 0.001 BTC
});

Deno.test("auth: known HMAC vector, constant-time compare, expiry", async () => {
  assert.equal(
    await hmacHex("key", "The quick brown fox jumps over the lazy dog"),
    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
  );
  const keys = [{ apiKey: "k", apiSecret: "s" }];
  const sign = await hmacHex("s", "GET/realtime2000");
  assert.equal(await verifyWsAuth(keys, ["k", 2000, sign], 1999), "ok");
  assert.equal(await verifyWsAuth(keys, ["k", "2000", sign], 1999), "ok");
  assert.equal(await verifyWsAuth(keys, ["k", 2000, sign], 2000), "expired");
  assert.equal(await verifyWsAuth(keys, ["x", 2000, sign], 1), "unknown-key");
  assert.equal(await verifyWsAuth(keys, ["k", 2000], 1), "bad-params");
  assert.equal(await verifyWsAuth(keys, ["k", 2001, sign], 1), "bad-signature");
});
