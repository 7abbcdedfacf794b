/**
 * The Bybit private stream end to end: authentication with the simulator's
 * HMAC check, orders and fills to order events, wallet and positions to the
 * balances route; and a wrong secret, run as a subprocess so every log line
 * can be searched for it.
 */

import assert from "node:assert/strict";
import type { OrderEvent } from "../src/core/events.ts";
import { BybitSimulator, DEFAULT_API_KEYS } from "../src/simulator/bybit.ts";
import type { BalanceEntry } from "../src/sinks/balances.ts";
import { createStore } from "../src/store/create.ts";
import { startBybitStack } from "./_bybit_harness.ts";
import {
  readEvents,
  startGatewayProcess,
  tickgate,
  waitFor,
} from "./_harness.ts";

const KEY = DEFAULT_API_KEYS[0]!;
const API_KEY = "gateway-api-key-for-tests";

async function balances(port: number): Promise<BalanceEntry[]> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/balances`, {
    headers: { "X-API-Key": API_KEY },
  });
  assert.equal(res.status, 200);
  return (await res.json()).data;
}

Deno.test("bybit private: valid auth; orders and fills become order events, wallet and position the balances", async () => {
  await using s = await startBybitStack({
    env: {
      BYBIT_CATEGORY: "linear",
      BYBIT_SYMBOLS: "BTCUSDT",
      BYBIT_API_KEY: KEY.apiKey,
      BYBIT_API_SECRET: KEY.apiSecret,
      API_KEY,
    },
  });
  const { sim, gw } = s;
  const priv = () =>
    sim.clients.find((c) => c.category === "private" && !c.closed);
  await waitFor(
    "authenticated and subscribed",
    () => priv()?.authenticated === true && priv()!.topics.length === 4,
  );
  assert.deepEqual([...priv()!.topics].sort(), [
    "execution",
    "order",
    "position",
    "wallet",
  ]);
  // The wallet topic sends only changes: the balances come from REST at auth.
  const start = sim.wallet();
  await waitFor(
    "the wallet snapshot",
    async () => (await balances(gw.port)).length === start.length,
  );
  // A dropped private connection authenticates and subscribes again.
  const firstPrivate = priv()!;
  sim.dropConnections("/v5/private");
  await waitFor(
    "authenticated again",
    () =>
      priv() !== undefined && priv()!.id > firstPrivate.id &&
      priv()!.authenticated && priv()!.topics.length === 4,
  );
  const orderId = sim.placeOrder({
    category: "linear",
    symbol: "BTCUSDT",
    side: "Buy",
    qty: "0.5",
    orderType: "Market",
    orderLinkId: "my-order-1",
  });
  sim.fillOrder(orderId, "0.2");
  sim.fillOrder(orderId);
  const final = sim.orders().get(orderId)!;
  assert.equal(final.orderStatus, "Filled");
  const wallet = sim.wallet();
  const position = sim.privateFrames().filter((f) => f.topic === "position").at(
    -1,
  )!
    .data[0]!;
  await waitFor(
    "balances equal the simulator's wallet and position",
    async () => {
      const got = await balances(gw.port);
      const coins = wallet.every((w) =>
        got.some((b) =>
          b.account === "UNIFIED" && b.coin === w.coin &&
          b.total === w.walletBalance && b.locked === w.locked
        )
      );
      const pos = got.find((b) => b.account === "position:linear");
      return coins && pos !== undefined && pos.total === position.size &&
        pos.entryPrice === (position.entryPrice ?? position.avgPrice);
    },
  );
  const served = await balances(gw.port);
  await gw.stop();
  // Persisted: the store under DATA_DIR holds exactly what was served.
  const store = await createStore({ dataDir: s.dir });
  await store.open();
  const stored = await store.loadBalances();
  await store.close();
  const key = (b: BalanceEntry) => `${b.account}/${b.coin}`;
  assert.deepEqual(
    stored.sort((a, b) => key(a).localeCompare(key(b))),
    served.sort((a, b) => key(a).localeCompare(key(b))),
  );
  const events = await readEvents(s.eventsPath);
  const orders = events.filter((e): e is OrderEvent =>
    e.kind === "order" && e.orderId === orderId
  );
  const updates = orders.filter((o) => o.execId === undefined);
  const fills = orders.filter((o) => o.execId !== undefined);
  assert.deepEqual(updates.map((o) => o.status), [
    "new",
    "partially_filled",
    "filled",
  ]);
  const last = updates.at(-1)!;
  assert.deepEqual(
    [
      last.clientOrderId,
      last.side,
      last.orderType,
      last.size,
      last.filledSize,
      last.avgPrice,
      last.symbol,
    ],
    [
      final.orderLinkId,
      "buy",
      "market",
      final.qty,
      final.cumExecQty,
      final.avgPrice,
      "BTC-USDT-PERP",
    ],
  );
  const executions = sim.privateFrames().filter((f) => f.topic === "execution")
    .flatMap((f) => f.data);
  assert.deepEqual(
    fills.map((
      o,
    ) => [o.execId, o.execPrice, o.execSize, o.fee, o.liquidity, o.status]),
    executions.map((x) => [
      x.execId,
      x.execPrice,
      x.execQty,
      x.execFee,
      x.isMaker ? "maker" : "taker",
      Number(x.leavesQty) === 0 ? "filled" : "partially_filled",
    ]),
  );
  assert.ok(
    events.some((e) => e.kind === "balance" && e.account === "UNIFIED"),
  );
});

Deno.test("bybit private: a wrong secret opens the breaker, /health explains, and no log line, body or config output holds a credential", async () => {
  const sim = await BybitSimulator.start({ tradesPerSecond: 10 });
  const secret = "wrong-secret-Zq81vXk3";
  const env = {
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "debug",
    SUMMARY_INTERVAL_SEC: "1",
    HEALTH_GRACE_SEC: "0",
    VENUES: "bybit",
    BYBIT_WS_URL: sim.url,
    BYBIT_REST_URL: sim.restUrl,
    BYBIT_API_KEY: KEY.apiKey,
    BYBIT_API_SECRET: secret,
    RECONNECT_BASE_MS: "10",
    RECONNECT_MAX_MS: "20",
    BREAKER_COOLDOWN_SEC: "1",
  };
  try {
    await using gw = await startGatewayProcess(env);
    const { port } = gw;
    let health: Record<string, unknown> = {};
    await waitFor("health explains", async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      health = await res.json();
      return res.status === 503 &&
        (health.problems as string[]).includes(
          "bybit private: authentication failed (Params Error)",
        );
    });
    type Conn = { state: string; detail: string };
    const venues = health.venues as Record<string, { connections: Conn[] }>;
    const conns = venues.bybit?.connections ?? [];
    const privateConn = conns.find((c) => c.state === "breaker-open");
    assert.ok(privateConn, JSON.stringify(conns));
    assert.match(privateConn.detail, /authentication failed.*probing in 300 s/);
    assert.ok(
      conns.some((c) => c.state === "open"),
      "the public stream keeps running",
    );
    // No tight loop: over 2 s (the usual cooldown is 1 s here) one attempt only.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(sim.clients.filter((c) => c.category === "private").length, 1);
    const stats = await (await fetch(`http://127.0.0.1:${port}/stats`)).text();
    const texts = [JSON.stringify(health), stats];
    assert.equal(await gw.stop(), 0);
    const logs = gw.logs();
    texts.push(logs);
    const config = await tickgate(["check-config"], env).output();
    texts.push(
      new TextDecoder().decode(config.stdout),
      new TextDecoder().decode(config.stderr),
    );
    assert.match(logs, /private stream authentication failed: Params Error/);
    for (const text of texts) {
      assert.equal(text.includes(secret), false);
      assert.equal(text.includes(KEY.apiKey), false);
    }
  } finally {
    await sim.close();
  }
});
