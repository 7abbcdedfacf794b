import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import {
  bybitTest,
  type Json,
  request,
  topicFrames,
} from "./bybit_test_util.ts";

bybitTest(
  "linear ticker: snapshot, then deltas of changed fields only, merging to ticker()",
  {
    tradesPerSecond: 30,
  },
  async (sim, connect) => {
    const c = await connect("/v5/public/linear");
    await request(c, { op: "subscribe", args: ["tickers.BTCUSDT"] });
    const frames = () => topicFrames(c, "tickers.BTCUSDT");
    await c.until(() => frames().length > 8, "deltas");
    sim.pause();
    const truth = sim.ticker("BTCUSDT", "linear");
    await c.until(() => {
      let merged: Json = {};
      for (const f of frames()) merged = { ...merged, ...f.data as Json };
      return JSON.stringify(merged) === JSON.stringify({ ...truth });
    }, "the merged ticker");
    const [snap, ...deltas] = frames() as [Json, ...Json[]];
    assert.equal(snap.type, "snapshot");
    const full = snap.data as Json;
    for (
      const k of [
        "bid1Price",
        "bid1Size",
        "ask1Price",
        "ask1Size",
        "markPrice",
        "indexPrice",
        "openInterest",
        "fundingRate",
        "nextFundingTime",
        "lastPrice",
        "volume24h",
        "turnover24h",
      ]
    ) {
      assert.equal(typeof full[k], "string", k);
    }
    let merged = { ...full };
    for (const d of deltas) {
      assert.equal(d.type, "delta");
      assert.equal(typeof d.cs, "number");
      assert.equal(typeof d.ts, "number");
      const data = d.data as Json;
      assert.equal(data.symbol, "BTCUSDT");
      const changed = Object.keys(data).filter((k) => k !== "symbol");
      assert.ok(changed.length > 0);
      for (const k of changed) assert.notEqual(data[k], merged[k], k);
      merged = { ...merged, ...data };
    }
    assert.deepEqual(merged, truth);
  },
);

bybitTest(
  "spot ticker: snapshot-only with the spot fields and cs",
  {},
  async (sim, connect) => {
    const c = await connect("/v5/public/spot");
    await request(c, { op: "subscribe", args: ["tickers.ETHUSDT"] });
    await c.until(() => topicFrames(c, "tickers.ETHUSDT").length > 3, "pushes");
    const frames = topicFrames(c, "tickers.ETHUSDT");
    for (const f of frames) {
      assert.deepEqual(Object.keys(f), ["topic", "ts", "type", "cs", "data"]);
      assert.equal(f.type, "snapshot");
      assert.deepEqual(Object.keys(f.data as Json), [
        "symbol",
        "lastPrice",
        "highPrice24h",
        "lowPrice24h",
        "prevPrice24h",
        "volume24h",
        "turnover24h",
        "price24hPcnt",
        "usdIndexPrice",
      ]);
    }
    sim.pause();
    const truth = sim.ticker("ETHUSDT");
    await c.until(
      () =>
        JSON.stringify(topicFrames(c, "tickers.ETHUSDT").at(-1)?.data) ===
          JSON.stringify(truth),
      "last",
    );
  },
);

