/**
 * API subscriptions on Binance, end to end: a symbol outside `BINANCE_PAIRS`
 * subscribed over the API gets its unified symbol and its local order book
 * (REST snapshot + diffs), and goes away again when the last holder leaves.
 */

import assert from "node:assert/strict";
import { api } from "./_api_client.ts";
import { startBinanceStack, tradesBySymbol } from "./_binance_harness.ts";
import { readEvents, waitFor } from "./_harness.ts";

const KEY = "binance-e2e-key";

Deno.test("Binance: API subscriptions add trades and a synced book for a new symbol, live", async () => {
  await using stack = await startBinanceStack({
    env: { BINANCE_PAIRS: "BTCUSDT", BINANCE_STREAMS: "trade", API_KEY: KEY },
  });
  const { gw } = stack;
  const venue = stack.venue();
  await waitFor("BTCUSDT streamed", () => venue.session.desired.length === 1);
  const connections = venue.session.connections.map((c) => c.id);
  const post = (channel: string) =>
    api(gw.port, "POST", "/api/v1/subscriptions", {
      venue: "binance",
      channel,
      symbols: ["eth-usdt"],
      service: "svc",
    }, KEY);
  const trade = await post("trade");
  assert.equal(trade.status, 201, JSON.stringify(trade.body));
  assert.deepEqual(trade.body.symbols, ["ETHUSDT"]);
  const depth = await post("depth");
  assert.equal(depth.status, 201);
  await waitFor("ETHUSDT trades and a synced book", async () => {
    const events = await readEvents(stack.eventsPath);
    return (tradesBySymbol(events).get("ETHUSDT")?.length ?? 0) >= 3 &&
      events.some((e) =>
        e.kind === "book" && e.nativeSymbol === "ETHUSDT" &&
        e.type === "snapshot"
      );
  });
  const events = await readEvents(stack.eventsPath);
  const eth = tradesBySymbol(events).get("ETHUSDT")!;
  assert.ok(eth.every((t) => t.symbol === "ETH-USDT"), "unified symbol");
  assert.equal(
    (await api(
      gw.port,
      "GET",
      `/api/v1/subscriptions/${depth.body.id}`,
      undefined,
      KEY,
    )).body.status,
    "active",
  );
  const pairs = (await api(gw.port, "GET", "/pairs")).body.venues as Record<
    string,
    { symbol: string; source: string }[]
  >;
  assert.deepEqual(
    pairs.binance!.map((p) => `${p.symbol}:${p.source}`).sort(),
    ["BTC-USDT:explicit", "ETH-USDT:api"],
  );
  assert.deepEqual(
    venue.session.connections.map((c) => c.id),
    connections,
    "no new connection",
  );

  const streamsAtVenue = () =>
    stack.sim.clients.filter((c) => !c.closed).flatMap((c) => c.streams);
  assert.deepEqual(streamsAtVenue().sort(), [
    "btcusdt@trade",
    "ethusdt@depth@100ms",
    "ethusdt@trade",
  ]);
  const gone = await api(
    gw.port,
    "DELETE",
    "/api/v1/subscriptions/by-service/svc",
    undefined,
    KEY,
  );
  assert.equal(gone.body.count, 2);
  assert.deepEqual(venue.session.desired.map((s) => s.key), ["btcusdt@trade"]);
  // Observed at the simulator: the connection carries BTCUSDT only again.
  await waitFor(
    "the unsubscribe at the venue",
    () => streamsAtVenue().join() === "btcusdt@trade",
  );
});
