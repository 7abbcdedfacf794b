/**
 * Coinbase Advanced Trade end to end: the simulator (on a clock the test
 * moves) → tickgate → a real NDJSON file, read back and compared with the
 * simulator's truth: candles per bucket, trades, books, sequence gaps and
 * reconnects, and `/metrics`.
 */

import assert from "node:assert/strict";
import { ManualClock } from "../src/core/clock.ts";
import type { BookLevel, NormalizedEvent } from "../src/core/events.ts";
import {
  advance,
  ofKind,
  startAdvancedStack,
} from "./_coinbase_advanced_harness.ts";
import { readEvents, waitFor } from "./_harness.ts";

/** 100 s before a five-minute boundary. */
const START = Date.UTC(2026, 0, 1, 0, 3, 20, 125);
const PRODUCTS = ["BTC-USD", "ETH-USD"];

/** Events in the file once it holds as many as the venue emitted. */
async function allEvents(
  path: string,
  emitted: () => number,
): Promise<NormalizedEvent[]> {
  let events: NormalizedEvent[] = [];
  await waitFor("the file sink to hold every event", async () => {
    events = await readEvents(path);
    return events.length >= emitted();
  });
  return events;
}

function emittedBy(
  stack: { venue(): { stats: { events: Record<string, number> } } },
) {
  return () =>
    Object.values(stack.venue().stats.events).reduce((a, b) => a + b, 0);
}

Deno.test("candles: OHLCV per bucket equals the simulator's truth, one closed candle per bucket per product; /metrics counts candle messages per symbol", async () => {
  const clock = new ManualClock(START);
  await using s = await startAdvancedStack({
    sim: { clock, products: PRODUCTS },
    env: { COINBASE_ADV_PRODUCTS: PRODUCTS.join(",") },
  });
  const { sim } = s;
  await waitFor("candles and heartbeats subscribed", () => {
    const subs = sim.clients()[0]?.subscriptions;
    return subs?.candles?.length === 2 && subs.heartbeats !== undefined;
  });
  // Default channels: one subscribe message for candles, one for heartbeats.
  // Default channels: one subscribe message for heartbeats (on open), one
  // for candles.
  assert.deepEqual(
    sim.clients()[0]!.received.map((m) => [m.type, m.channel, m.product_ids])
      .sort(),
    [
      ["subscribe", "candles", PRODUCTS],
      ["subscribe", "heartbeats", undefined],
    ],
  );

  await advance(clock, 11 * 60_000);
  sim.pause();
  await s.settled();
  const events = await allEvents(s.eventsPath, emittedBy(s));
  for (const product of PRODUCTS) {
    const truth = sim.candles(product);
    assert.ok(truth.length >= 3, `${product}: three buckets or more`);
    const candles = ofKind(events, "candle", product);
    const closed = candles.filter((c) => c.closed);
    assert.equal(
      closed.length,
      truth.length - 1,
      `${product}: every bucket but the open one closed, once`,
    );
    assert.equal(new Set(closed.map((c) => c.id)).size, closed.length);
    const shape = (
      c: {
        start?: string;
        openTime?: number;
        open: string;
        high: string;
        low: string;
        close: string;
        volume: string;
      },
    ) => ({
      openTime: c.openTime ?? Number(c.start) * 1000,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
    });
    assert.deepEqual(closed.map(shape), truth.slice(0, -1).map(shape));
    assert.ok(closed.every((c) => c.interval === "5m"));
    const open = candles.filter((c) => !c.closed).at(-1)!;
    assert.deepEqual(shape(open), shape(truth.at(-1)!));
  }
  // websocket_messages_by_symbol: one count per candles message per product.
  const metrics = await (await fetch(`http://127.0.0.1:${s.gw.port}/metrics`))
    .text();
  for (const product of PRODUCTS) {
    const sent = sim.sent.filter((f) =>
      f.frame.channel === "candles" &&
      (f.frame.events as { candles: { product_id: string }[] }[]).some((e) =>
        e.candles.some((c) => c.product_id === product)
      )
    ).length;
    assert.ok(sent > 600, `${product}: ${sent} candle messages`);
    const line = new RegExp(
      `^websocket_messages_by_symbol\\{symbol="${product}"\\} (\\d+)$`,
      "m",
    ).exec(metrics);
    assert.equal(Number(line?.[1]), sent, `${product} in /metrics`);
  }
});

