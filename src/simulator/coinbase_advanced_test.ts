/**
 * Protocol tests of the Coinbase Advanced Trade simulator: the envelope and
 * per-connection `sequence_num`, subscribe acks and errors, the subscribe
 * deadline, the idle close without heartbeats, and dropped connections.
 *
 * @module
 */
import assert from "node:assert/strict";
import { rfc3339Nanos } from "./coinbase_advanced_feeds.ts";
import { simTest, START_MS, subscribe } from "./coinbase_advanced_test_util.ts";
import type { Json } from "./ws_test_client.ts";

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;
const ENVELOPE_KEYS = [
  "channel",
  "client_id",
  "events",
  "sequence_num",
  "timestamp",
];

simTest(
  "envelope and per-connection sequence_num across channels, with losses",
  {},
  async ({ sim, connect, advance, settle }) => {
    const a = await connect();
    const b = await connect();
    const ack = await a.request(subscribe("heartbeats"));
    assert.deepEqual(ack, {
      channel: "subscriptions",
      client_id: "",
      timestamp: rfc3339Nanos(START_MS),
      sequence_num: 0,
      events: [{ subscriptions: { heartbeats: [] } }],
    });
    await a.request(subscribe("ticker", ["BTC-USD"]));
    await a.request(subscribe("level2", ["ETH-USD"]));
    await b.request(subscribe("market_trades", ["BTC-USD"]));
    await advance(3000);
    await Promise.all([settle(a), settle(b)]);
    for (const client of [a, b]) {
      const frames = client.json();
      assert.ok(frames.length > 5);
      frames.forEach((f, i) => {
        assert.deepEqual(Object.keys(f).sort(), ENVELOPE_KEYS);
        assert.equal(f.sequence_num, i);
        assert.equal(f.client_id, "");
        assert.match(String(f.timestamp), TIMESTAMP);
      });
    }
    const channels = new Set(a.envelopes().map((f) => f.channel));
    assert.deepEqual(
      [...channels].sort(),
      ["heartbeats", "l2_data", "subscriptions", "ticker"],
    );
    const beats = a.events("heartbeats");
    assert.deepEqual(beats.map((e) => e.heartbeat_counter), ["1", "2", "3"]);
    assert.match(
      String(beats[0]?.current_time),
      /^2026-01-01 00:03:21\.125000000 \+0000 UTC m=\+1\.000000000$/,
    );
    assert.deepEqual(
      a.envelopes("heartbeats").map((f) => f.timestamp),
      [1, 2, 3].map((s) => rfc3339Nanos(START_MS + s * 1000)),
    );

    const lastA = a.json().length - 1;
    const lastB = b.json().length - 1;
    sim.loseMessages(3);
    await advance(2000);
    await Promise.all([settle(a), settle(b)]);
    for (const [client, last] of [[a, lastA], [b, lastB]] as const) {
      const numbers = client.json().slice(last).map((f) => f.sequence_num);
      assert.equal(numbers[1], last + 4, "the next number jumps by 3");
      numbers.slice(1).forEach((n, i) => assert.equal(n, last + 4 + i));
    }
  },
);

