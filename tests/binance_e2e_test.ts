/**
 * Binance end to end: simulator (WebSocket + REST + CoinGecko) → tickgate →
 * NDJSON file and the latest store, read back and compared with the
 * simulator's truth.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ManualClock } from "../src/core/clock.ts";
import type { BookEvent } from "../src/core/events.ts";
import { syntheticMarkets } from "../src/simulator/binance.ts";
import {
  DEFAULT_MARKETS,
  defaultCoins,
} from "../src/simulator/binance_assets.ts";
import { readEvents, waitFor } from "./_harness.ts";
import {
  checkTrades,
  startBinanceStack,
  tradesBySymbol,
} from "./_binance_harness.ts";

Deno.test("e2e binance: 300 pairs at 50 per connection → 6 connections; every pair's trades arrive once", async () => {
  const markets = syntheticMarkets(300);
  const natives = markets.map((m) => `${m.base}${m.quote}`);
  await using s = await startBinanceStack({
    sim: { markets, tradesPerSecond: 2 },
    env: { BINANCE_PAIRS: natives.join(","), PAIRS_PER_CONNECTION: "50" },
  });
  const v = s.venue();
  await waitFor(
    "trades of every pair",
    () => natives.every((n) => (v.stats.bySymbol.get(n)?.frames ?? 0) >= 2),
    30_000,
  );
  const conns = v.session.connections;
  assert.equal(conns.length, 6);
  for (const c of conns) assert.equal(v.session.streamsOf(c.id).length, 50);
  const open = s.sim.clients.filter((c) => c.closed === undefined);
  assert.equal(open.length, 6);
  for (const c of open) assert.equal(c.streams.length, 50);
  await s.gw.stop();
  const trades = tradesBySymbol(await readEvents(s.eventsPath));
  assert.equal(trades.size, 300);
  for (const n of natives) checkTrades(s.sim, n, trades.get(n) ?? []);
  assert.equal(v.stats.gaps, 0);
  const pairs = v.definition.pairs();
  assert.equal(pairs[0]?.symbol, `${markets[0]!.base}-USDT`);
});

Deno.test("e2e binance: depth — the local book equals the simulator's after thousands of updates and a resync", async () => {
  const natives = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];
  await using s = await startBinanceStack({
    env: {
      BINANCE_PAIRS: natives.join(","),
      BINANCE_STREAMS: "depth",
      BINANCE_DEPTH_LIMIT: "100",
    },
  });
  const v = s.venue();
  const levelsApplied = async () => {
    let n = 0;
    for (const e of await readEvents(s.eventsPath)) {
      if (e.kind === "book" && e.type === "delta") {
        n += e.bids.length + e.asks.length;
      }
    }
    return n;
  };
  await waitFor(
    "books synced",
    () =>
      natives.every((n) =>
        s.gw.store.book("binance", n.replace("USDT", "-USDT")) !== undefined
      ),
    20_000,
  );
  const statusesOf = async (symbol: string) =>
    (await readEvents(s.eventsPath)).filter((e) =>
      e.kind === "status" && e.symbol === symbol
    ).map((e) => (e as { state: string }).state);
  // The simulator drops the next diff it sends. Right after a sync that diff
  // can hold only ids the REST snapshot already has (taken after they
  // happened, before the stream sent them): the book then lacks nothing and
  // no gap is due. Once a streamed delta went past the snapshot, the dropped
  // diff surely holds ids the book lacks.
  const ethSequence = () =>
    s.gw.store.book("binance", "ETH-USDT")?.sequence ?? 0;
  const synced = ethSequence();
  await waitFor(
    "a delta past ETHUSDT's snapshot",
    () => ethSequence() > synced,
  );
  s.sim.injectDepthGap("ETHUSDT");
  // The "connected" status counts in events.status: wait for the resync itself.
  await waitFor(
    "a gap and its resync",
    async () =>
      v.stats.gaps >= 1 && (await statusesOf("ETH-USDT")).includes("resync"),
    20_000,
  );
  await waitFor(
    "thousands of level updates",
    async () => await levelsApplied() >= 2_000,
    60_000,
  );
  s.sim.pause();
  for (const n of natives) {
    const symbol = n.replace("USDT", "-USDT");
    const truth = s.sim.book(n);
    await waitFor(
      `${n} caught up`,
      () => s.gw.store.book("binance", symbol)?.sequence === truth.lastUpdateId,
    );
    const local = s.gw.store.book("binance", symbol)!;
    assert.deepEqual(local.bids, truth.bids, `${n} bids`);
    assert.deepEqual(local.asks, truth.asks, `${n} asks`);
  }
  assert.equal(v.stats.gaps, 1);
  assert.deepEqual(await statusesOf("ETH-USDT"), ["gap", "resync"]);
  const events = await readEvents(s.eventsPath);
  // Deltas carry the update ids and follow each other without a hole,
  // except across the one resync.
  const eth = events.filter((e): e is BookEvent =>
    e.kind === "book" && e.symbol === "ETH-USDT"
  );
  let holes = 0;
  for (let i = 1; i < eth.length; i++) {
    const prev = eth[i - 1]!;
    const e = eth[i]!;
    if (e.type === "snapshot") continue;
    if (prev.type === "delta" && e.firstSequence !== prev.sequence! + 1) {
      holes++;
    }
  }
  assert.equal(holes, 0, "a delta after a delta always starts at the next id");
});

Deno.test("e2e binance: the 24 h renewal (time injected) is make-before-break: nothing lost, nothing twice", async () => {
  const clock = new ManualClock(Date.now());
  const natives = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];
  await using s = await startBinanceStack({
    clock,
    sim: { tradesPerSecond: 40, now: () => clock.now() },
    env: { BINANCE_PAIRS: natives.join(","), WS_STALE_SEC: "0" },
  });
  const v = s.venue();
  const frames = () => v.stats.frames;
  await waitFor(
    "trades flowing",
    () => natives.every((n) => (v.stats.bySymbol.get(n)?.frames ?? 0) >= 5),
  );
  assert.deepEqual(v.session.connections.map((c) => c.id), ["binance-0"]);
  clock.advance(23 * 3600_000); // the renewal age
  await waitFor(
    "the successor delivers beside the old connection",
    () => (v.session.connections[1]?.stats.framesReceived ?? 0) > 20,
  );
  clock.advance(3_000); // the overlap
  await waitFor(
    "the successor took over",
    () => v.session.connections.map((c) => c.id).join() === "binance-1",
  );
  let mark = frames();
  await waitFor("trades on the successor", () => frames() >= mark + 50);
  // Past the old connection's 24 h: the simulator would cut it, had it stayed.
  clock.advance(3600_000 + 60_000);
  mark = frames();
  await waitFor("more trades", () => frames() >= mark + 50);
  await s.gw.stop();
  const trades = tradesBySymbol(await readEvents(s.eventsPath));
  for (const n of natives) checkTrades(s.sim, n, trades.get(n) ?? []);
  assert.equal(v.stats.gaps, 0);
  assert.ok(v.stats.duplicates > 0, "the overlap delivered trades twice");
  const [first, second] = s.sim.clients;
  assert.equal(s.sim.clients.length, 2, "one renewal, no reconnects");
  assert.equal(first?.closed?.code, 1000, "closed by tickgate, not cut");
  assert.ok(second!.openedAt < clock.now());
});

Deno.test("e2e binance: discovery — fallback while CoinGecko fails, then top-N applied live within the control rate limit", async () => {
  await using s = await startBinanceStack({
    sim: { tradesPerSecond: 5 },
    env: { PAIRS_LIMIT: "5", PAIRS_PER_CONNECTION: "4" },
    beforeStart: (sim) => sim.failCoingecko("500"),
  });
  const v = s.venue();
  const port = s.gw.port;
  const pairsOf = async () =>
    (await (await fetch(`http://127.0.0.1:${port}/pairs`)).json()).venues
      .binance as {
        nativeSymbol: string;
        source: string;
        connection: string;
      }[];
  // Every gateway connection is open, has sent everything, and a simulator
  // client carries exactly its streams; on timeout, both views say why.
  const keysOf = (id: string) =>
    v.session.streamsOf(id).map((x) => x.key).sort().join();
  const openClients = () =>
    s.sim.clients.filter((sc) => sc.closed === undefined);
  const inSync = async (what: string) => {
    try {
      await waitFor(
        what,
        () =>
          v.session.connections.every((c) =>
            c.state === "open" && c.stats.sendQueue === 0 &&
            openClients().some((sc) =>
              [...sc.streams].sort().join() === keysOf(c.id)
            )
          ),
        20_000,
      );
    } catch (e) {
      const gateway = v.session.connections.map((c) =>
        `${c.id} (${c.state}, sendQueue ${c.stats.sendQueue}, sent ${c.stats.framesSent}, connects ${c.stats.connects}): [${
          keysOf(c.id)
        }]`
      );
      const sim = s.sim.clients.map((sc) =>
        `client ${sc.id} ${sc.path} (${
          sc.closed ? `closed ${sc.closed.code} ${sc.closed.reason}` : "open"
        }): [${[...sc.streams].sort().join()}]`
      );
      throw new Error(
        `${(e as Error).message}\ngateway:\n  ${
          gateway.join("\n  ")
        }\nsimulator:\n  ${sim.join("\n  ")}`,
      );
    }
  };
  await waitFor("fallback pairs", () => v.definition.pairs().length === 3);
  assert.deepEqual(
    (await pairsOf()).map((p) => [p.nativeSymbol, p.source]),
    [["BTCUSDT", "fallback"], ["ETHUSDT", "fallback"], ["SOLUSDT", "fallback"]],
  );
  const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
  assert.ok(
    health.warnings.some((w: string) => /CoinGecko returned HTTP 500/.test(w)),
    JSON.stringify(health.warnings),
  );
  await waitFor("fallback trades", () => v.stats.events.trade > 0);

  s.sim.failCoingecko(null);
  await v.definition.refresh!();
  const top = await pairsOf();
  assert.deepEqual(top.map((p) => [p.nativeSymbol, p.source]), [
    ["BTCUSDT", "discovery"],
    ["ETHUSDT", "discovery"],
    ["BNBUSDT", "discovery"],
    ["SOLUSDT", "discovery"],
    ["XRPUSDT", "discovery"],
  ]);
  assert.equal(v.definition.pairs()[2]?.symbol, "BNB-USDT");
  // XRPUSDT took a second connection: once it is open, the rank changes
  // below all go out as control frames (not in a URL), more than the pacer
  // lets through at once.
  await inSync("the top 5 subscribed");
  // Rank changes in quick succession: each refresh is a diff of pairs.
  const base = defaultCoins(DEFAULT_MARKETS);
  const alts = ["DOGE", "TRX", "ADA", "AVAX", "LINK", "DOT", "LTC"];
  for (let k = 0; k < 6; k++) {
    s.sim.setCoins(
      base.map((c) =>
        c.symbol === alts[k]
          ? { ...c, marketCap: 2e12 }
          : c.symbol === alts[k + 1]
          ? { ...c, marketCap: 1.9e12 }
          : c
      ),
    );
    await v.definition.refresh!();
  }
  const expected = ["DOT", "LTC", "BTC", "ETH", "BNB", "SOL"].map((b) =>
    `${b}USDT`
  );
  assert.deepEqual(v.definition.pairs().map((p) => p.nativeSymbol), expected);
  // Every control frame reaches the simulator, paced: it cuts clients that
  // send more than 5 messages a second, and nothing reconnected.
  await inSync("control frames sent and acknowledged");
  for (const c of s.sim.clients) {
    assert.equal(c.closed, undefined, `client ${c.id} was not cut`);
  }
  for (const c of v.session.connections) assert.equal(c.stats.connects, 1);
  assert.ok(
    v.session.connections.reduce((n, c) => n + c.stats.framesSent, 0) > 10,
    "the changes were sent as SUBSCRIBE/UNSUBSCRIBE, more than 5 a second",
  );
  const final = await pairsOf();
  for (const p of final) assert.match(p.connection, /^binance-\d$/);
  await waitFor(
    "trades of a discovered pair",
    () => (v.stats.bySymbol.get("DOTUSDT")?.frames ?? 0) > 0,
  );
});

Deno.test("e2e binance: serverShutdown renews every connection without losing a trade", async () => {
  const natives = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"];
  await using s = await startBinanceStack({
    sim: { tradesPerSecond: 30 },
    env: { BINANCE_PAIRS: natives.join(","), PAIRS_PER_CONNECTION: "2" },
  });
  const v = s.venue();
  await waitFor("trades flowing", () => v.stats.events.trade > 40);
  s.sim.sendServerShutdown();
  await waitFor(
    "both connections renewed",
    () =>
      v.session.connections.map((c) => c.id).sort().join() ===
        "binance-2,binance-3",
    20_000,
  );
  const mark = v.stats.events.trade;
  await waitFor(
    "trades after the renewal",
    () => v.stats.events.trade > mark + 40,
  );
  await s.gw.stop();
  const trades = tradesBySymbol(await readEvents(s.eventsPath));
  for (const n of natives) checkTrades(s.sim, n, trades.get(n) ?? []);
  assert.equal(v.stats.gaps, 0);
  assert.equal(s.sim.clients.length, 4);
});
