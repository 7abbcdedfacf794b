import assert from "node:assert/strict";
import {
  type AggTradePayload,
  BinanceMarket,
  type DepthSnapshot,
  type DepthUpdatePayload,
  type TradePayload,
} from "./binance_market.ts";
import { klineClose, klineOpen } from "./binance_candles.ts";
import { DEFAULT_MARKETS, syntheticMarkets } from "./binance_assets.ts";

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0); // a Monday, on a minute boundary
const BTC = "BTCUSDT";

function market(seed = 7): BinanceMarket {
  return new BinanceMarket({ markets: DEFAULT_MARKETS, seed, startMs: T0 });
}

/** Decimal string -> integer units of 1e-8 (exact). */
function units(s: string): bigint {
  const [int = "0", frac = ""] = s.split(".");
  return BigInt(int + frac.padEnd(8, "0").slice(0, 8));
}

/** Applies a diff to a price -> qty book side (qty "0..." removes). */
function apply(side: Map<string, string>, levels: [string, string][]): void {
  for (const [p, q] of levels) {
    if (units(q) === 0n) side.delete(p);
    else side.set(p, q);
  }
}

function sorted(side: Map<string, string>, desc: boolean): [string, string][] {
  return [...side].sort((a, b) => {
    const d = units(a[0]) - units(b[0]);
    return (desc ? -1 : 1) * (d < 0n ? -1 : d > 0n ? 1 : 0);
  });
}

function assertSaneBook(book: DepthSnapshot): void {
  const bids = book.bids.map(([p]) => units(p));
  const asks = book.asks.map(([p]) => units(p));
  assert.ok(bids.length >= 25 && bids.length <= 50, `bids ${bids.length}`);
  assert.ok(asks.length >= 25 && asks.length <= 50, `asks ${asks.length}`);
  bids.forEach((p, i) => i > 0 && assert.ok(p < (bids[i - 1] as bigint)));
  asks.forEach((p, i) => i > 0 && assert.ok(p > (asks[i - 1] as bigint)));
  assert.ok((bids[0] as bigint) < (asks[0] as bigint), "book crossed");
  for (const [, q] of [...book.bids, ...book.asks]) assert.ok(units(q) > 0n);
}

Deno.test("BinanceMarket is deterministic for a seed and call sequence", () => {
  const run = (seed: number) => {
    const m = market(seed);
    const out: unknown[] = [];
    for (let i = 0; i < 200; i++) {
      out.push(m.step(BTC, 1 + (i % 3), T0 + i * 100));
      if (i % 10 === 0) out.push(m.depthUpdate(BTC, "f", T0 + i * 100));
    }
    out.push(m.book(BTC), m.ticker(BTC, T0 + 20_000));
    return JSON.stringify(out);
  };
  assert.equal(run(7), run(7));
  assert.notEqual(run(7), run(8));
});

Deno.test("step() yields exactly count trades with consecutive ids and matching aggregates", () => {
  const m = market();
  const trades: TradePayload[] = [];
  const aggs: AggTradePayload[] = [];
  for (let i = 0; i < 500; i++) {
    const step = m.step(BTC, 1 + (i % 4), T0 + i * 50);
    assert.equal(step.trades.length, 1 + (i % 4));
    trades.push(...step.trades);
    aggs.push(...step.aggTrades);
  }
  trades.forEach((t, i) => {
    if (i > 0) assert.equal(t.t, (trades[i - 1] as TradePayload).t + 1);
    assert.match(t.p, /^\d+\.\d{8}$/);
    assert.match(t.q, /^\d+\.\d{8}$/);
    assert.ok(units(t.q) > 0n);
    assert.equal(t.e, "trade");
    assert.equal(t.s, BTC);
  });
  const byId = new Map(trades.map((t) => [t.t, t]));
  let next = (trades[0] as TradePayload).t;
  aggs.forEach((a, i) => {
    if (i > 0) assert.equal(a.a, (aggs[i - 1] as AggTradePayload).a + 1);
    assert.equal(a.f, next, "aggregates cover every trade, in order");
    assert.ok(a.l >= a.f);
    let sum = 0n;
    for (let id = a.f; id <= a.l; id++) {
      const t = byId.get(id) as TradePayload;
      assert.equal(t.p, a.p);
      assert.equal(t.m, a.m);
      assert.equal(t.T, a.T);
      sum += units(t.q);
    }
    assert.equal(units(a.q), sum);
    next = a.l + 1;
  });
  assert.equal(next, (trades.at(-1) as TradePayload).t + 1);
  assert.equal(m.tradesGenerated, trades.length);
});

