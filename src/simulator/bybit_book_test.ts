import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import {
  applyBook,
  bybitTest,
  type Json,
  request,
  topicFrames,
} from "./bybit_test_util.ts";

bybitTest(
  "order book: a snapshot, then deltas that rebuild book(); late joiners agree",
  {
    tradesPerSecond: 50,
  },
  async (sim, connect) => {
    const a = await connect("/v5/public/linear");
    await request(a, {
      op: "subscribe",
      args: ["orderbook.50.BTCUSDT", "orderbook.200.ETHUSDT"],
    });
    await a.until(
      () => topicFrames(a, "orderbook.50.BTCUSDT").length > 10,
      "deltas",
    );
    const b = await connect("/v5/public/linear");
    await request(b, { op: "subscribe", args: ["orderbook.50.BTCUSDT"] });
    await b.until(
      () => topicFrames(b, "orderbook.50.BTCUSDT").length > 5,
      "deltas on b",
    );
    sim.pause();
    const truth = sim.book("BTCUSDT", 50, "linear");
    assert.ok(truth);
    for (const c of [a, b]) {
      await c.until(
        () =>
          topicFrames(c, "orderbook.50.BTCUSDT").at(-1)?.data !== undefined &&
          (topicFrames(c, "orderbook.50.BTCUSDT").at(-1)?.data as Json).u ===
            truth.u,
        "the last push",
      );
    }
    const frames = topicFrames(a, "orderbook.50.BTCUSDT");
    assert.equal(frames[0]?.type, "snapshot");
    assert.ok(frames.slice(1).every((f) => f.type === "delta"));
    const us = frames.map((f) => (f.data as Json).u as number);
    assert.ok(us.every((u, i) => i === 0 || u === (us[i - 1] as number) + 1));
    const seqs = frames.map((f) => (f.data as Json).seq as number);
    assert.ok(seqs.every((s, i) => i === 0 || s >= (seqs[i - 1] as number)));
    assert.ok(
      frames.every((f) =>
        typeof f.ts === "number" && typeof f.cts === "number"
      ),
    );
    assert.deepEqual(applyBook(frames), truth);
    assert.deepEqual(applyBook(topicFrames(b, "orderbook.50.BTCUSDT")), truth);
    assert.equal(truth.bids.length, 50);
    assert.ok(
      truth.bids.every(([p], i) =>
        i === 0 || Number(p) < Number(truth.bids[i - 1]?.[0])
      ),
    );
    assert.ok(
      truth.asks.every(([p], i) =>
        i === 0 || Number(p) > Number(truth.asks[i - 1]?.[0])
      ),
    );
    assert.ok(Number(truth.bids[0]?.[0]) < Number(truth.asks[0]?.[0]));
    const eth = sim.book("ETHUSDT", 200, "linear");
    await a.until(
      () =>
        (topicFrames(a, "orderbook.200.ETHUSDT").at(-1)?.data as Json).u ===
          eth?.u,
      "eth",
    );
    assert.deepEqual(applyBook(topicFrames(a, "orderbook.200.ETHUSDT")), eth);
    assert.equal(eth?.asks.length, 200);
  },
);

const clock = new ManualClock(1_700_000_000_000);
bybitTest(
  "level 1 is snapshot-only and re-pushed with the same u after 3 s unchanged",
  {
    now: () => clock.now(),
  },
  async (sim, connect) => {
    const c = await connect("/v5/public/spot");
    sim.pause();
    await request(c, {
      op: "subscribe",
      args: ["orderbook.1.BTCUSDT", "kline.1.BTCUSDT"],
    });
    const l1 = () => topicFrames(c, "orderbook.1.BTCUSDT");
    const ticks = () => topicFrames(c, "kline.1.BTCUSDT").length;
    await c.until(
      () => l1().length === 1 && ticks() >= 3,
      "the snapshot and some ticks",
    );
    clock.advance(2999);
    const seen = ticks();
    await c.until(() => ticks() >= seen + 3, "ticks at +2999 ms");
    assert.equal(l1().length, 1);
    clock.advance(1);
    await c.until(() => l1().length === 2, "the re-push");
    const [first, again] = l1() as [Json, Json];
    assert.equal(again.type, "snapshot");
    assert.deepEqual(again.data, first.data);
    assert.equal(again.ts, (first.ts as number) + 3000);
    sim.resume();
    await c.until(() => l1().length > 4, "changes");
    assert.ok(l1().every((f) => f.type === "snapshot"));
    const us = l1().map((f) => (f.data as Json).u as number);
    assert.ok(us.every((u, i) => i < 2 || u === (us[i - 1] as number) + 1));
  },
);

bybitTest(
  "resetBook: the next push of every depth is a snapshot with u=1, then u=2, 3",
  {
    tradesPerSecond: 30,
  },
  async (sim, connect) => {
    const c = await connect("/v5/public/spot");
    await request(c, {
      op: "subscribe",
      args: ["orderbook.50.SOLUSDT", "orderbook.1.SOLUSDT"],
    });
    await c.until(
      () => topicFrames(c, "orderbook.50.SOLUSDT").length > 3,
      "deltas",
    );
    sim.resetBook("SOLUSDT");
    const depth50 = () => topicFrames(c, "orderbook.50.SOLUSDT");
    const restart = () => depth50().findIndex((f) => (f.data as Json).u === 1);
    await c.until(
      () => restart() > 0 && depth50().length > restart() + 2,
      "restart + deltas",
    );
    const after = depth50().slice(restart());
    assert.equal(after[0]?.type, "snapshot");
    assert.deepEqual(
      after.slice(1, 3).map((f) => [f.type, (f.data as Json).u]),
      [
        ["delta", 2],
        ["delta", 3],
      ],
    );
    await c.until(
      () =>
        topicFrames(c, "orderbook.1.SOLUSDT").some((f) =>
          (f.data as Json).u === 1
        ),
      "level 1 restart",
    );
    sim.pause();
    const truth = sim.book("SOLUSDT", 50);
    await c.until(
      () => (depth50().at(-1)?.data as Json).u === truth?.u,
      "last push",
    );
    assert.deepEqual(applyBook(after), truth);
  },
);
