/**
 * The HTTP API of a gateway fed by the simulator: health transitions,
 * stale-connection replacement, stats, metrics, pairs and latest state.
 */

import assert from "node:assert/strict";
import { startStack, waitFor } from "./_harness.ts";

async function get(port: number, path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  const type = res.headers.get("content-type") ?? "";
  const body = type.includes("json") ? await res.json() : await res.text();
  return { status: res.status, body };
}

Deno.test("e2e: /health goes 200 → 503 → 200 as the simulator stalls and recovers", async () => {
  await using s = await startStack({
    env: { HEALTH_STALE_SEC: "1", WS_STALE_SEC: "0" },
  });
  const port = s.gw.port;
  await waitFor(
    "healthy",
    async () => (await get(port, "/health")).status === 200,
  );
  const ok = await get(port, "/health");
  assert.equal(ok.body.status, "ok");
  assert.equal(ok.body.venues.coinbase.live, true);
  assert.equal(ok.body.venues.coinbase.connections[0].state, "open");

  s.sim.stall(4_000);
  await waitFor(
    "unhealthy",
    async () => (await get(port, "/health")).status === 503,
  );
  const bad = await get(port, "/health");
  assert.equal(bad.body.status, "unhealthy");
  assert.match(
    bad.body.problems[0],
    /^coinbase: no connection delivered a frame in the last 1 s$/,
  );
  assert.equal(bad.body.venues.coinbase.live, false);

  await waitFor(
    "healthy again",
    async () => (await get(port, "/health")).status === 200,
  );
  // Stale detection was off: the same connection came back to life.
  assert.equal(s.sim.totalConnections, 1);
});

Deno.test("e2e: a stalled connection is replaced by stale detection and data resumes", async () => {
  await using s = await startStack({ env: { WS_STALE_SEC: "1" } });
  const venue = s.gw.venues[0]!;
  await waitFor("trades", () => venue.stats.events.trade >= 5);
  s.sim.stall(2_500);
  await waitFor(
    "a stale reconnect",
    () => venue.session.connections[0]!.stats.staleReconnects >= 1,
  );
  await waitFor("a new connection", () => s.sim.totalConnections >= 2);
  const trades = venue.stats.events.trade;
  await waitFor(
    "trades after recovery",
    () => venue.stats.events.trade >= trades + 5,
  );
});

Deno.test("e2e: /stats, /metrics, /pairs and /api/v1/latest reflect the stream", async () => {
  await using s = await startStack({
    env: { COINBASE_CHANNELS: "ticker,matches,heartbeat,status" },
  });
  const port = s.gw.port;
  const stats = s.gw.venues[0]!.stats;
  await waitFor(
    "trades and tickers",
    () => stats.events.trade >= 20 && stats.events.ticker >= 5,
  );

  const st = (await get(port, "/stats")).body;
  assert.ok(st.venues.coinbase.frames > 0);
  assert.ok(st.venues.coinbase.events.trade >= 20);
  assert.equal(st.venues.coinbase.connections[0].state, "open");
  assert.deepEqual(
    Object.keys(st.venues.coinbase.connections[0].acked).sort(),
    [
      "heartbeat",
      "matches",
      "status",
      "ticker",
    ],
  );
  assert.equal(st.pairs.count, 2);
  assert.ok(st.sinks["file-1"].published >= 0);

  const metrics = (await get(port, "/metrics")).body as string;
  const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? NaN);
  assert.ok(value(/^websocket_messages_processed (\d+)$/m) > 0);
  assert.ok(
    value(/^websocket_messages_by_symbol\{symbol="BTC-USD"\} (\d+)$/m) > 0,
  );
  assert.ok(
    value(/^websocket_messages_by_symbol\{symbol="ETH-USD"\} (\d+)$/m) > 0,
  );
  assert.equal(value(/^websocket_connection_errors (\d+)$/m), 0);
  const last = value(/^websocket_last_message_timestamp_seconds ([\d.]+)$/m);
  assert.ok(Math.abs(last - Date.now() / 1000) < 60);
  assert.ok(value(/^message_processing_seconds_count (\d+)$/m) > 0);
  assert.ok(
    value(/^tickgate_events_total\{venue="coinbase",kind="trade"\} (\d+)$/m) >=
      20,
  );
  assert.equal(
    value(
      /^tickgate_connection_up\{venue="coinbase",connection="coinbase-0"\} (\d+)$/m,
    ),
    1,
  );

  const pairs = (await get(port, "/pairs")).body;
  assert.deepEqual(
    pairs.venues.coinbase.map((p: { symbol: string }) => p.symbol),
    [
      "BTC-USD",
      "ETH-USD",
    ],
  );
  // The status channel reports each product's trading status.
  await waitFor("product status", () => stats.symbolStatus.size > 0);
  const pairs2 = (await get(port, "/pairs")).body;
  assert.equal(pairs2.venues.coinbase[0].status, "online");

  const latest = (await get(port, "/api/v1/latest?symbols=BTC-USD")).body;
  assert.deepEqual(latest.missing, []);
  const [btc] = latest.data;
  assert.equal(btc.venue, "coinbase");
  assert.match(btc.lastTrade.price, /^\d+\.\d{2}$/);
  assert.ok(Number(btc.bid) < Number(btc.ask));
  assert.equal(btc.quoteSource, "ticker");
});