Deno.test("the book stays realistic: sorted, uncrossed, 25-50 levels, levels come and go", () => {
  const m = market();
  const seen = new Set<string>();
  const first = new Set(m.book(BTC).bids.map(([p]) => p));
  let lastId = m.book(BTC).lastUpdateId;
  for (let i = 0; i < 3000; i++) {
    m.step(BTC, 1, T0 + i * 20);
    const book = m.book(BTC);
    assertSaneBook(book);
    assert.ok(book.lastUpdateId > lastId, "update id increases");
    lastId = book.lastUpdateId;
    book.bids.forEach(([p]) => seen.add(p));
  }
  const now = new Set(m.book(BTC).bids.map(([p]) => p));
  assert.ok([...first].some((p) => !now.has(p)), "some levels disappeared");
  assert.ok(seen.size > first.size + 20, "new levels appeared");
});

Deno.test("taker() BUY lifts asks (m false), SELL hits bids (m true)", () => {
  const m = market();
  for (const side of ["BUY", "SELL"] as const) {
    for (let round = 0; round < 30; round++) {
      m.step(BTC, 2, T0 + round);
      const before = m.book(BTC);
      const step = m.taker(BTC, side, 50, T0 + 1000 + round);
      const after = m.book(BTC);
      assert.ok(step.trades.length > 0);
      const [hit, untouched] = side === "BUY" ? ["asks", "bids"] as const : [
        "bids",
        "asks",
      ] as const;
      assert.deepEqual(after[untouched], before[untouched]);
      assert.equal(after.lastUpdateId, before.lastUpdateId + 1);
      const prices = step.trades.map((t) => units(t.p));
      assert.equal(
        step.trades[0]?.p,
        before[hit][0]?.[0],
        "starts at the best",
      );
      prices.forEach((p, i) => {
        if (i === 0) return;
        const prev = prices[i - 1] as bigint;
        assert.ok(side === "BUY" ? p >= prev : p <= prev);
      });
      for (const t of step.trades) assert.equal(t.m, side === "SELL");
      const taken = new Map<string, bigint>();
      for (const t of step.trades) {
        taken.set(t.p, (taken.get(t.p) ?? 0n) + units(t.q));
      }
      const was = new Map(before[hit]);
      const is = new Map(after[hit]);
      for (const [p, q] of taken) {
        const left = is.has(p) ? units(is.get(p) as string) : 0n;
        assert.equal(units(was.get(p) as string) - left, q, `level ${p}`);
      }
    }
  }
});

