import assert from "node:assert/strict";
import type { NormalizedEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { PendingRequests } from "../pending_requests.ts";
import { VenueSession } from "../../transport/session.ts";
import { BybitParser } from "./parse.ts";
import { bybitProtocol, bybitStreams, isPong } from "./protocol.ts";
import type { BybitRequest } from "./replies.ts";

function setup(category: "spot" | "linear" = "spot") {
  const stats = new VenueStats("bybit");
  const requests = new PendingRequests<BybitRequest>(() => 0);
  const resubscribed: string[] = [];
  const authed: string[] = [];
  const parser = new BybitParser({
    stats,
    category,
    requests,
    resubscribe: (t) => resubscribed.push(t),
    redact: (t) => t.split("SECRETKEY").join("***"),
    onAuthenticated: (c) => authed.push(c),
  });
  const run = (frame: unknown, conn = "bybit-0") => {
    const out: NormalizedEvent[] = [];
    const outcome = parser.parse(
      typeof frame === "string" ? frame : JSON.stringify(frame),
      1000,
      conn,
      out,
    );
    return { outcome, out };
  };
  return { stats, requests, parser, run, resubscribed, authed };
}

const trade = (i: string, seq: number, S = "Buy") => ({
  T: 1700000000000 + seq,
  s: "BTCUSDT",
  S,
  v: "0.010",
  p: "65000.50",
  i,
  BT: false,
  seq,
});

Deno.test("publicTrade: taker side, decimals kept, repeats by seq and id dropped across frames", () => {
  const t = setup();
  const topic = "publicTrade.BTCUSDT";
  const first = t.run({
    topic,
    type: "snapshot",
    ts: 1,
    data: [trade("1", 10), trade("2", 11, "Sell")],
  });
  assert.equal(first.outcome, "ok");
  assert.deepEqual(first.out[1], {
    id: "bybit:BTC-USDT:trade:2",
    kind: "trade",
    venue: "bybit",
    symbol: "BTC-USDT",
    nativeSymbol: "BTCUSDT",
    exchangeTs: 1700000000011,
    receivedTs: 1000,
    tradeId: "2",
    price: "65000.50",
    size: "0.010",
    side: "sell",
  });
  // One match split over two frames shares seq 12: both halves are kept.
  const a = t.run({
    topic,
    type: "snapshot",
    ts: 2,
    data: [trade("3", 12), trade("4", 12)],
  });
  const b = t.run({ topic, type: "snapshot", ts: 2, data: [trade("5", 12)] });
  assert.deepEqual(
    [...a.out, ...b.out].map((e) => e.kind === "trade" && e.tradeId),
    ["3", "4", "5"],
  );
  // The same frames again (an overlap) are dropped.
  const again = t.run({
    topic,
    type: "snapshot",
    ts: 2,
    data: [trade("4", 12), trade("2", 11)],
  });
  assert.equal(again.out.length, 0);
  assert.equal(t.stats.duplicates, 2);
  const bad = t.run({
    topic,
    type: "snapshot",
    ts: 3,
    data: [{ ...trade("6", 13), S: "buy" }, trade("7", 14)],
  });
  assert.equal(bad.outcome, "invalid");
  assert.equal(bad.out.length, 1, "the good trade of the frame is kept");
  assert.equal(t.stats.symbol("BTCUSDT").frames, 5);
});

Deno.test("tickers: linear deltas merge into the snapshot and every event is a full ticker", () => {
  const t = setup("linear");
  const topic = "tickers.BTCUSDT";
  const snap = t.run({
    topic,
    type: "snapshot",
    cs: 5,
    ts: 100,
    data: {
      symbol: "BTCUSDT",
      lastPrice: "66666.60",
      prevPrice24h: "79206.20",
      highPrice24h: "79266.30",
      lowPrice24h: "65076.90",
      volume24h: "73191.3870",
      bid1Price: "66666.60",
      bid1Size: "23789.165",
      ask1Price: "66666.70",
      ask1Size: "23775.469",
      markPrice: "66666.60",
    },
  });
  assert.equal(snap.out[0]?.symbol, "BTC-USDT-PERP");
  const delta = t.run({
    topic,
    type: "delta",
    cs: 6,
    ts: 200,
    data: { symbol: "BTCUSDT", bid1Price: "66666.50", bid1Size: "1.5" },
  });
  const e = delta.out[0];
  assert.ok(e?.kind === "ticker");
  assert.equal(e.bid, "66666.50");
  assert.equal(e.bidSize, "1.5");
  assert.equal(e.ask, "66666.70", "unchanged fields come from the snapshot");
  assert.equal(e.last, "66666.60");
  assert.equal(e.open24h, "79206.20");
  assert.equal(e.volume24h, "73191.3870");
  assert.equal(e.sequence, 6);
  assert.equal(e.markPrice, "66666.60");
  assert.equal(e.fundingRate, undefined, "not in this snapshot");
  assert.equal(e.exchangeTs, 200);
  // A repeat of the delta is dropped; a delta before any snapshot is invalid.
  assert.equal(
    t.run({ topic, type: "delta", cs: 6, ts: 200, data: {} }).out.length,
    0,
  );
  assert.equal(
    t.run({
      topic: "tickers.ETHUSDT",
      type: "delta",
      cs: 1,
      ts: 1,
      data: { bid1Price: "1" },
    }).outcome,
    "invalid",
  );
});

Deno.test("klines: confirm is the closed candle, with its own id", () => {
  const t = setup();
  const k = (timestamp: number, confirm: boolean, close: string) => ({
    topic: "kline.5.BTCUSDT",
    type: "snapshot",
    ts: timestamp,
    data: [{
      start: 1672324800000,
      end: 1672325099999,
      interval: "5",
      open: "16649.5",
      close,
      high: "16677",
      low: "16608",
      volume: "2.081",
      turnover: "34666.4005",
      confirm,
      timestamp,
    }],
  });
  const open = t.run(k(1672324988882, false, "16677")).out[0];
  const closed = t.run(k(1672324988882, true, "16670")).out[0];
  assert.ok(open?.kind === "candle" && closed?.kind === "candle");
  assert.equal(open.interval, "5m");
  assert.equal(open.closed, false);
  assert.equal(closed.closed, true);
  assert.equal(closed.close, "16670");
  assert.notEqual(open.id, closed.id);
  assert.equal(
    t.run(k(1672324988882, false, "16677")).out.length,
    0,
    "late open update after close",
  );
});

Deno.test("orderbook: snapshot, deltas, same u repeat, u=1 restart, level-1 re-push, and a break resubscribes", () => {
  const t = setup();
  const topic = "orderbook.50.BTCUSDT";
  const book = (
    type: string,
    u: number,
    seq: number,
    b: string[][] = [],
    a: string[][] = [],
  ) => ({
    topic,
    type,
    ts: 5000 + u,
    data: { s: "BTCUSDT", b, a, u, seq },
    cts: 4999,
  });
  const s =
    t.run(book("snapshot", 100, 1000, [["100.0", "1"]], [["101.0", "2"]])).out;
  assert.equal(s.length, 1);
  assert.ok(s[0]?.kind === "book");
  assert.equal(s[0].type, "snapshot");
  assert.equal(s[0].sequence, 100);
  assert.equal(s[0].id, "bybit:BTC-USDT:book:50:100");
  const d = t.run(book("delta", 102, 1005, [["100.0", "0"]])).out;
  assert.ok(d[0]?.kind === "book" && d[0].type === "delta");
  assert.equal(
    t.run(book("delta", 102, 1005)).out.length,
    0,
    "same u: a repeat",
  );
  assert.equal(t.stats.duplicates, 1);
  // u=1: the service restarted: the frame replaces the book, reported as a resync.
  const restart = t.run(book("snapshot", 1, 2000, [["99.0", "3"]])).out;
  assert.deepEqual(restart.map((e) => e.kind === "status" ? e.state : e.kind), [
    "resync",
    "book",
  ]);
  // A smaller u is a break: a gap, the topic resubscribed once, deltas dropped meanwhile.
  t.run(book("delta", 5, 2010));
  const broken = t.run(book("delta", 4, 2011)).out;
  assert.deepEqual(broken.map((e) => e.kind === "status" && e.state), ["gap"]);
  assert.deepEqual(t.resubscribed, [topic]);
  assert.equal(t.run(book("delta", 6, 2012)).out.length, 0);
  assert.deepEqual(t.resubscribed, [topic]);
  assert.equal(t.stats.gaps, 1);
  const fresh = t.run(book("snapshot", 50, 3000, [["98.0", "1"]])).out;
  assert.deepEqual(fresh.map((e) => e.kind === "status" ? e.state : e.kind), [
    "resync",
    "book",
  ]);
  // Level 1: snapshots only, an unchanged book re-sent with the same u is neither a gap nor a repeat.
  const l1 = (u: number) => ({
    ...book("snapshot", u, 1),
    topic: "orderbook.1.BTCUSDT",
  });
  assert.equal(t.run(l1(7)).out.length, 1);
  assert.equal(t.run(l1(7)).out.length, 1);
  assert.equal(t.stats.gaps, 1);
});

Deno.test("a delta with no book (after a reconnect) resubscribes", () => {
  const t = setup();
  const topic = "orderbook.200.ETHUSDT";
  t.run({
    topic,
    type: "snapshot",
    ts: 1,
    data: { s: "ETHUSDT", b: [], a: [], u: 10, seq: 1 },
  });
  t.parser.connectionOpened("bybit-0");
  const out = t.run({
    topic,
    type: "delta",
    ts: 2,
    data: { s: "ETHUSDT", b: [], a: [], u: 11, seq: 2 },
  }).out;
  assert.equal(out[0]?.kind === "status" && out[0].state, "gap");
  assert.deepEqual(t.resubscribed, [topic]);
});

Deno.test("acks are matched by req_id; a refused topic is kept with ret_msg and reported", () => {
  const t = setup();
  const protocol = bybitProtocol({
    category: "spot",
    publicUrl: "ws://x/v5/public/spot",
    privateUrl: "ws://x/v5/private",
    maxStreamsPerConnection: 100,
    requests: t.requests,
    now: () => 0,
  });
  const [frame] = protocol.subscribe(
    bybitStreams("spot", ["BTCUSDT", "NOPEUSDT"], ["publicTrade"], false),
  );
  const req = JSON.parse(frame!);
  assert.deepEqual(req.args, ["publicTrade.BTCUSDT", "publicTrade.NOPEUSDT"]);
  const reply = t.run({
    success: false,
    ret_msg: "Invalid symbol :[publicTrade.NOPEUSDT]",
    conn_id: "c1",
    req_id: req.req_id,
    op: "subscribe",
  });
  assert.equal(reply.outcome, "control");
  assert.deepEqual([...t.stats.rejected], [[
    "publicTrade.NOPEUSDT",
    "Invalid symbol :[publicTrade.NOPEUSDT]",
  ]]);
  assert.deepEqual(t.stats.acked.get("bybit-0"), { publicTrade: ["BTCUSDT"] });
  const e = reply.out[0];
  assert.ok(e?.kind === "status" && e.state === "error");
  assert.match(
    e.detail,
    /subscribe publicTrade.NOPEUSDT refused: Invalid symbol/,
  );
  const [ok] = protocol.subscribe(
    bybitStreams("spot", ["ETHUSDT"], ["orderbook.50"], false),
  );
  const okReply = t.run({
    success: true,
    ret_msg: "subscribe",
    conn_id: "c1",
    req_id: JSON.parse(ok!).req_id,
    op: "subscribe",
  });
  assert.equal(okReply.outcome, "ack");
  assert.deepEqual(t.stats.acked.get("bybit-0"), {
    publicTrade: ["BTCUSDT"],
    "orderbook.50": ["ETHUSDT"],
  });
});

Deno.test("pongs of every documented shape are control frames and recognised by isPong", () => {
  const t = setup();
  const pongs = [
    '{"success":true,"ret_msg":"pong","conn_id":"0970e817","op":"ping"}',
    '{"success":true,"ret_msg":"pong","conn_id":"465772b1","req_id":"","op":"ping"}',
    '{"args":["1672916271846"],"op":"pong"}',
    '{"req_id":"test","op":"pong","args":["1675418560633"],"conn_id":"cfcb4ocsvfriu23r3er0-1b"}',
  ];
  for (const p of pongs) {
    assert.equal(isPong(p), true, p);
    assert.equal(t.run(p).outcome, "control", p);
  }
  assert.equal(isPong('{"topic":"publicTrade.PONGUSDT","data":[]}'), false);
  assert.equal(isPong("pong"), false);
});

Deno.test("auth: success calls back; refusal is unauthorized, reported without the secret", () => {
  const t = setup();
  assert.equal(
    t.run({ success: true, ret_msg: "", op: "auth", conn_id: "a" }, "bybit-1")
      .outcome,
    "control",
  );
  assert.deepEqual(t.authed, ["bybit-1"]);
  assert.equal(t.parser.authFailure, undefined);
  const refused = t.run({
    success: false,
    ret_msg: "Params Error SECRETKEY",
    op: "auth",
    conn_id: "a",
  }, "bybit-1");
  assert.equal(refused.outcome, "unauthorized");
  assert.equal(t.parser.authFailure, "Params Error ***");
  assert.equal(JSON.stringify(refused.out).includes("SECRETKEY"), false);
  assert.equal(t.stats.lastVenueError?.includes("SECRETKEY"), false);
});

Deno.test("requests are chunked by 10 topics on spot and 50 on derivatives", () => {
  const topics = [
    "publicTrade",
    "tickers",
    "orderbook.50",
    "kline.1",
    "kline.5",
  ];
  const symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"];
  const streams = bybitStreams("spot", symbols, topics, false);
  assert.equal(streams.length, 25);
  for (const category of ["spot", "linear"] as const) {
    const frames = bybitProtocol({
      category,
      publicUrl: "",
      privateUrl: "",
      maxStreamsPerConnection: 100,
      requests: new PendingRequests(() => 0),
      now: () => 0,
    }).subscribe(streams).map((f) => JSON.parse(f));
    assert.deepEqual(
      frames.map((f) => f.args.length),
      category === "spot" ? [10, 10, 5] : [25],
    );
    assert.deepEqual(frames.flatMap((f) => f.args), streams.map((s) => s.key));
  }
});

Deno.test("a connection carries at most 21,000 characters of topics", async () => {
  const symbols = Array.from({ length: 1200 }, (_, i) => `SYMBOL${i}USDT`);
  const streams = bybitStreams("linear", symbols, ["orderbook.1000"], false);
  const session = new VenueSession({
    venue: "bybit",
    protocol: bybitProtocol({
      category: "linear",
      publicUrl: "ws://x/v5/public/linear",
      privateUrl: "ws://x/v5/private",
      maxStreamsPerConnection: 5_000,
      requests: new PendingRequests(() => 0),
      now: () => 0,
    }),
    onFrame: () => {},
  });
  session.setDesired(streams);
  const sizes = session.connections.map((c) =>
    session.streamsOf(c.id).reduce((n, s) => n + s.key.length, 0)
  );
  assert.equal(sizes.length, 2);
  assert.ok(sizes.every((n) => n <= 21_000), String(sizes));
  assert.equal(
    session.connections.reduce((n, c) => n + session.streamsOf(c.id).length, 0),
    1200,
  );
  await session.close();
});
