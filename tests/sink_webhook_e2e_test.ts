/**
 * HTTP webhook sink end to end: Coinbase simulator → gateway → `http://`
 * sink → a real test ingestion endpoint, compared with the truth file.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { subtractDecimal } from "../src/core/decimal.ts";
import type { NormalizedEvent } from "../src/core/events.ts";
import { VERSION } from "../src/version.ts";
import { sentOf, waitFor } from "./_harness.ts";
import { type SinkStack, startSinkStack } from "./_sink_harness.ts";
import { WebhookServer } from "./_webhook_server.ts";

const TOKEN = "e2e-webhook-token-5f1c";

type Envelope =
  & { event_type: string; event_id: string }
  & Record<
    string,
    unknown
  >;

function start(server: WebhookServer): Promise<SinkStack> {
  return startSinkStack({
    sink: `${server.origin}/ingest?kinds=ticker,trade&timeout_ms=500`,
    env: { WEBHOOK_TOKEN: TOKEN },
  });
}

/** Exchange times of the simulator's trades, by `product:trade_id`. */
function frameTimes(stack: SinkStack): Map<string, string> {
  const times = new Map<string, string>();
  for (const f of sentOf(stack.sim, "match", "last_match", "ticker")) {
    // The simulator writes 6 fraction digits; whole milliseconds read as 3.
    const time = String(f.time).replace(/(\.\d{3})000Z$/, "$1Z");
    times.set(`${f.product_id}:${f.trade_id}`, time);
  }
  return times;
}

/** The envelope the ingestion API must receive for a truth event. */
function expected(e: NormalizedEvent, times: Map<string, string>): Envelope {
  const source = {
    service: "tickgate",
    endpoint: `coinbase/${e.kind}`,
    method: "websocket",
    version: VERSION,
    environment: "production",
  };
  if (e.kind === "trade") {
    const time = times.get(`${e.symbol}:${e.tradeId}`);
    assert.ok(time !== undefined, `no frame for trade ${e.id}`);
    return {
      event_type: "trade",
      event_id: `coinbase-${e.symbol}-trade-${e.tradeId}`,
      title: `${e.symbol} trade ${e.price}`,
      message:
        `${e.symbol} on coinbase: taker ${e.side} of ${e.size} at ${e.price} (trade ${e.tradeId}).`,
      severity: "info",
      timestamp: time,
      source,
      payload: {
        product_id: e.symbol,
        trade_id: e.tradeId,
        price: e.price,
        size: e.size,
        side: e.side,
        time,
      },
    };
  }
  assert.equal(e.kind, "ticker");
  if (e.kind !== "ticker") throw new Error("unreachable");
  assert.ok(e.lastTradeId !== undefined, `ticker ${e.id} has no trade id`);
  const time = times.get(`${e.symbol}:${e.lastTradeId}`);
  assert.ok(time !== undefined, `no frame for ticker ${e.id}`);
  const spread = subtractDecimal(e.ask, e.bid);
  return {
    event_type: "ticker",
    event_id: `coinbase-${e.symbol}-${e.lastTradeId}`,
    title: `${e.symbol} ticker ${e.last}`,
    message:
      `${e.symbol} on coinbase: last ${e.last}, bid/ask ${e.bid}/${e.ask}, spread ${spread}.`,
    severity: "info",
    timestamp: time,
    source,
    payload: {
      product_id: e.symbol,
      price: e.last,
      volume_24h: e.volume24h,
      last_trade_id: e.lastTradeId,
      best_bid: e.bid,
      best_ask: e.ask,
      spread,
    },
  };
}

/** Envelopes by `event_id` (unique across kinds: the ingestion API dedups on it). */
function byKey(items: unknown[]): Map<string, Envelope[]> {
  const out = new Map<string, Envelope[]>();
  for (const item of items) {
    const env = item as Envelope;
    const key = env.event_id;
    const list = out.get(key);
    if (list === undefined) out.set(key, [env]);
    else list.push(env);
  }
  return out;
}

/**
 * Every truth event arrived as its exact envelope, and nothing else did;
 * `once` demands exactly one copy, else copies must be identical.
 */
