/**
 * The subscription API end to end, on both stores (SQLite under DATA_DIR,
 * and the real PostgreSQL through DATABASE_URL): a Coinbase simulator, the
 * gateway serving HTTP, requests over the network. What the venue is asked
 * is observed at the simulator; what is stored survives a restart.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Gateway } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { CoinbaseSimulator } from "../src/simulator/coinbase.ts";
import { api, scratchDatabase } from "./_api_client.ts";
import { readEvents, TEST_ENV, waitFor } from "./_harness.ts";
import { service } from "./_services.ts";

const KEY = "e2e-key-0123456789";
const pg = await service("postgres");

/** Control frames the simulator received for `channel` × `product`. */
function controlFrames(
  sim: CoinbaseSimulator,
  type: "subscribe" | "unsubscribe",
  channel: string,
  product: string,
): number {
  let n = 0;
  for (const { frame } of sim.received) {
    const f = frame as {
      type?: string;
      channels?: { name: string; product_ids?: string[] }[];
    };
    if (f.type !== type) continue;
    if (
      f.channels?.some((c) =>
        c.name === channel && c.product_ids?.includes(product)
      )
    ) n++;
  }
  return n;
}

async function startGateway(
  dir: string,
  sim: CoinbaseSimulator,
  env: Record<string, string>,
) {
  const config = await loadConfig({
    env: {
      ...TEST_ENV,
      VENUES: "coinbase",
      COINBASE_WS_URL: sim.url,
      COINBASE_PRODUCTS: "BTC-USD",
      COINBASE_CHANNELS: "matches,heartbeat",
      SINKS: `file:${join(dir, "events.ndjson")}`,
      DATA_DIR: dir,
      API_KEY: KEY,
      ...env,
    },
  });
  return await Gateway.start(config);
}

