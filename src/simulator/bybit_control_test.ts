import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { bybitTest, request, topicFrames } from "./bybit_test_util.ts";

bybitTest(
  "spot acks, pongs and failures have spot's shape",
  {},
  async (_sim, connect) => {
    const c = await connect("/v5/public/spot");
    const sub = await request(c, {
      op: "subscribe",
      args: ["publicTrade.BTCUSDT"],
      req_id: "10001",
    });
    const conn_id = sub.conn_id;
    assert.equal(typeof conn_id, "string");
    assert.deepEqual(sub, {
      success: true,
      ret_msg: "subscribe",
      conn_id,
      req_id: "10001",
      op: "subscribe",
    });
    assert.deepEqual(
      await request(c, { op: "subscribe", args: ["tickers.ETHUSDT"] }),
      { success: true, ret_msg: "subscribe", conn_id, op: "subscribe" },
    );
    assert.deepEqual(
      await request(c, { op: "unsubscribe", args: ["tickers.ETHUSDT"] }),
      { success: true, ret_msg: "unsubscribe", conn_id, op: "unsubscribe" },
    );
    assert.deepEqual(await request(c, { op: "ping" }), {
      success: true,
      ret_msg: "pong",
      conn_id,
      op: "ping",
    });
    assert.deepEqual(await request(c, { op: "ping", req_id: "p1" }), {
      success: true,
      ret_msg: "pong",
      conn_id,
      req_id: "p1",
      op: "ping",
    });
    assert.deepEqual(await request(c, "not json"), {
      success: false,
      ret_msg: "error:invalid op",
      conn_id,
      op: "",
    });
    assert.deepEqual(await request(c, { op: "dance", req_id: "d" }), {
      success: false,
      ret_msg: "error:invalid op",
      conn_id,
      req_id: "d",
      op: "dance",
    });
  },
);

bybitTest(
  "linear and inverse acks and pongs always carry req_id",
  {},
  async (_sim, connect) => {
    for (const category of ["linear", "inverse"]) {
      const c = await connect(`/v5/public/${category}`);
      const symbol = category === "linear" ? "BTCUSDT" : "BTCUSD";
      const sub = await request(c, {
        op: "subscribe",
        args: [`publicTrade.${symbol}`],
      });
      const conn_id = sub.conn_id;
      assert.deepEqual(sub, {
        success: true,
        ret_msg: "",
        conn_id,
        req_id: "",
        op: "subscribe",
      });
      assert.deepEqual(
        await request(c, {
          op: "unsubscribe",
          args: [`publicTrade.${symbol}`],
          req_id: "u",
        }),
        { success: true, ret_msg: "", conn_id, req_id: "u", op: "unsubscribe" },
      );
      assert.deepEqual(await request(c, { op: "ping" }), {
        success: true,
        ret_msg: "pong",
        conn_id,
        req_id: "",
        op: "ping",
      });
    }
  },
);

bybitTest(
  "spot refuses more than 10 args per request; linear accepts them",
  {},
  async (sim, connect) => {
    const intervals = [
      "1",
      "3",
      "5",
      "15",
      "30",
      "60",
      "120",
      "240",
      "360",
      "720",
      "D",
    ];
    const spot = await connect("/v5/public/spot");
    const args = intervals.map((i) => `kline.${i}.BTCUSDT`);
    const r = await request(spot, { op: "subscribe", args, req_id: "big" });
    assert.deepEqual(r, {
      success: false,
      ret_msg: "args size >10",
      conn_id: r.conn_id,
      req_id: "big",
      op: "subscribe",
    });
    assert.deepEqual(sim.clients[0]?.topics, []);
    const ten = await request(spot, {
      op: "subscribe",
      args: args.slice(0, 10),
    });
    assert.equal(ten.success, true);
    const linear = await connect("/v5/public/linear");
    assert.equal(
      (await request(linear, { op: "subscribe", args })).success,
      true,
    );
    assert.equal(sim.clients[1]?.topics.length, 11);
  },
);

