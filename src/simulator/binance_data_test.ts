import assert from "node:assert/strict";
import type {
  AggTradePayload,
  DepthSnapshot,
  DepthUpdatePayload,
  KlinePayload,
  TradePayload,
} from "./binance_market.ts";
import {
  FAST,
  getJson,
  type Json,
  simTest,
  units,
} from "./binance_test_util.ts";

simTest(
  "trades carry consecutive ids equal to the truth; aggTrades aggregate them",
  {
    ...FAST,
    tradesPerSecond: 60,
  },
  async (sim, connect) => {
    const c = await connect("/stream?streams=btcusdt@trade/btcusdt@aggTrade");
    await c.until(() => c.data("btcusdt@trade").length >= 150, "150 trades");
    const trades = c.data<TradePayload>("btcusdt@trade");
    const truth = new Map(sim.trades("BTCUSDT").map((t) => [t.t, t]));
    trades.forEach((t, i) => {
      if (i > 0) assert.equal(t.t, (trades[i - 1] as TradePayload).t + 1);
      assert.deepEqual(t, truth.get(t.t));
    });
    const byId = new Map(trades.map((t) => [t.t, t]));
    const aggs = c.data<AggTradePayload>("btcusdt@aggTrade");
    let checked = 0;
    aggs.forEach((a, i) => {
      if (i > 0) assert.equal(a.a, (aggs[i - 1] as AggTradePayload).a + 1);
      if (i > 0) assert.equal(a.f, (aggs[i - 1] as AggTradePayload).l + 1);
      const parts = [];
      for (let id = a.f; id <= a.l; id++) parts.push(byId.get(id));
      if (parts.some((t) => t === undefined)) return;
      for (const t of parts as TradePayload[]) {
        assert.equal(t.p, a.p);
        assert.equal(t.m, a.m, "one aggressor per aggregate");
      }
      const sum = (parts as TradePayload[]).reduce(
        (s, t) => s + units(t.q),
        0n,
      );
      assert.equal(units(a.q), sum);
      checked++;
    });
    assert.ok(checked > 20);
    // both aggressor sides occur (m against the book: binance_market_test.ts)
    assert.ok(trades.some((t) => t.m) && trades.some((t) => !t.m));
  },
);

simTest(
  "depth diffs are continuous and snapshot + diffs reproduce sim.book()",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const c = await connect("/stream?streams=btcusdt@depth@100ms");
    const events = () => c.data<DepthUpdatePayload>("btcusdt@depth@100ms");
    await c.until(() => events().length >= 1, "a first diff");
    const firstU = (events()[0] as DepthUpdatePayload).U;
    const url = `${sim.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=5000`;
    let snap: DepthSnapshot;
    do snap = (await getJson<DepthSnapshot>(url)).body; // step 3: refetch if
     while (snap.lastUpdateId < firstU); // older than the first buffered event
    const L = snap.lastUpdateId;
    await c.until(
      () => events().some((e) => e.u > L),
      "an event past the snapshot",
    );
    sim.pause();
    const target = sim.book("BTCUSDT").lastUpdateId;
    await c.until(() => events().at(-1)?.u === target, "the last diff");
    const all = events();
    all.forEach((e, i) => {
      if (i > 0) assert.equal(e.U, (all[i - 1] as DepthUpdatePayload).u + 1);
      assert.equal(e.e, "depthUpdate");
      assert.equal(e.s, "BTCUSDT");
    });
    const usable = all.filter((e) => e.u > L);
    assert.ok((usable[0] as DepthUpdatePayload).U <= L + 1);
    const bids = new Map(snap.bids);
    const asks = new Map(snap.asks);
    for (const e of usable) {
      for (const [p, q] of e.b) {
        units(q) === 0n ? bids.delete(p) : bids.set(p, q);
      }
      for (const [p, q] of e.a) {
        units(q) === 0n ? asks.delete(p) : asks.set(p, q);
      }
    }
    const order = (m: Map<string, string>, dir: number) =>
      [...m].sort((x, y) => dir * Number(units(x[0]) - units(y[0])));
    const truth = sim.book("BTCUSDT");
    assert.deepEqual(order(bids, -1), truth.bids);
    assert.deepEqual(order(asks, 1), truth.asks);
    assert.ok(truth.bids.length >= 20 && truth.asks.length >= 20);
  },
);

