import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { BybitOrderError } from "./bybit.ts";
import {
  authed,
  bybitTest,
  coinOf,
  type Json,
  lastPush,
  pushes,
  units,
} from "./bybit_test_util.ts";

const clock = new ManualClock(1_700_000_000_000);

bybitTest(
  "spot order → partial fill → fill: order, execution and wallet agree with wallet()",
  {
    now: () => clock.now(),
  },
  async (sim, connect) => {
    const all = await authed(
      connect,
      ["order", "execution", "wallet"],
      clock.now() + 5000,
    );
    const scoped = await authed(connect, [
      "order.spot",
      "execution.spot",
      "wallet",
    ], clock.now() + 5000);
    const id = sim.placeOrder({
      symbol: "BTCUSDT",
      side: "Buy",
      qty: "0.01",
      price: "60000",
      orderLinkId: "mine",
    });
    await all.until(() => pushes(all).length === 2, "order + wallet");
    assert.deepEqual(pushes(all).map((f) => f.topic), ["order", "wallet"]);
    const placed = lastPush(all, "order");
    assert.equal(placed.orderId, id);
    assert.equal(placed.orderLinkId, "mine");
    assert.equal(placed.orderStatus, "New");
    assert.equal(placed.price, "60000.00");
    assert.equal(placed.qty, "0.010000");
    assert.equal(placed.leavesQty, "0.010000");
    assert.equal(coinOf(lastPush(all, "wallet"), "USDT").locked, "600");
    assert.deepEqual(sim.wallet().find((c) => c.coin === "USDT"), {
      coin: "USDT",
      walletBalance: "100000",
      locked: "600",
      equity: "100000",
    });

    sim.fillOrder(id, "0.004");
    await all.until(() => pushes(all).length === 5, "execution, order, wallet");
    assert.deepEqual(pushes(all).slice(2).map((f) => f.topic), [
      "execution",
      "order",
      "wallet",
    ]);
    const x = lastPush(all, "execution");
    assert.equal(x.execQty, "0.004000");
    assert.equal(x.execPrice, "60000.00");
    assert.equal(x.execValue, "240");
    assert.equal(x.execFee, "0.000004");
    assert.equal(x.feeCurrency, "BTC");
    assert.equal(x.isMaker, true);
    assert.equal(x.leavesQty, "0.006000");
    assert.equal(x.orderId, id);
    const partial = lastPush(all, "order");
    assert.equal(partial.orderStatus, "PartiallyFilled");
    assert.equal(partial.cumExecQty, "0.004000");
    assert.equal(partial.avgPrice, "60000");
    assert.equal(partial.leavesQty, "0.006000");
    const w1 = lastPush(all, "wallet");
    assert.deepEqual([
      coinOf(w1, "USDT").walletBalance,
      coinOf(w1, "USDT").locked,
    ], ["99760", "360"]);
    assert.equal(coinOf(w1, "BTC").walletBalance, "2.003996");

    sim.fillOrder(id);
    await all.until(() => pushes(all).length === 8, "the final fill");
    const filled = lastPush(all, "order");
    assert.equal(filled.orderStatus, "Filled");
    assert.equal(filled.cumExecQty, "0.010000");
    assert.equal(filled.cumExecValue, "600");
    assert.equal(filled.cumExecFee, "0.00001");
    assert.equal(filled.leavesQty, "0.000000");
    const wallet = sim.wallet();
    assert.deepEqual(wallet, [
      { coin: "USDT", walletBalance: "99400", locked: "0", equity: "99400" },
      { coin: "BTC", walletBalance: "2.00999", locked: "0", equity: "2.00999" },
    ]);
    const w2 = lastPush(all, "wallet");
    for (const c of wallet) {
      assert.equal(coinOf(w2, c.coin).walletBalance, c.walletBalance);
      assert.equal(coinOf(w2, c.coin).locked, c.locked);
      assert.equal(coinOf(w2, c.coin).equity, c.equity);
    }
    assert.equal(w2.accountType, "UNIFIED");
    const usd = (w2.coin as Json[]).reduce(
      (s, c) => s + units(c.usdValue as string),
      0n,
    );
    assert.equal(units(w2.totalEquity as string), usd);
    assert.deepEqual(sim.orders().get(id), filled);

    await scoped.until(() => pushes(scoped).length === 8, "categorised pushes");
    assert.deepEqual(pushes(scoped).map((f) => f.topic), [
      "order.spot",
      "wallet",
      "execution.spot",
      "order.spot",
      "wallet",
      "execution.spot",
      "order.spot",
      "wallet",
    ]);
    assert.deepEqual(
      pushes(scoped).map((f) => f.data),
      pushes(all).map((f) => f.data),
    );
    for (const f of pushes(all)) {
      assert.deepEqual(Object.keys(f), ["id", "topic", "creationTime", "data"]);
      assert.equal(f.creationTime, clock.now());
    }
    const sent = sim.privateFrames();
    assert.deepEqual(sent.filter((f) => !f.topic.includes(".")), pushes(all));
    assert.equal(sent.length, 8 + 5); // one `wallet` frame serves both clients
  },
);

