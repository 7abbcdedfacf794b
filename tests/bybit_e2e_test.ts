/**
 * Bybit public streams end to end: simulator → tickgate → NDJSON file and
 * the in-memory state, compared with the simulator's truth.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../src/core/clock.ts";
import type {
  BookEvent,
  CandleEvent,
  NormalizedEvent,
  TickerEvent,
  TradeEvent,
} from "../src/core/events.ts";
import type { BybitClientRecord } from "../src/simulator/bybit.ts";
import type { BybitParser } from "../src/venues/bybit/parse.ts";
import { startBybitStack } from "./_bybit_harness.ts";
import { readEvents, waitFor } from "./_harness.ts";

const SYMBOLS = ["BTCUSDT", "ETHUSDT"];

function open(clients: readonly BybitClientRecord[], category = "linear") {
  return clients.filter((c) => !c.closed && c.category === category);
}

/** Every kline payload with `confirm: true` the simulator sent to the gateway. */
function closedKlinesSent(clients: readonly BybitClientRecord[]) {
  const out = new Map<string, Record<string, unknown>>();
  for (const c of clients) {
    for (const f of c.received) {
      if (!f.includes('"topic":"kline.')) continue;
      const m = JSON.parse(f);
      for (const k of m.data) {
        if (k.confirm) out.set(`${m.topic.split(".")[2]}:${k.start}`, k);
      }
    }
  }
  return out;
}

Deno.test("bybit: trades, merged tickers, klines and order books equal the simulator's truth across a u=1 reset and a reconnect", async () => {
  await using s = await startBybitStack({
    sim: { tickMs: 50, klineMinuteMs: 400, tradesPerSecond: 30 },
    env: {
      BYBIT_CATEGORY: "linear",
      BYBIT_SYMBOLS: SYMBOLS.join(","),
      BYBIT_TOPICS: "publicTrade,tickers,orderbook.50,kline.1",
    },
  });
  const { sim, gw } = s;
  const venue = s.venue();
  const parser = venue.definition.parser as BybitParser;
  const bookTopic = "orderbook.50.BTCUSDT";
  const closedCount = () =>
    [...closedKlinesSent(sim.clients).keys()].filter((k) =>
      k.startsWith("BTCUSDT")
    ).length;
  await waitFor("closed candles", () => closedCount() >= 2);
  // The service restarts: the next frame of every book is a snapshot with u=1.
  const before = parser.topic(bookTopic)!.u;
  assert.ok(before > 5);
  sim.resetBook("BTCUSDT", "linear");
  await waitFor("the u=1 snapshot", () => parser.topic(bookTopic)!.u < before);
  // The server drops the connection: tickgate reconnects and resubscribes.
  const first = open(sim.clients)[0]!;
  sim.dropConnections();
  await waitFor(
    "a new connection with every topic",
    () =>
      open(sim.clients).some((c) => c.id > first.id && c.topics.length === 8),
  );
  const afterReconnect = closedCount();
  await waitFor(
    "closed candles after the reconnect",
    () => closedCount() >= afterReconnect + 2,
  );
  // One match of 2,500 trades: three frames sharing one seq, none dropped.
  sim.burst("ETHUSDT", 2_500, "linear");
  sim.pause();
  const truthTrades = SYMBOLS.flatMap((sym) => sim.trades(sym, "linear"));
  await waitFor(
    "every trade sent",
    () => venue.stats.events.trade >= truthTrades.length,
  );
  for (const sym of SYMBOLS) {
    const unified = sym.replace("USDT", "-USDT-PERP");
    await waitFor(`${sym}: local book equals the simulator's`, () => {
      const truth = sim.book(sym, 50, "linear");
      const mine = gw.store.book("bybit", unified, 50);
      return truth !== undefined && mine?.sequence === truth.u &&
        JSON.stringify([mine.bids, mine.asks]) ===
          JSON.stringify([truth.bids, truth.asks]);
    });
    await waitFor(
      `${sym}: merged ticker equals the simulator's`,
      () =>
        JSON.stringify(parser.topic(`tickers.${sym}`)?.merged) ===
          JSON.stringify(sim.ticker(sym, "linear")),
    );
  }
  const tickerTruth = Object.fromEntries(
    SYMBOLS.map((sym) => [sym, { ...sim.ticker(sym, "linear") }]),
  );
  const kinesSent = closedKlinesSent(sim.clients);
  await gw.stop();
  const events = await readEvents(s.eventsPath);
  const of = <K extends NormalizedEvent["kind"]>(kind: K, sym: string) =>
    events.filter((e): e is Extract<NormalizedEvent, { kind: K }> =>
      e.kind === kind && e.nativeSymbol === sym
    );

  for (const sym of SYMBOLS) {
    // Trades: exactly the simulator's, field by field, none twice.
    const trades: TradeEvent[] = of("trade", sym);
    const truth = sim.trades(sym, "linear");
    assert.equal(new Set(trades.map((t) => t.tradeId)).size, trades.length);
    assert.deepEqual(
      trades.map((t) => [t.tradeId, t.price, t.size, t.side, t.exchangeTs]),
      truth.map((t) => [t.i, t.p, t.v, t.S === "Buy" ? "buy" : "sell", t.T]),
      `${sym} trades`,
    );
    // Tickers: every event is complete (deltas merged), the last one is the truth.
    const tickers: TickerEvent[] = of("ticker", sym);
    assert.ok(tickers.length > 10);
    for (const t of tickers) {
      assert.ok(t.bid !== "" && t.ask !== "" && t.last !== "", t.id);
    }
    const last = tickers.at(-1)!;
    const tt = tickerTruth[sym]!;
    assert.deepEqual(
      [
        last.bid,
        last.bidSize,
        last.ask,
        last.askSize,
        last.last,
        last.volume24h,
        last.markPrice,
      ],
      [
        tt.bid1Price,
        tt.bid1Size,
        tt.ask1Price,
        tt.ask1Size,
        tt.lastPrice,
        tt.volume24h,
        tt.markPrice,
      ],
    );
    // Klines: exactly the closed candles sent, once each, OHLCV equal.
    const closed: CandleEvent[] = of("candle", sym).filter((c) => c.closed);
    const sent = [...kinesSent].filter(([k]) => k.startsWith(`${sym}:`));
    assert.ok(closed.length >= 3, `${sym}: ${closed.length} closed candles`);
    assert.deepEqual(
      closed.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]),
      sent.map(([, k]) => [k.start, k.open, k.high, k.low, k.close, k.volume]),
      `${sym} closed candles`,
    );
    assert.ok(closed.every((c) => c.interval === "1m"));
  }
  // Books: the restart and the reconnect each replaced the book; nothing was
  // taken for a gap.
  const statuses = events.filter((e) => e.kind === "status");
  assert.ok(
    statuses.some((e) =>
      e.kind === "status" && e.state === "resync" &&
      e.nativeSymbol === "BTCUSDT" &&
      e.detail.includes("u=1")
    ),
  );
  assert.ok(
    statuses.some((e) => e.kind === "status" && e.state === "disconnected"),
  );
  assert.equal(venue.stats.gaps, 0);
  const books: BookEvent[] = of("book", "BTCUSDT");
  assert.ok(books.filter((b) => b.type === "snapshot").length >= 3);
});

