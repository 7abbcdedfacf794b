/**
 * Simulator → tickgate → real NDJSON file, read back and compared with what
 * the simulator actually sent.
 */

import assert from "node:assert/strict";
import type { NormalizedEvent } from "../src/core/events.ts";
import {
  expectedTrade,
  expectedTs,
  readEvents,
  sentOf,
  startStack,
  waitFor,
} from "./_harness.ts";

type Frame = Record<string, unknown>;

function tradesOf(events: NormalizedEvent[]) {
  return events.filter((e) => e.kind === "trade");
}

/** Asserts every written trade equals its sent frame, none is missing below the last written, and none repeats. */
function assertTradesMatch(written: NormalizedEvent[], sent: Frame[]): void {
  const trades = tradesOf(written);
  const byKey = new Map(sent.map((f) => [`${f.product_id}:${f.trade_id}`, f]));
  const seen = new Set<string>();
  const maxId = new Map<string, number>();
  for (const t of trades) {
    const key = `${t.symbol}:${t.tradeId}`;
    assert.ok(!seen.has(key), `duplicate trade ${key}`);
    seen.add(key);
    const f = byKey.get(key);
    assert.ok(f, `trade ${key} was never sent`);
    assert.deepEqual(t, expectedTrade(f, t.receivedTs));
    assert.ok(t.receivedTs >= Math.floor(t.exchangeTs) - 1);
    maxId.set(t.symbol, Math.max(maxId.get(t.symbol) ?? 0, Number(t.tradeId)));
  }
  for (const f of sent) {
    const key = `${f.product_id}:${f.trade_id}`;
    if (Number(f.trade_id) <= (maxId.get(String(f.product_id)) ?? 0)) {
      assert.ok(seen.has(key), `sent trade ${key} was not written`);
    }
  }
  // Per product, trades are written in trade id order.
  for (const product of maxId.keys()) {
    const ids = trades.filter((t) => t.symbol === product).map((t) =>
      Number(t.tradeId)
    );
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  }
}

Deno.test("e2e: events written to the file equal what the simulator sent, field by field", async () => {
  await using s = await startStack({
    env: { COINBASE_CHANNELS: "ticker,matches,heartbeat,level2_batch" },
  });
  const stats = s.gw.venues[0]!.stats;
  await waitFor("100 trades", () => stats.events.trade >= 100);
  await s.gw.stop();
  const written = await readEvents(s.eventsPath);
  assert.equal(s.sim.totalConnections, 1);

  const matches = sentOf(s.sim, "match", "last_match");
  assertTradesMatch(written, matches);
  assert.ok(tradesOf(written).length >= 100);
  assert.ok(
    tradesOf(written).some((t) => t.kind === "trade" && t.side === "buy"),
  );
  assert.ok(
    tradesOf(written).some((t) => t.kind === "trade" && t.side === "sell"),
  );

  // Tickers: every written ticker is the sent one, losslessly.
  const tickers = new Map(
    sentOf(s.sim, "ticker").map((f) => [`${f.product_id}:${f.sequence}`, f]),
  );
  const writtenTickers = written.filter((e) => e.kind === "ticker");
  assert.ok(writtenTickers.length > 0);
  for (const t of writtenTickers) {
    const f = tickers.get(`${t.symbol}:${t.kind === "ticker" && t.sequence}`);
    assert.ok(f, `ticker ${t.id} was never sent`);
    assert.deepEqual(t, {
      id: `coinbase:${f.product_id}:ticker:${f.sequence}`,
      kind: "ticker",
      venue: "coinbase",
      symbol: f.product_id,
      nativeSymbol: f.product_id,
      exchangeTs: expectedTs(String(f.time)),
      receivedTs: t.receivedTs,
      bid: f.best_bid,
      bidSize: f.best_bid_size,
      ask: f.best_ask,
      askSize: f.best_ask_size,
      last: f.price,
      volume24h: f.volume_24h,
      open24h: f.open_24h,
      high24h: f.high_24h,
      low24h: f.low_24h,
      volume30d: f.volume_30d,
      lastSize: f.last_size,
      lastTradeId: String(f.trade_id),
      sequence: f.sequence,
    });
  }

  // Books: per product, the written book events are the sent snapshot and
  // l2update frames, in order, with changes split into bids and asks.
  for (const product of ["BTC-USD", "ETH-USD"]) {
    const sent = sentOf(s.sim, "snapshot", "l2update").filter((f) =>
      f.product_id === product
    );
    const books = written.filter((e) =>
      e.kind === "book" && e.symbol === product
    );
    assert.ok(books.length > 1, `no book events for ${product}`);
    books.forEach((b, i) => {
      const f = sent[i]!;
      assert.equal(b.kind, "book");
      if (b.kind !== "book") return;
      if (f.type === "snapshot") {
        assert.equal(b.type, "snapshot");
        assert.deepEqual(b.bids, f.bids);
        assert.deepEqual(b.asks, f.asks);
      } else {
        const changes = f.changes as string[][];
        assert.equal(b.type, "delta");
        assert.equal(b.exchangeTs, expectedTs(String(f.time)));
        assert.deepEqual(
          b.bids,
          changes.filter((c) => c[0] === "buy").map((c) => [c[1], c[2]]),
        );
        assert.deepEqual(
          b.asks,
          changes.filter((c) => c[0] === "sell").map((c) => [c[1], c[2]]),
        );
      }
    });
  }
  const ids = written.filter((e) => e.kind !== "status").map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, "event ids are unique");
  assert.equal(stats.gaps, 0);
  assert.equal(stats.malformed + stats.invalid, 0);
});

