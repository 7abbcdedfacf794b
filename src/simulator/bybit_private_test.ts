import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { hmacHex } from "./bybit_auth.ts";
import {
  authArgs,
  bybitTest,
  type Json,
  KEY,
  replies,
  request,
} from "./bybit_test_util.ts";

const clock = new ManualClock(1_700_000_000_000);

bybitTest(
  "private auth: valid, bad signature, expired, unknown key; subscribe needs auth",
  {
    now: () => clock.now(),
  },
  async (sim, connect) => {
    const c = await connect("/v5/private");
    const early = await request(c, {
      op: "subscribe",
      args: ["order"],
      req_id: "early",
    });
    const conn_id = early.conn_id;
    assert.match(String(conn_id), /^[0-9a-v]{20}-[a-v][0-9a-v]?$/);
    assert.deepEqual(early, {
      req_id: "early",
      success: false,
      ret_msg: "Request not authorized",
      op: "subscribe",
      conn_id,
    });
    assert.deepEqual(sim.clients[0]?.topics, []);
    const [key, expires, sign] = await authArgs(clock.now() + 1000);
    const bad = `${String(sign).slice(0, -1)}${
      String(sign).endsWith("0") ? "1" : "0"
    }`;
    assert.deepEqual(
      await request(c, { op: "auth", args: [key, expires, bad] }),
      {
        success: false,
        ret_msg: "Params Error",
        op: "auth",
        conn_id,
      },
    );
    assert.equal(
      (await request(c, { op: "auth", args: await authArgs(clock.now() - 1) }))
        .ret_msg,
      "Params Error",
    );
    const stranger = await authArgs(clock.now() + 1000, "s", "nobody");
    assert.equal(
      (await request(c, { op: "auth", args: stranger })).ret_msg,
      "API key is invalid.",
    );
    assert.equal(sim.clients[0]?.authenticated, false);
    const ok = await request(c, {
      op: "auth",
      args: await authArgs(String(clock.now() + 1000)),
      req_id: "a1",
    });
    assert.deepEqual(ok, {
      req_id: "a1",
      success: true,
      ret_msg: "",
      op: "auth",
      conn_id,
    });
    assert.equal(sim.clients[0]?.authenticated, true);
    assert.deepEqual(
      await request(c, { op: "subscribe", args: ["order", "wallet"] }),
      {
        success: true,
        ret_msg: "",
        op: "subscribe",
        conn_id,
      },
    );
    const mixed = await request(c, {
      op: "subscribe",
      args: ["execution", "order.spot"],
    });
    assert.equal(mixed.success, false);
    assert.deepEqual(sim.clients[0]?.topics, ["order", "wallet"]);
    const unknown = await request(c, {
      op: "subscribe",
      args: ["greeks.x", "execution.spot"],
    });
    assert.equal(unknown.ret_msg, "error:handler not found,topic:greeks.x");
    assert.deepEqual(sim.clients[0]?.topics, [
      "order",
      "wallet",
      "execution.spot",
    ]);
    assert.deepEqual(await request(c, { op: "ping", req_id: "p" }), {
      req_id: "p",
      op: "pong",
      args: [String(clock.now())],
      conn_id,
    });
    assert.equal(replies(c).length, 9);
  },
);

bybitTest(
  "REST wallet-balance: signed request, bad key, bad sign, stale timestamp",
  {
    now: () => clock.now(),
  },
  async (sim) => {
    const get = async (query: string, headers: Record<string, string>) => {
      const res = await fetch(
        `${sim.restUrl}/v5/account/wallet-balance?${query}`,
        { headers },
      );
      assert.equal(res.status, 200);
      return await res.json() as Json;
    };
    const signed = async (
      query: string,
      ts = clock.now(),
      secret = KEY.apiSecret,
    ) => ({
      "X-BAPI-API-KEY": KEY.apiKey,
      "X-BAPI-TIMESTAMP": String(ts),
      "X-BAPI-RECV-WINDOW": "5000",
      "X-BAPI-SIGN": await hmacHex(secret, `${ts}${KEY.apiKey}5000${query}`),
    });
    const ok = await get(
      "accountType=UNIFIED",
      await signed("accountType=UNIFIED"),
    );
    assert.equal(ok.retCode, 0);
    assert.equal(ok.retMsg, "OK");
    assert.equal(ok.time, clock.now());
    assert.deepEqual(ok.retExtInfo, {});
    const [account] = (ok.result as { list: Json[] }).list;
    assert.equal(account?.accountType, "UNIFIED");
    assert.deepEqual(
      (account?.coin as Json[]).map((c) => [c.coin, c.walletBalance, c.locked]),
      [
        ["USDT", "100000", "0"],
        ["BTC", "2", "0"],
      ],
    );
    const one = await get(
      "accountType=UNIFIED&coin=BTC",
      await signed("accountType=UNIFIED&coin=BTC"),
    );
    assert.deepEqual(
      ((one.result as { list: Json[] }).list[0]?.coin as Json[]).map((c) =>
        c.coin
      ),
      ["BTC"],
    );
    const badSign = await get(
      "accountType=UNIFIED",
      await signed("accountType=UNIFIED", clock.now(), "wrong"),
    );
    assert.equal(badSign.retCode, 10004);
    assert.equal(
      badSign.retMsg,
      `error sign! origin_string[${clock.now()}${KEY.apiKey}5000accountType=UNIFIED]`,
    );
    assert.ok(!String(badSign.retMsg).includes(KEY.apiSecret));
    const badKey = await get("accountType=UNIFIED", {
      ...await signed("accountType=UNIFIED"),
      "X-BAPI-API-KEY": "nobody",
    });
    assert.deepEqual([badKey.retCode, badKey.retMsg], [
      10003,
      "API key is invalid.",
    ]);
    const stale = await get(
      "accountType=UNIFIED",
      await signed("accountType=UNIFIED", clock.now() - 6000),
    );
    assert.equal(stale.retCode, 10002);
  },
);