async function scenario(storeEnv: Record<string, string>, kind: string) {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-subs-" });
  const sim = await CoinbaseSimulator.start({
    products: ["BTC-USD", "ETH-USD", "SOL-USD"],
    tradesPerSecond: 30,
  });
  let gw = await startGateway(dir, sim, storeEnv);
  try {
    const post = (service: string, product: string, channel = "matches") =>
      api(gw.port, "POST", "/api/v1/subscriptions", {
        venue: "coinbase",
        channel,
        symbols: [product],
        service,
      }, KEY);
    await waitFor(
      "the config stream",
      () => controlFrames(sim, "subscribe", "matches", "BTC-USD") === 1,
    );
    const connections = sim.totalConnections;

    // Two services, one stream: one subscribe frame.
    const a = await post("svc-a", "ETH-USD");
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(
      a.headers.get("location"),
      `/api/v1/subscriptions/${a.body.id}`,
    );
    const b = await post("svc-b", "ETH-USD");
    assert.equal(b.status, 201);
    assert.equal(
      (await post("svc-b", "eth-usd")).status,
      409,
      "same service, same stream",
    );
    await waitFor(
      "ETH-USD active",
      async () =>
        (await api(
          gw.port,
          "GET",
          `/api/v1/subscriptions/${a.body.id}`,
          undefined,
          KEY,
        )).body.status === "active",
    );
    await waitFor(
      "ETH-USD trades",
      async () =>
        (await readEvents(join(dir, "events.ndjson"))).some((e) =>
          e.kind === "trade" && e.symbol === "ETH-USD"
        ),
    );
    assert.equal(controlFrames(sim, "subscribe", "matches", "ETH-USD"), 1);

    // Filters, as seen over HTTP.
    const list = async (query: string) =>
      (await api(
        gw.port,
        "GET",
        `/api/v1/subscriptions${query}`,
        undefined,
        KEY,
      )).body.data as { id: string; service: string; source: string }[];
    assert.deepEqual((await list("?service=svc-a")).map((s) => s.id), [
      a.body.id,
    ]);
    assert.deepEqual((await list("?symbol=ETH-USD")).map((s) => s.service), [
      "svc-a",
      "svc-b",
    ]);
    assert.deepEqual((await list("?symbol=BTC-USD")).map((s) => s.source), [
      "config",
      "config",
    ]);
    assert.equal(
      (await list("?venue=coinbase&channel=matches&status=active")).length,
      3,
    );

    // One goes: still subscribed. The other goes: one unsubscribe frame.
    assert.equal(
      (await api(
        gw.port,
        "DELETE",
        `/api/v1/subscriptions/${a.body.id}`,
        undefined,
        KEY,
      )).status,
      200,
    );
    const ethTrades = async () =>
      (await readEvents(join(dir, "events.ndjson"))).filter((e) =>
        e.kind === "trade" && e.symbol === "ETH-USD"
      ).length;
    const held = await ethTrades();
    await waitFor(
      "ETH-USD trades still arriving",
      async () => await ethTrades() >= held + 3,
    );
    assert.equal(controlFrames(sim, "unsubscribe", "matches", "ETH-USD"), 0);
    const del = await api(
      gw.port,
      "DELETE",
      "/api/v1/subscriptions/by-service/svc-b",
      undefined,
      KEY,
    );
    assert.equal(del.status, 200);
    assert.equal(del.body.count, 1);
    await waitFor(
      "the unsubscribe frame",
      () => controlFrames(sim, "unsubscribe", "matches", "ETH-USD") === 1,
    );
    assert.equal(
      (await api(
        gw.port,
        "GET",
        `/api/v1/subscriptions/${a.body.id}`,
        undefined,
        KEY,
      )).status,
      404,
    );
    assert.equal(
      sim.totalConnections,
      connections,
      "changes applied live, no reconnect",
    );

    // The config subscription cannot be deleted over the API.
    const config = await list("?service=config");
    assert.equal(
      (await api(
        gw.port,
        "DELETE",
        `/api/v1/subscriptions/${config[0]!.id}`,
        undefined,
        KEY,
      )).status,
      409,
    );

    // Restart: what is held is restored and subscribed again; what went stays gone.
    const kept = await post("svc-c", "SOL-USD", "heartbeat");
    assert.equal(kept.status, 201);
    const health = await api(gw.port, "GET", "/health");
    assert.equal(health.status, 200);
    assert.equal(
      (health.body.store as { kind: string; state: string }).kind,
      kind,
    );
    assert.equal((health.body.store as { state: string }).state, "ok");
    assert.equal((health.body.subscriptions as { api: number }).api, 1);
    const pairs = await api(gw.port, "GET", "/pairs");
    const sol = (pairs.body.venues as Record<
      string,
      { nativeSymbol: string; source: string; services: string[] }[]
    >).coinbase!
      .find((p) => p.nativeSymbol === "SOL-USD");
    assert.deepEqual({ source: sol?.source, services: sol?.services }, {
      source: "api",
      services: ["svc-c"],
    });
    await gw.stop();
    sim.received.length = 0;
    gw = await startGateway(dir, sim, storeEnv);
    await waitFor(
      "SOL-USD subscribed after the restart",
      () => controlFrames(sim, "subscribe", "heartbeat", "SOL-USD") === 1,
    );
    const after = await list("");
    const apiSubs = after.filter((s) => s.source === "api");
    assert.deepEqual(apiSubs.map((s) => s.id), [kept.body.id]);
    assert.equal(controlFrames(sim, "subscribe", "matches", "ETH-USD"), 0);
  } finally {
    await gw.stop();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("subscription API on SQLite: ref-counted live subscribe/unsubscribe, filters, restart", async () => {
  await scenario({}, "sqlite");
});

Deno.test({
  name:
    "subscription API on PostgreSQL: ref-counted live subscribe/unsubscribe, filters, restart",
  ignore: pg.skip,
  async fn() {
    await using db = await scratchDatabase(pg.url);
    await scenario({ DATABASE_URL: db.url }, "postgres");
    const rows = await db
      .sql`SELECT service, channel, symbols FROM tickgate_subscriptions`;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.service, "svc-c");
  },
});

Deno.test("bad requests over the network get JSON 4xx, never 500, and the gateway stays healthy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tickgate-subs-bad-" });
  const sim = await CoinbaseSimulator.start({
    products: ["BTC-USD", "ETH-USD"],
  });
  const gw = await startGateway(dir, sim, {});
  try {
    const path = "/api/v1/subscriptions";
    const good = {
      venue: "coinbase",
      channel: "matches",
      symbols: ["ETH-USD"],
      service: "svc",
    };
    const cases: [
      string,
      Promise<{ status: number; body: Record<string, unknown> }>,
      number,
    ][] = [
      ["no key", api(gw.port, "POST", path, good), 401],
      ["wrong key", api(gw.port, "POST", path, good, "nope"), 401],
      [
        "malformed JSON",
        api(gw.port, "POST", path, '{"venue": "coinbase",', KEY),
        400,
      ],
      [
        "symbols not an array",
        api(gw.port, "POST", path, { ...good, symbols: "ETH-USD" }, KEY),
        400,
      ],
      [
        "service a number",
        api(gw.port, "POST", path, { ...good, service: 7 }, KEY),
        400,
      ],
      [
        "unknown venue",
        api(gw.port, "POST", path, { ...good, venue: "kraken" }, KEY),
        404,
      ],
      [
        "oversize",
        api(
          gw.port,
          "POST",
          path,
          { ...good, pad: "x".repeat(65 * 1024) },
          KEY,
        ),
        413,
      ],
      ["wrong method", api(gw.port, "PUT", path, good, KEY), 405],
      [
        "bad status filter",
        api(gw.port, "GET", `${path}?status=sleeping`, undefined, KEY),
        400,
      ],
    ];
    for (const [what, res, status] of cases) {
      const r = await res;
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.error, "string", what);
      assert.ok(
        !JSON.stringify(r.body).includes("    at "),
        `${what}: no stack trace`,
      );
    }
    await waitFor(
      "the product listing",
      () =>
        !gw.health().warnings.some((w) => w.includes("product listing")) &&
        gw.venues[0]!.definition.catalog!.nativeSymbol("FOO-BAR") === undefined,
    );
    const unlisted = await api(gw.port, "POST", path, {
      ...good,
      symbols: ["ETH-USD", "FOO-BAR"],
    }, KEY);
    assert.equal(unlisted.status, 400, "a product Coinbase does not list");
    assert.equal(unlisted.body.field, "symbols.1");
    const wrongTypes = await api(gw.port, "POST", path, {
      ...good,
      symbols: "ETH-USD",
      service: 7,
    }, KEY);
    const fields = (wrongTypes.body.fields as { field: string }[]).map((f) =>
      f.field
    ).sort();
    assert.deepEqual(fields, ["service", "symbols"]);
    assert.equal((await api(gw.port, "GET", "/health")).status, 200);
    assert.equal((await api(gw.port, "POST", path, good, KEY)).status, 201);
    const doc = await api(gw.port, "GET", "/openapi.json");
    assert.match(String(doc.body.openapi), /^3\.1\./);
  } finally {
    await gw.stop();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