Deno.test("bybit: a ping every 20 s of injected time; a missing pong reconnects", async () => {
  const clock = new ManualClock(Date.now());
  await using s = await startBybitStack({
    clock,
    env: {
      WS_STALE_SEC: "0",
      BYBIT_SYMBOLS: "BTCUSDT",
      BYBIT_TOPICS: "publicTrade",
    },
  });
  const { sim } = s;
  const conn = () => s.venue().session.connections[0]!;
  const client = () => open(sim.clients, "spot")[0]!;
  await waitFor("subscribed", () => client()?.topics.length === 1);
  const pings = () =>
    client().sent.filter((f) => f.includes('"op":"ping"')).length;
  const settled = () =>
    waitFor(
      "every frame sent read",
      () => conn().stats.framesReceived >= client().received.length,
    );
  clock.advance(19_999);
  await settled();
  assert.equal(pings(), 0);
  clock.advance(1);
  await waitFor("the first ping", () => pings() === 1);
  assert.deepEqual(JSON.parse(client().sent.at(-1)!), { op: "ping" });
  await waitFor(
    "its pong",
    () => client().received.some((f) => f.includes('"ret_msg":"pong"')),
  );
  await settled();
  const first = client();
  clock.advance(20_000);
  await waitFor("the second ping", () => pings() === 2);
  await waitFor(
    "its pong",
    () =>
      client().received.filter((f) => f.includes('"ret_msg":"pong"')).length ===
        2,
  );
  await settled();
  assert.equal(conn().stats.staleReconnects, 0);
  // The venue stops answering: the next ping goes unanswered, and when the
  // one after is due the connection is stale.
  sim.setPong(false);
  clock.advance(20_000);
  await waitFor("the third ping", () => pings() === 3);
  await settled();
  clock.advance(20_000);
  assert.equal(conn().stats.staleReconnects, 1);
  // The backoff is full jitter: a draw of 0 ms reconnects within the same
  // advance and replaces the connection's current detail, so the cause is
  // read from the status event it published.
  const noPong = (e: NormalizedEvent) =>
    e.kind === "status" && e.state === "disconnected" &&
    /no pong within 20 s/.test(e.detail);
  await waitFor(
    "the no-pong status event",
    async () => (await readEvents(s.eventsPath)).some(noPong),
  );
  clock.advance(1_000); // past the backoff
  await waitFor(
    "a new connection",
    () =>
      client() !== undefined && client().id > first.id &&
      client().topics.length === 1,
  );
  assert.equal(first.closed, true);
});

Deno.test("bybit: 25 spot topics go out as requests of at most 10 topics, all acknowledged", async () => {
  const symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT"];
  const topics = [
    "publicTrade",
    "tickers",
    "orderbook.50",
    "kline.1",
    "kline.5",
  ];
  await using s = await startBybitStack({
    sim: { symbols: { spot: symbols } },
    env: { BYBIT_SYMBOLS: symbols.join(","), BYBIT_TOPICS: topics.join(",") },
  });
  const stats = s.venue().stats;
  await waitFor(
    "25 topics acknowledged",
    () => Object.values(stats.acked.get("bybit-0") ?? {}).flat().length === 25,
  );
  const client = open(s.sim.clients, "spot")[0]!;
  const requests = client.sent.map((f) => JSON.parse(f)).filter((m) =>
    m.op === "subscribe"
  );
  assert.deepEqual(requests.map((r) => r.args.length), [10, 10, 5]);
  assert.equal(new Set(requests.flatMap((r) => r.args)).size, 25);
  assert.deepEqual(client.topics.length, 25);
  assert.equal(stats.rejected.size, 0);
  assert.equal(
    client.received.filter((f) => f.includes('"success":false')).length,
    0,
  );
  await waitFor(
    "every kind of data for every symbol",
    () =>
      symbols.every((sym) => (stats.bySymbol.get(sym)?.frames ?? 0) > 5) &&
      stats.events.trade > 0 && stats.events.ticker > 0 &&
      stats.events.book > 0 && stats.events.candle > 0,
  );
});