simTest(
  "subscribe acks list everything; errors change nothing; unsubscribe",
  {},
  async ({ sim, connect }) => {
    const c = await connect();
    const ackOf = (f: Json) =>
      (f.events as Json[])[0]?.subscriptions as Record<string, string[]>;
    assert.deepEqual(
      ackOf(await c.request(subscribe("ticker", ["BTC-USD"]))),
      { ticker: ["BTC-USD"] },
    );
    await c.request(subscribe("heartbeats"));
    await c.request(subscribe("level2", ["BTC-USD", "ETH-USD", "BTC-USD"]));
    const all = {
      ticker: ["BTC-USD", "ETH-USD"],
      heartbeats: [],
      level2: ["BTC-USD", "ETH-USD"],
    };
    assert.deepEqual(
      ackOf(await c.request(subscribe("ticker", ["ETH-USD"]))),
      all,
    );
    const l2 = c.envelopes("l2_data");
    assert.equal(l2.length, 1, "one message per channel per subscribe");
    const snapshots = l2[0]?.events as Json[];
    assert.deepEqual(snapshots.map((e) => e.product_id), [
      "BTC-USD",
      "ETH-USD",
    ]);
    assert.equal(c.envelopes("ticker").length, 2);

    const errors: [unknown, RegExp][] = [
      [
        { type: "subscribe", channels: ["ticker"], product_ids: ["BTC-USD"] },
        /`channel`/,
      ],
      [subscribe("candels", ["BTC-USD"]), /candels is not a valid channel/],
      [subscribe("ticker", ["DOGE-USD"]), /DOGE-USD is not a valid product/],
      [subscribe("ticker"), /at least one product_id/],
      [subscribe("user", ["BTC-USD"]), /user is not supported.*authentication/],
      [subscribe("futures_balance_summary"), /not supported/],
      [{ type: "ping" }, /unsupported message type "ping"/],
      [[1, 2], /expected a JSON object/],
      ["{not json", /malformed JSON/],
    ];
    for (const [request, message] of errors) {
      const reply = await c.request(request);
      assert.deepEqual(Object.keys(reply).sort(), ["message", "type"]);
      assert.equal(reply.type, "error");
      assert.match(String(reply.message), message);
    }
    const info = () => sim.clients()[0];
    assert.deepEqual(info()?.subscriptions, all);

    assert.deepEqual(
      ackOf(
        await c.request({
          type: "unsubscribe",
          channel: "level2",
          product_ids: ["BTC-USD"],
        }),
      ),
      { ...all, level2: ["ETH-USD"] },
    );
    await c.request({
      type: "unsubscribe",
      channel: "level2",
      product_ids: ["ETH-USD"],
    });
    assert.deepEqual(
      ackOf(await c.request({ type: "unsubscribe", channel: "heartbeats" })),
      { ticker: ["BTC-USD", "ETH-USD"] },
    );
    assert.deepEqual(info()?.subscriptions, { ticker: ["BTC-USD", "ETH-USD"] });
    assert.equal(
      info()?.received.length,
      14,
      "every parsed object the client sent",
    );
    assert.deepEqual(info()?.received[0], subscribe("ticker", ["BTC-USD"]));
    const numbers = c.envelopes().map((f) => f.sequence_num);
    numbers.forEach((n, i) => assert.equal(n, i), "errors take no number");
  },
);

simTest(
  "a connection without a valid subscribe closes at the deadline",
  {},
  async ({ sim, connect, advance }) => {
    const c = await connect();
    await advance(4999);
    const error = await c.request(subscribe("nope", ["BTC-USD"]));
    assert.equal(error.type, "error", "still open; errors do not count");
    await advance(1);
    const closed = await c.closeEvent();
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /no subscribe within 5000 ms/);
    assert.equal(sim.clients()[0]?.closed, true);
    assert.match(String(sim.clients()[0]?.closeReason), /5000 ms/);
  },
);

simTest(
  "subscriptions without heartbeats close after 90 s; with heartbeats they stay",
  { tradesPerSecond: 0 },
  async ({ sim, connect, advance }) => {
    const quiet = await connect();
    const beating = await connect();
    await quiet.request(subscribe("status", ["BTC-USD"]));
    await beating.request(subscribe("status", ["BTC-USD"]));
    await beating.request(subscribe("heartbeats"));
    await advance(89_999, 5000);
    assert.equal((await quiet.request(subscribe("x"))).type, "error");
    await advance(1);
    const closed = await quiet.closeEvent();
    assert.equal(closed.code, 1000);
    assert.match(closed.reason, /without a heartbeats subscription/);
    await advance(60_000, 5000);
    assert.equal((await beating.request(subscribe("x"))).type, "error");
    assert.ok(beating.open);
    assert.deepEqual(sim.clients().map((c) => c.closed), [true, false]);
  },
);

simTest(
  "dropConnections closes every socket with 1011",
  {},
  async ({ sim, connect }) => {
    const c = await connect();
    await c.request(subscribe("heartbeats"));
    sim.dropConnections();
    const closed = await c.closeEvent();
    assert.equal(closed.code, 1011);
    assert.equal(closed.reason, "simulated drop");
    assert.equal(sim.clients()[0]?.closeReason, "simulated drop");
  },
);