simTest(
  "injectDepthGap() breaks diff continuity exactly once, for that symbol only",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const c = await connect(
      "/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms",
    );
    const btc = () => c.data<DepthUpdatePayload>("btcusdt@depth@100ms");
    const eth = () => c.data<DepthUpdatePayload>("ethusdt@depth@100ms");
    await c.until(() => btc().length >= 3, "3 diffs");
    sim.injectDepthGap("BTCUSDT");
    const from = btc().length;
    await c.until(
      () => btc().length >= from + 8 && eth().length >= 12,
      "more diffs",
    );
    const breaks = (list: DepthUpdatePayload[]) =>
      list.filter((e, i) =>
        i > 0 && e.U !== (list[i - 1] as DepthUpdatePayload).u + 1
      );
    const gaps = breaks(btc());
    assert.equal(gaps.length, 1);
    const at = btc().indexOf(gaps[0] as DepthUpdatePayload);
    assert.ok(
      (gaps[0] as DepthUpdatePayload).U >
        (btc()[at - 1] as DepthUpdatePayload).u + 1,
    );
    assert.equal(breaks(eth()).length, 0);
  },
);

simTest("kline_1s closes (x true) with the OHLCV of the trades inside it", {
  ...FAST,
  tradesPerSecond: 30,
}, async (sim, connect) => {
  const c = await connect("/stream?streams=btcusdt@kline_1s");
  const klines = () => c.data<KlinePayload>("btcusdt@kline_1s");
  await c.until(
    () => klines().some((e) => e.k.x && e.k.n > 0),
    "a closed kline",
  );
  const closed = klines().find((e) => e.k.x && e.k.n > 0) as KlinePayload;
  const k = closed.k;
  assert.equal(k.T - k.t, 999);
  assert.equal(k.i, "1s");
  const inside = sim.trades("BTCUSDT").filter((t) => t.T >= k.t && t.T <= k.T);
  assert.equal(k.n, inside.length);
  assert.equal(k.f, inside[0]?.t);
  assert.equal(k.L, inside.at(-1)?.t);
  assert.equal(k.o, inside[0]?.p);
  assert.equal(k.c, inside.at(-1)?.p);
  assert.equal(units(k.v), inside.reduce((s, t) => s + units(t.q), 0n));
  await c.until(
    () => klines().length > klines().indexOf(closed) + 1,
    "the next kline",
  );
  assert.ok(
    klines().slice(klines().indexOf(closed) + 1).every((e) => e.k.t > k.T),
  );
});

simTest(
  "partial depth, bookTicker, ticker and miniTicker have Binance's fields",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const streams = [
      "depth5",
      "depth10@100ms",
      "bookTicker",
      "ticker",
      "miniTicker",
    ]
      .map((s) => `btcusdt@${s}`);
    const c = await connect(`/stream?streams=${streams.join("/")}`);
    await c.until(
      () => streams.every((s) => c.data(s).length > 0),
      "every stream",
    );
    const keys = (s: string) => Object.keys(c.data(s)[0] as Json).sort();
    assert.deepEqual(keys("btcusdt@depth5"), ["asks", "bids", "lastUpdateId"]);
    assert.equal(
      (c.data<DepthSnapshot>("btcusdt@depth5")[0]?.bids ?? []).length,
      5,
    );
    assert.equal(
      (c.data<DepthSnapshot>("btcusdt@depth10@100ms")[0]?.asks ?? []).length,
      10,
    );
    assert.deepEqual(
      keys("btcusdt@bookTicker"),
      ["A", "B", "a", "b", "s", "u"].sort(),
    );
    assert.deepEqual(
      keys("btcusdt@ticker"),
      "e E s p P w x c Q b B a A o h l v q O C F L n".split(" ").sort(),
    );
    assert.deepEqual(
      keys("btcusdt@miniTicker"),
      "e E s c o h l v q".split(" ").sort(),
    );
    const top = c.data<Json>("btcusdt@bookTicker")[0] as Json;
    assert.ok(units(String(top.b)) < units(String(top.a)));
    assert.equal(sim.clients.length, 1);
  },
);