function assertDelivered(
  truth: NormalizedEvent[],
  items: unknown[],
  times: Map<string, string>,
  once: boolean,
): void {
  const got = byKey(items);
  assert.ok(truth.length > 0, "the simulator produced no events");
  assert.ok(truth.some((e) => e.kind === "ticker"), "no tickers");
  assert.ok(truth.some((e) => e.kind === "trade"), "no trades");
  const keys = new Set<string>();
  for (const e of truth) {
    const want = expected(e, times);
    const key = want.event_id;
    assert.ok(!keys.has(key), `two truth events map to ${key}`);
    keys.add(key);
    const copies = got.get(key) ?? [];
    if (once) {
      assert.equal(copies.length, 1, `${key} arrived ${copies.length}×`);
    } else assert.ok(copies.length >= 1, `${key} never arrived`);
    for (const c of copies) assert.deepEqual(c, want);
  }
  assert.deepEqual([...got.keys()].filter((k) => !keys.has(k)), []);
}

/** Lets the simulator trade until the endpoint saw `n` more requests. */
async function traffic(server: WebhookServer, n: number): Promise<void> {
  await server.waitForRequests(server.requests.length + n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

Deno.test("webhook e2e: every ticker and trade arrives once as its exact envelope", async () => {
  await using server = WebhookServer.start();
  await using stack = await start(server);
  await traffic(server, 200);
  const truth = await stack.settle();
  assertDelivered(truth, server.accepted(), frameTimes(stack), true);
  for (const r of server.requests) {
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/ingest");
    assert.equal(r.headers.get("authorization"), `Bearer ${TOKEN}`);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(r.headers.get("user-agent"), `tickgate/${VERSION}`);
    assert.ok(!Array.isArray(r.json), "batch_size defaults to 1: one object");
  }
  const st = stack.stats();
  assert.equal(st.published, truth.length);
  assert.equal(st.retries, 0);
  assert.deepEqual(st.details, {
    lastStatus: 200,
    requests: server.requests.length,
    non2xx: {},
  });
});

Deno.test("webhook e2e: 429 then 503 for ~5 s, then 200: everything arrives", async () => {
  await using server = WebhookServer.start();
  await using stack = await start(server);
  await traffic(server, 20);
  server.next({ status: 429, retryAfter: "1" }, 2);
  server.always({ status: 503 });
  await sleep(5_000);
  server.always({ status: 200 });
  const truth = await stack.settle();
  assertDelivered(truth, server.accepted(), frameTimes(stack), false);
  const st = stack.stats();
  assert.ok(st.retries > 0, `retries ${st.retries}`);
  assert.equal(st.deadLettered, 0);
  assert.equal(st.spooledBytes, 0);
  const non2xx = st.details.non2xx as Record<string, number>;
  assert.equal(non2xx["429"], 2);
  assert.ok((non2xx["503"] ?? 0) > 0, JSON.stringify(non2xx));
  assert.equal(st.details.lastStatus, 200);
});

Deno.test("webhook e2e: requests hanging past timeout_ms, then recovery: everything arrives", async () => {
  await using server = WebhookServer.start();
  await using stack = await start(server);
  await traffic(server, 20);
  server.always("hang");
  await waitFor("a few timed-out requests", () => stack.stats().retries >= 3);
  server.always({ status: 200 });
  const truth = await stack.settle();
  assertDelivered(truth, server.accepted(), frameTimes(stack), false);
  const st = stack.stats();
  assert.equal(st.deadLettered, 0);
  assert.equal(st.spooledBytes, 0);
  assert.ok(server.requests.some((r) => r.reply === "hang"));
});

Deno.test("webhook e2e: 401 dead-letters each event once, without retries", async () => {
  await using server = WebhookServer.start();
  server.always({ status: 401 });
  await using stack = await start(server);
  await traffic(server, 100);
  const truth = await stack.settle();
  assert.deepEqual(server.accepted(), []);
  // The endpoint saw every event exactly once: a refusal is not retried.
  assertDelivered(truth, server.received(), frameTimes(stack), true);
  const st = stack.stats();
  assert.equal(st.published, 0);
  assert.equal(st.retries, 0);
  assert.equal(st.deadLettered, truth.length);
  assert.equal(
    st.lastError,
    `HTTP 401 Unauthorized from ${server.origin}/ingest`,
  );
  assert.ok(!JSON.stringify(st).includes(TOKEN));
  const text = await Deno.readTextFile(
    join(stack.dataDir, "deadletter", "sut.ndjson"),
  );
  const dead = text.split("\n").filter((l) => l !== "").map((l) =>
    JSON.parse(l) as NormalizedEvent
  );
  const ids = (events: NormalizedEvent[]) => events.map((e) => e.id).sort();
  assert.deepEqual(ids(dead), ids(truth));
  const truthById = new Map(truth.map((e) => [e.id, e]));
  for (const e of dead) assert.deepEqual(e, truthById.get(e.id));
});