const clock = new ManualClock(1_700_000_000_000);
bybitTest(
  "klines push the open candle every tick and each closed one once with confirm=true",
  {
    now: () => clock.now(),
    klineMinuteMs: 100,
    tradesPerSecond: 40,
  },
  async (sim, connect) => {
    const c = await connect("/v5/public/spot");
    await request(c, {
      op: "subscribe",
      args: ["kline.1.BTCUSDT", "kline.3.BTCUSDT", "publicTrade.BTCUSDT"],
    });
    const k1 = () =>
      topicFrames(c, "kline.1.BTCUSDT").map((f) =>
        (f.data as Json[])[0] as Json
      );
    await c.until(() => k1().length > 3, "open candles");
    for (let i = 0; i < 4; i++) {
      clock.advance(100);
      const n = k1().length;
      await c.until(() => k1().length > n + 8, "more pushes");
    }
    const pushed = k1();
    assert.deepEqual(
      pushed,
      sim.klines("BTCUSDT", "1").slice(0, pushed.length),
    );
    const closed = pushed.filter((k) => k.confirm === true);
    assert.ok(closed.length >= 4);
    assert.deepEqual(new Set(closed.map((k) => k.start)).size, closed.length);
    for (const k of closed) {
      assert.equal(k.end, (k.start as number) + 99);
      assert.equal(k.interval, "1");
      assert.ok(
        pushed.every((p) =>
          p.start !== k.start || p === k || p.confirm === false
        ),
      );
      const last = pushed.lastIndexOf(k);
      assert.ok(
        pushed.slice(last + 1).every((p) =>
          (p.start as number) > (k.start as number)
        ),
      );
    }
    // A candle fully observed: volume and turnover are its trades', exactly.
    const full = closed[1] as Json;
    const trades = sim.trades("BTCUSDT").filter((t) =>
      t.T >= (full.start as number) && t.T <= (full.end as number)
    );
    assert.ok(trades.length > 0);
    const sum = trades.reduce((s, t) => s + BigInt(t.v.replace(".", "")), 0n);
    assert.equal(scaled(full.volume as string, 6), sum);
    assert.equal(full.close, trimPrice(trades.at(-1)?.p ?? ""));
    const k3 = topicFrames(c, "kline.3.BTCUSDT").map((f) =>
      (f.data as Json[])[0] as Json
    );
    assert.ok(k3.some((k) => k.confirm === false));
    assert.ok(k3.every((k) => k.end === (k.start as number) + 299));
  },
);

bybitTest(
  "burst: n trades of one match share a seq, in frames of at most 1024",
  {
    tradesPerSecond: 0,
  },
  async (sim, connect) => {
    const c = await connect("/v5/public/spot");
    await request(c, { op: "subscribe", args: ["publicTrade.XRPUSDT"] });
    const trades = sim.burst("XRPUSDT", 2500);
    const frames = () => topicFrames(c, "publicTrade.XRPUSDT");
    await c.until(() => frames().length === 3, "3 frames");
    const data = frames().map((f) => f.data as Json[]);
    assert.deepEqual(data.map((d) => d.length), [1024, 1024, 452]);
    const all = data.flat();
    assert.deepEqual(all, trades);
    assert.deepEqual(sim.trades("XRPUSDT"), trades);
    assert.equal(new Set(all.map((t) => t.seq)).size, 1);
    assert.ok(
      all.every((t, i) =>
        i === 0 ||
        BigInt(t.i as string) === BigInt(all[i - 1]?.i as string) + 1n
      ),
    );
    assert.ok(
      all.every((t) => !("L" in t) && t.BT === false && t.s === "XRPUSDT"),
    );
    const lin = await connect("/v5/public/linear");
    await request(lin, { op: "subscribe", args: ["publicTrade.SOLUSDT"] });
    sim.burst("SOLUSDT", 3, "linear");
    await lin.until(
      () => topicFrames(lin, "publicTrade.SOLUSDT").length === 1,
      "linear burst",
    );
    const linear = topicFrames(lin, "publicTrade.SOLUSDT")[0]?.data as Json[];
    assert.equal(linear.length, 3);
    for (const t of linear) {
      assert.match(
        t.i as string,
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      assert.match(t.L as string, /^(Zero)?(Plus|Minus)Tick$/);
      assert.deepEqual(Object.keys(t), [
        "T",
        "s",
        "S",
        "v",
        "p",
        "L",
        "i",
        "BT",
        "seq",
      ]);
    }
  },
);

function scaled(s: string, decimals: number): bigint {
  const [i = "0", f = ""] = s.split(".");
  return BigInt(i + f.padEnd(decimals, "0"));
}

function trimPrice(p: string): string {
  return p.includes(".") ? p.replace(/0+$/, "").replace(/\.$/, "") : p;
}