/** The book the book events build, best first. */
function replay(events: NormalizedEvent[], product: string) {
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  for (const b of ofKind(events, "book", product)) {
    if (b.type === "snapshot") {
      bids.clear();
      asks.clear();
    }
    const apply = (side: Map<string, string>, levels: BookLevel[]) => {
      for (const [price, size] of levels) {
        if (Number(size) === 0) side.delete(price);
        else side.set(price, size);
      }
    };
    apply(bids, b.bids);
    apply(asks, b.asks);
  }
  const sorted = (side: Map<string, string>, desc: boolean) =>
    [...side].sort((a, b) => (Number(a[0]) - Number(b[0])) * (desc ? -1 : 1));
  return { bids: sorted(bids, true), asks: sorted(asks, false) };
}

Deno.test("a sequence gap is counted, reported and repaired by resubscribing; a reconnect subscribes every channel again, one message each", async () => {
  const clock = new ManualClock(START);
  const channels = ["candles", "market_trades", "level2", "ticker"];
  await using s = await startAdvancedStack({
    sim: { clock, products: PRODUCTS },
    env: {
      COINBASE_ADV_PRODUCTS: PRODUCTS.join(","),
      COINBASE_ADV_CHANNELS: channels.join(","),
    },
  });
  const { sim } = s;
  const subscribed = (id: number) => {
    const subs = sim.clients().find((c) => c.id === id)?.subscriptions;
    return subs !== undefined && subs.heartbeats !== undefined &&
      channels.every((c) => subs[c]?.length === 2);
  };
  await waitFor("every channel subscribed", () => subscribed(1));
  await advance(clock, 5_000);
  await s.settled();
  sim.loseMessages(3);
  // Time stands still until the resubscription's snapshots are in, so they
  // still hold the trades of the lost messages (the last 50 trades).
  await advance(clock, 1_000);
  await waitFor("the gap counted", () => s.venue().stats.gaps === 1);
  assert.equal(s.venue().stats.missed, 3);
  // The resubscription: unsubscribe and subscribe again for each data channel.
  await waitFor("resubscribed", () => {
    const received = sim.clients()[0]!.received;
    return channels.every((c) =>
      received.filter((m) => m.type === "subscribe" && m.channel === c)
        .length === 2
    );
  });
  await s.settled();
  const unsubscribed = sim.clients()[0]!.received.filter((m) =>
    m.type === "unsubscribe"
  ).map((m) => m.channel).sort();
  assert.deepEqual(unsubscribed, [...channels].sort());
  await advance(clock, 2_000);

  sim.dropConnections();
  await waitFor("reconnected and subscribed", () => subscribed(2));
  const again = sim.clients().find((c) => c.id === 2)!.received;
  assert.deepEqual(
    again.map((m) => m.channel).sort(),
    ["heartbeats", ...channels].sort(),
    "one subscribe message per channel",
  );
  assert.ok(again.every((m) => m.type === "subscribe" && !("channels" in m)));
  await advance(clock, 5_000);
  sim.pause();
  await s.settled();
  const events = await allEvents(s.eventsPath, emittedBy(s));

  const gaps = ofKind(events, "status").filter((e) => e.state === "gap");
  assert.equal(gaps.length, 1);
  assert.match(gaps[0]!.detail, /missed 3 messages/);
  for (const product of PRODUCTS) {
    const resyncs = ofKind(events, "status", product).filter((e) =>
      e.state === "resync"
    );
    assert.equal(
      resyncs.length,
      2,
      `${product}: after the gap and the reconnect`,
    );
    assert.deepEqual(replay(events, product), sim.book(product));
    // Trades lost with the messages came back in the resubscription's
    // snapshot (after newer ones: compared by id); repeats were dropped.
    const trades = ofKind(events, "trade", product).sort((a, b) =>
      Number(a.tradeId) - Number(b.tradeId)
    );
    const truth = sim.trades(product);
    const first = truth.findIndex((t) => t.trade_id === trades[0]!.tradeId);
    assert.ok(first >= 0);
    assert.deepEqual(
      trades.map((t) => [t.tradeId, t.price, t.size, t.side]),
      truth.slice(first).map((t) => [
        t.trade_id,
        t.price,
        t.size,
        t.side === "BUY" ? "sell" : "buy",
      ]),
    );
    const closed = ofKind(events, "candle", product).filter((c) => c.closed);
    assert.equal(new Set(closed.map((c) => c.openTime)).size, closed.length);
  }
});