bybitTest(
  "more than 21000 characters of args on a connection fail the whole request",
  {},
  async (sim, connect) => {
    const c = await connect("/v5/public/linear");
    const valid = [
      "publicTrade.BTCUSDT",
      "tickers.BTCUSDT",
      "orderbook.50.BTCUSDT",
    ];
    assert.equal(
      (await request(c, { op: "subscribe", args: valid })).success,
      true,
    );
    const held = valid.join("").length;
    // Alone within the limit, but not together with what is subscribed.
    const junk = Array.from(
      { length: 131 },
      (_, i) => `nope.${i}.`.padEnd(160, "x"),
    );
    const total = junk.join("").length;
    assert.ok(
      total + 15 <= 21_000 && total + 15 + held > 21_000,
    );
    const r = await request(c, {
      op: "subscribe",
      args: ["tickers.ETHUSDT", ...junk],
    });
    assert.equal(r.success, false);
    assert.match(String(r.ret_msg), /21000/); // text UNVERIFIED
    assert.deepEqual(sim.clients[0]?.topics, valid);
    // Within the limit: the junk is refused topic by topic instead.
    const c2 = await connect("/v5/public/linear");
    const r2 = await request(c2, {
      op: "subscribe",
      args: ["tickers.ETHUSDT", ...junk],
    });
    assert.equal(r2.ret_msg, `error:handler not found,topic:${junk[0]}`);
    assert.deepEqual(sim.clients[1]?.topics, ["tickers.ETHUSDT"]);
  },
);

bybitTest(
  "unknown topics and symbols fail the request but valid args are subscribed once",
  {},
  async (sim, connect) => {
    const c = await connect("/v5/public/spot");
    const r1 = await request(c, {
      op: "subscribe",
      args: ["orderbook.25.BTCUSDT", "orderbook.50.BTCUSDT"],
      req_id: "a",
    });
    assert.equal(r1.success, false);
    assert.equal(
      r1.ret_msg,
      "error:handler not found,topic:orderbook.25.BTCUSDT",
    );
    const r2 = await request(c, {
      op: "subscribe",
      args: ["tickers.DOGEUSDT"],
    });
    assert.equal(r2.success, false);
    assert.equal(r2.ret_msg, "Invalid symbol :[tickers.DOGEUSDT]");
    const r3 = await request(c, {
      op: "subscribe",
      args: ["orderbook.50.BTCUSDT"],
    });
    assert.equal(r3.success, true);
    assert.deepEqual(sim.clients[0]?.topics, ["orderbook.50.BTCUSDT"]);
    await c.until(
      () => topicFrames(c, "orderbook.50.BTCUSDT").length > 5,
      "deltas",
    );
    const types = topicFrames(c, "orderbook.50.BTCUSDT").map((f) => f.type);
    assert.deepEqual(types.filter((t) => t === "snapshot"), ["snapshot"]);
    assert.equal(types[0], "snapshot");
  },
);

const clock = new ManualClock(1_700_000_000_000);
bybitTest(
  "a connection without ping or data for 10 minutes is closed; faults",
  {
    now: () => clock.now(),
  },
  async (sim, connect) => {
    const quiet = await connect("/v5/public/spot");
    const pinger = await connect("/v5/public/spot");
    clock.advance(300_000);
    await request(pinger, { op: "ping" });
    clock.advance(300_001);
    await quiet.closeEvent();
    assert.equal(pinger.open, true); // checked in the same pass
    assert.equal(sim.clients[0]?.closed, true);
    sim.setPong(false);
    pinger.send({ op: "ping", req_id: "silent" });
    const after = await request(pinger, {
      op: "unsubscribe",
      args: [],
      req_id: "after",
    });
    assert.equal(after.req_id, "after"); // the ping before it got no pong
    sim.setPong(true);
    assert.equal(
      (await request(pinger, { op: "ping", req_id: "loud" })).ret_msg,
      "pong",
    );
    sim.sendMalformed();
    await pinger.until(
      () => pinger.frames.some((f) => typeof f === "string"),
      "a malformed frame",
    );
    const priv = await connect("/v5/private");
    sim.dropConnections("/v5/public/spot");
    assert.equal((await pinger.closeEvent()).code, 1001);
    assert.equal(priv.open, true);
    sim.dropConnections();
    assert.equal((await priv.closeEvent()).code, 1001);
  },
);