bybitTest("linear: fills move the position and realise exact PnL minus fees", {
  now: () => clock.now(),
}, async (sim, connect) => {
  sim.pause();
  const c = await authed(
    connect,
    ["order", "execution", "wallet", "position"],
    clock.now() + 5000,
  );
  const open = sim.placeOrder({
    category: "linear",
    symbol: "BTCUSDT",
    side: "Buy",
    qty: "0.010",
    price: "60000.00",
  });
  await c.until(() => pushes(c).length === 3, "order, wallet, position");
  assert.equal(lastPush(c, "position").size, "0.000");
  assert.equal(coinOf(lastPush(c, "wallet"), "USDT").totalOrderIM, "60");
  sim.fillOrder(open);
  await c.until(
    () => pushes(c).length === 7,
    "execution, order, wallet, position",
  );
  assert.deepEqual(pushes(c).slice(3).map((f) => f.topic), [
    "execution",
    "order",
    "wallet",
    "position",
  ]);
  const x = lastPush(c, "execution");
  assert.deepEqual([
    x.category,
    x.execValue,
    x.execFee,
    x.feeRate,
    x.closedSize,
  ], ["linear", "600", "0.12", "0.0002", "0.000"]);
  const pos = lastPush(c, "position");
  assert.deepEqual([pos.side, pos.size, pos.entryPrice, pos.seq], [
    "Buy",
    "0.010",
    "60000",
    x.seq,
  ]);
  const usdt = coinOf(lastPush(c, "wallet"), "USDT");
  assert.equal(usdt.walletBalance, "99999.88");
  assert.equal(
    units(usdt.equity as string) - units(usdt.walletBalance as string),
    units(pos.unrealisedPnl as string),
  );
  assert.equal(usdt.totalPositionIM, "60");
  assert.equal(usdt.totalOrderIM, "0");
  const close = sim.placeOrder({
    category: "linear",
    symbol: "BTCUSDT",
    side: "Sell",
    qty: "0.010",
    price: "60100.00",
  });
  sim.fillOrder(close);
  await c.until(() => pushes(c).length === 14, "the closing fill");
  const x2 = lastPush(c, "execution");
  assert.equal(x2.closedSize, "0.010");
  assert.equal(x2.execFee, "0.1202");
  assert.equal(x2.execPnl, "0.8798"); // 1.00 profit − 0.1202 fee
  const flat = lastPush(c, "position");
  assert.deepEqual([flat.side, flat.size, flat.unrealisedPnl], [
    "",
    "0.000",
    "0",
  ]);
  assert.equal(flat.cumRealisedPnl, "0.7598");
  assert.deepEqual(sim.wallet().find((w) => w.coin === "USDT"), {
    coin: "USDT",
    walletBalance: "100000.7598",
    locked: "0",
    equity: "100000.7598",
  });
});

bybitTest("cancel releases the lock; bad requests throw typed errors", {
  now: () => clock.now(),
}, async (sim, connect) => {
  const c = await authed(connect, ["order", "wallet"], clock.now() + 5000);
  const id = sim.placeOrder({
    symbol: "BTCUSDT",
    side: "Sell",
    qty: "0.5",
    price: "70000",
  });
  assert.equal(sim.wallet().find((w) => w.coin === "BTC")?.locked, "0.5");
  sim.cancelOrder(id);
  await c.until(() => pushes(c).length === 4, "cancel pushes");
  assert.equal(lastPush(c, "order").orderStatus, "Cancelled");
  assert.equal(coinOf(lastPush(c, "wallet"), "BTC").locked, "0");
  assert.equal(sim.orders().get(id)?.orderStatus, "Cancelled");
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof BybitOrderError);
      return e.code;
    }
    return "no error";
  };
  assert.equal(code(() => sim.fillOrder(id)), "not-open");
  assert.equal(code(() => sim.fillOrder("nope")), "unknown-order");
  assert.equal(
    code(() =>
      sim.placeOrder({
        symbol: "BTCUSDT",
        side: "Sell",
        qty: "3",
        price: "70000",
      })
    ),
    "insufficient-balance",
  );
  assert.equal(
    code(() =>
      sim.placeOrder({
        symbol: "BTCUSDT",
        side: "Buy",
        qty: "0.0000001",
        price: "1",
      })
    ),
    "bad-qty",
  );
  assert.equal(
    code(() =>
      sim.placeOrder({
        category: "linear",
        symbol: "BTCUSDT",
        side: "Buy",
        qty: "1",
        price: "60000.05",
      })
    ),
    "bad-price",
  );
  assert.equal(
    code(() => sim.placeOrder({ symbol: "DOGEUSDT", side: "Buy", qty: "1" })),
    "unknown-symbol",
  );
});