Deno.test("e2e: after a dropped connection tickgate reconnects, resubscribes and writes no duplicate trade", async () => {
  await using s = await startStack({ sim: { tradesPerSecond: 4 } });
  const stats = s.gw.venues[0]!.stats;
  await waitFor("trades before the drop", () => stats.events.trade >= 8);
  s.sim.dropConnections();
  await waitFor("a second connection", () => s.sim.totalConnections >= 2);
  const before = stats.events.trade;
  await waitFor(
    "trades after the reconnect",
    () => stats.events.trade >= before + 8,
  );
  const conn = s.gw.venues[0]!.session.connections[0]!;
  assert.equal(conn.stats.reconnects, 1);
  await s.gw.stop();

  const written = await readEvents(s.eventsPath);
  const sent = sentOf(s.sim, "match", "last_match");
  assertTradesMatch(written, sent);
  // Trades sent on both connections (last_match repeats one) were dropped, not written twice.
  const sentKeys = sent.map((f) => `${f.product_id}:${f.trade_id}`);
  const resent = sentKeys.length - new Set(sentKeys).size;
  assert.ok(stats.duplicates >= resent);

  // The second connection subscribed again to every channel and product.
  const acks = s.sim.sent.filter((x) =>
    x.frame.type === "subscriptions" && x.connection === 2
  );
  assert.equal(acks.length, 1);
  const channels = acks[0]!.frame.channels as {
    name: string;
    product_ids: string[];
  }[];
  assert.deepEqual(
    channels.map((c) => [c.name, [...c.product_ids].sort()]).sort(),
    [
      ["heartbeat", ["BTC-USD", "ETH-USD"]],
      ["matches", ["BTC-USD", "ETH-USD"]],
      ["ticker", ["BTC-USD", "ETH-USD"]],
    ],
  );
  const states = written.filter((e) => e.kind === "status").map((e) =>
    e.kind === "status" ? e.state : ""
  );
  assert.deepEqual(states.filter((st) => st !== "gap").slice(0, 3), [
    "connected",
    "disconnected",
    "connected",
  ]);
});

Deno.test("e2e: skipped sequences show as gap status events and the gap counter", async () => {
  await using s = await startStack();
  const stats = s.gw.venues[0]!.stats;
  await waitFor("trades", () => stats.events.trade >= 10);
  s.sim.skipSequences(3);
  await waitFor("3 missed trades per product", () => stats.missed >= 6);
  const trades = stats.events.trade;
  await waitFor("trades after the gap", () => stats.events.trade >= trades + 4);
  await s.gw.stop();
  const gaps = (await readEvents(s.eventsPath)).filter((e) =>
    e.kind === "status" && e.state === "gap"
  );
  assert.equal(stats.gaps, gaps.length);
  for (const product of ["BTC-USD", "ETH-USD"]) {
    const missed = gaps.filter((g) => g.symbol === product).reduce((n, g) => {
      const m = g.kind === "status"
        ? /missed (\d+) trade/.exec(g.detail)
        : null;
      return n + Number(m?.[1] ?? 0);
    }, 0);
    assert.equal(missed, 3, `${product} missed trades`);
  }
  assert.equal(stats.missed, 6);
  assertTradesMatch(
    await readEvents(s.eventsPath),
    sentOf(s.sim, "match", "last_match"),
  );
});

Deno.test("e2e: malformed frames and unknown types are counted and the stream continues", async () => {
  await using s = await startStack();
  const stats = s.gw.venues[0]!.stats;
  await waitFor("trades", () => stats.events.trade >= 5);
  for (let i = 0; i < 3; i++) {
    s.sim.sendMalformed();
    s.sim.sendUnknownType();
  }
  await waitFor(
    "bad frames counted",
    () => stats.malformed >= 3 && stats.unknown >= 3,
  );
  const trades = stats.events.trade;
  await waitFor(
    "trades after the bad frames",
    () => stats.events.trade >= trades + 10,
  );
  const conn = s.gw.venues[0]!.session.connections[0]!;
  assert.equal(conn.stats.reconnects, 0);
  assert.equal(stats.malformed, 3);
  assert.equal(stats.unknown, 3);
  await s.gw.stop();
  assertTradesMatch(
    await readEvents(s.eventsPath),
    sentOf(s.sim, "match", "last_match"),
  );
});