Deno.test("snapshot + diffs per Binance's procedure reproduce the book; U == previous u + 1", () => {
  const m = market(3);
  const feed = "btcusdt@depth@100ms";
  m.openDepthFeed(BTC, feed);
  const events: DepthUpdatePayload[] = [];
  let snapshot: DepthSnapshot | undefined;
  for (let i = 0; i < 2000; i++) {
    m.step(BTC, 1 + (i % 2), T0 + i * 10);
    if (i % 7 === 0) {
      const e = m.depthUpdate(BTC, feed, T0 + i * 10);
      if (e) events.push(e);
    }
    if (i === 300) snapshot = m.book(BTC, 5000);
  }
  const last = m.depthUpdate(BTC, feed, T0 + 30_000);
  if (last) events.push(last);
  events.forEach((e, i) => {
    if (i > 0) assert.equal(e.U, (events[i - 1] as DepthUpdatePayload).u + 1);
    assert.ok(e.u >= e.U);
  });
  const snap = snapshot as DepthSnapshot;
  const L = snap.lastUpdateId;
  assert.ok((events[0] as DepthUpdatePayload).U <= L, "buffered first");
  const usable = events.filter((e) => e.u > L);
  assert.ok(
    (usable[0] as DepthUpdatePayload).U <= L + 1 &&
      L + 1 <= (usable[0] as DepthUpdatePayload).u,
    "the first event after the snapshot straddles lastUpdateId + 1",
  );
  const bids = new Map(snap.bids);
  const asks = new Map(snap.asks);
  for (const e of usable) {
    apply(bids, e.b);
    apply(asks, e.a);
  }
  const truth = m.book(BTC);
  assert.equal((usable.at(-1) as DepthUpdatePayload).u, truth.lastUpdateId);
  assert.deepEqual(sorted(bids, true), truth.bids);
  assert.deepEqual(sorted(asks, false), truth.asks);
});

Deno.test("depthUpdate() is null until the feed is open and when nothing changed", () => {
  const m = market();
  assert.equal(m.depthUpdate(BTC, "x", T0), null, "opens the feed");
  assert.equal(m.depthUpdate(BTC, "x", T0), null, "nothing changed");
  m.step(BTC, 1, T0);
  const e = m.depthUpdate(BTC, "x", T0) as DepthUpdatePayload;
  assert.equal(e.e, "depthUpdate");
  assert.equal(e.s, BTC);
  assert.equal(e.u, m.book(BTC).lastUpdateId);
  m.closeDepthFeed(BTC, "x");
  m.step(BTC, 1, T0);
  assert.equal(m.depthUpdate(BTC, "x", T0), null, "reopened, not continued");
});

Deno.test("book(symbol, n) is the top n levels of the full book", () => {
  const m = market();
  m.step(BTC, 20, T0);
  const full = m.book(BTC);
  for (const n of [5, 10, 20]) {
    assert.deepEqual(m.book(BTC, n), {
      lastUpdateId: full.lastUpdateId,
      bids: full.bids.slice(0, n),
      asks: full.asks.slice(0, n),
    });
  }
});

Deno.test("klines accumulate OHLCV from trades and close when the interval rolls over", () => {
  const m = market();
  for (let i = 0; i < 130; i++) m.step(BTC, 2, T0 + i * 1000); // 0..129 s
  // the kline of [60 s, 120 s) closed at 120 s: too long ago to report now
  assert.deepEqual(m.klines(BTC, "1m", T0 + 130_000).map((e) => e.k.x), [
    false,
  ]);
  const m2 = market();
  const trades2: TradePayload[] = [];
  for (let i = 0; i < 61; i++) {
    trades2.push(...m2.step(BTC, 2, T0 + i * 1000).trades); // 0..60 s
  }
  const [closed, open, extra] = m2.klines(BTC, "1m", T0 + 61_000);
  assert.equal(extra, undefined);
  assert.ok(closed && open);
  assert.equal(closed.k.x, true);
  assert.equal(open.k.x, false);
  assert.equal(closed.k.t, T0);
  assert.equal(closed.k.T, T0 + 59_999);
  assert.equal(open.k.t, T0 + 60_000);
  const inside = trades2.filter((t) => t.T >= T0 && t.T <= T0 + 59_999);
  const k = closed.k;
  assert.equal(k.n, inside.length);
  assert.equal(k.f, inside[0]?.t);
  assert.equal(k.L, inside.at(-1)?.t);
  assert.equal(k.o, inside[0]?.p);
  assert.equal(k.c, inside.at(-1)?.p);
  const prices = inside.map((t) => units(t.p));
  const max = prices.reduce((a, b) => a > b ? a : b);
  const min = prices.reduce((a, b) => a < b ? a : b);
  assert.equal(units(k.h), max);
  assert.equal(units(k.l), min);
  assert.equal(units(k.v), inside.reduce((s, t) => s + units(t.q), 0n));
  const buys = inside.filter((t) => !t.m);
  assert.equal(units(k.V), buys.reduce((s, t) => s + units(t.q), 0n));
  assert.equal(open.k.f, trades2.find((t) => t.T >= T0 + 60_000)?.t);
  assert.deepEqual(m2.klines(BTC, "1m", T0 + 62_000).map((e) => e.k.x), [
    false,
  ]);
});

Deno.test("kline boundaries: weeks start Monday UTC, months are calendar months", () => {
  const wed = Date.UTC(2026, 0, 7, 15, 30);
  assert.equal(klineOpen("1w", wed), Date.UTC(2026, 0, 5));
  assert.equal(
    klineClose("1w", Date.UTC(2026, 0, 5)),
    Date.UTC(2026, 0, 12) - 1,
  );
  assert.equal(klineOpen("1M", wed), Date.UTC(2026, 0, 1));
  assert.equal(
    klineClose("1M", Date.UTC(2026, 1, 1)),
    Date.UTC(2026, 2, 1) - 1,
  );
  assert.equal(klineOpen("15m", wed + 123), Date.UTC(2026, 0, 7, 15, 30));
  assert.equal(klineOpen("1s", wed + 1234), wed + 1000);
  assert.equal(klineOpen("3d", wed) % (3 * 86_400_000), 0);
});

Deno.test("ticker, miniTicker and bookTicker agree with trades and the book", () => {
  const m = market();
  let trades: TradePayload[] = [];
  for (let i = 0; i < 50; i++) trades = m.step(BTC, 3, T0 + i * 10).trades;
  const last = trades.at(-1) as TradePayload;
  const t = m.ticker(BTC, T0 + 1000);
  const book = m.book(BTC);
  assert.equal(t.e, "24hrTicker");
  assert.equal(t.c, last.p);
  assert.equal(t.L, last.t);
  assert.equal(t.n, t.L - t.F + 1);
  assert.equal(t.C - t.O, 86_400_000);
  assert.deepEqual([t.b, t.B], book.bids[0]);
  assert.deepEqual([t.a, t.A], book.asks[0]);
  assert.ok(units(t.h) >= units(t.c) && units(t.l) <= units(t.c));
  const mini = m.miniTicker(BTC, T0 + 1000);
  assert.deepEqual(mini, {
    e: "24hrMiniTicker",
    E: t.E,
    s: BTC,
    c: t.c,
    o: t.o,
    h: t.h,
    l: t.l,
    v: t.v,
    q: t.q,
  });
  const top = m.bookTicker(BTC);
  assert.deepEqual(top, {
    u: book.lastUpdateId,
    s: BTC,
    b: t.b,
    B: t.B,
    a: t.a,
    A: t.A,
  });
  const step = m.taker(BTC, "BUY", 1, T0 + 2000);
  assert.deepEqual(step.bookTicker, m.bookTicker(BTC), "top changed: reported");
});

Deno.test("a market not TRADING has no book and never trades", () => {
  const m = market();
  assert.equal(m.info("MATICUSDT").status, "BREAK");
  assert.deepEqual(m.step("MATICUSDT", 5, T0).trades, []);
  const book = m.book("MATICUSDT");
  assert.deepEqual([book.bids, book.asks], [[], []]);
  assert.throws(() => m.book("NOPEUSDT"), /Unknown symbol/);
});

Deno.test("syntheticMarkets() gives distinct tradable markets", () => {
  const markets = syntheticMarkets(300);
  const m = new BinanceMarket({ markets, startMs: T0 });
  assert.equal(new Set(m.symbols).size, 300);
  assert.equal(m.symbols[0], "C001USDT");
  for (const s of m.symbols) {
    assert.equal(m.step(s, 1, T0).trades.length, 1);
    assertSaneBook(m.book(s));
  }
  assert.throws(
    () => new BinanceMarket({ markets: [...markets, markets[0]!] }),
    /duplicate/,
  );
});
