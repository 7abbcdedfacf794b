import assert from "node:assert/strict";
import { BalanceStore } from "../sinks/balances.ts";
import { LatestStore } from "../sinks/latest.ts";
import { FakeRegistry, fakeView } from "./_fake_registry.ts";
import { createApi } from "./app.ts";
import type { GatewayView, HealthReport } from "./types.ts";

function setup(
  health: HealthReport["status"] = "ok",
  apiKey: string | undefined = undefined,
) {
  const store = new LatestStore();
  const balances = new BalanceStore();
  balances.write([{
    id: "bybit:USDT:balance:UNIFIED:5",
    kind: "balance",
    venue: "bybit",
    symbol: "USDT",
    nativeSymbol: "USDT",
    exchangeTs: 5,
    receivedTs: 6,
    account: "UNIFIED",
    coin: "USDT",
    free: "90",
    locked: "10",
    total: "100",
  }]);
  store.write([{
    id: "coinbase:BTC-USD:trade:7",
    kind: "trade",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 1,
    receivedTs: 2,
    tradeId: "7",
    price: "42000.00",
    size: "0.5",
    side: "sell",
  }, {
    id: "coinbase:BTC-USD:ticker:9",
    kind: "ticker",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 3,
    receivedTs: 4,
    bid: "41999.99",
    bidSize: "1",
    ask: "42000.01",
    askSize: "2",
    last: "42000.00",
    volume24h: "100",
  }]);
  const counted: string[] = [];
  const view: GatewayView = {
    health: () => ({
      status: health,
      problems: [],
      warnings: [],
      uptimeSec: 1,
      venues: {},
      sinks: {},
      store: {},
      subscriptions: {},
    }),
    stats: () => ({ venues: {} }),
    metrics: () => "up 1\n",
    pairs: () => ({ venues: { coinbase: [] } }),
    latest: (s) => store.query(s),
    balances: (venue) => balances.list(venue),
    apiKey,
    subscriptions: new FakeRegistry(),
    apiRateLimit: 0,
    countRequest: (route, status) => counted.push(`${route} ${status}`),
  };
  return { api: createApi(view), counted };
}

Deno.test("GET /health is 200 when ok or starting and 503 when unhealthy", async () => {
  for (
    const [status, code] of [["ok", 200], ["starting", 200], [
      "unhealthy",
      503,
    ]] as const
  ) {
    const res = await setup(status).api.request("/health");
    assert.equal(res.status, code);
    assert.equal((await res.json()).status, status);
    // Liveness does not follow readiness: an unhealthy feed is no reason to restart.
    const live = await setup(status).api.request("/health/live");
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { status: "alive" });
  }
});

Deno.test("GET /metrics serves Prometheus text", async () => {
  const res = await setup().api.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(
    res.headers.get("content-type") ?? "",
    /^text\/plain; version=0\.0\.4/,
  );
  assert.equal(await res.text(), "up 1\n");
});

Deno.test("GET /api/v1/latest returns last trade and best bid/ask, and names missing symbols", async () => {
  const res = await setup().api.request(
    "/api/v1/latest?symbols=btc-usd,ETH-USD",
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.missing, ["ETH-USD"]);
  assert.equal(body.data.length, 1);
  const [e] = body.data;
  assert.equal(e.symbol, "BTC-USD");
  assert.deepEqual(e.lastTrade, {
    tradeId: "7",
    price: "42000.00",
    size: "0.5",
    side: "sell",
    exchangeTs: 1,
  });
  assert.equal(e.bid, "41999.99");
  assert.equal(e.ask, "42000.01");
  assert.equal(e.quoteSource, "ticker");
  const all = await (await setup().api.request("/api/v1/latest")).json();
  assert.equal(all.data.length, 1);
});

Deno.test("bad requests get JSON 4xx bodies and are counted", async () => {
  const { api, counted } = setup();
  const bad = await api.request("/api/v1/latest?symbols=BTC-USD,<script>");
  assert.equal(bad.status, 400);
  const body = await bad.json();
  assert.equal(body.error, "bad_request");
  assert.equal(body.field, "symbols");
  assert.deepEqual(body.invalid, ["<script>"]);
  const many = Array.from({ length: 501 }, (_, i) => `S${i}-USD`).join(",");
  assert.equal(
    (await api.request(`/api/v1/latest?symbols=${many}`)).status,
    400,
  );
  const missing = await api.request("/nope");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error, "not_found");
  const wrong = await api.request("/health", { method: "POST" });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET, HEAD");
  assert.equal((await wrong.json()).error, "method_not_allowed");
  assert.deepEqual(counted, [
    "/api/v1/latest 400",
    "/api/v1/latest 400",
    "other 404",
    "/health 405",
  ]);
});

Deno.test("GET /api/v1/balances needs the API key: 503 without one configured, 401 without the header or with a wrong one", async () => {
  const off = setup("ok").api;
  const disabled = await off.request("/api/v1/balances");
  assert.equal(disabled.status, 503);
  assert.equal((await disabled.json()).error, "disabled");
  const { api } = setup("ok", "k3y-value");
  const missing = await api.request("/api/v1/balances");
  assert.equal(missing.status, 401);
  assert.match((await missing.json()).message, /X-API-Key header is required/);
  const wrong = await api.request("/api/v1/balances", {
    headers: { "X-API-Key": "k3y-valuX" },
  });
  assert.equal(wrong.status, 401);
  const wrongText = await wrong.text();
  assert.equal(wrongText.includes("k3y-value"), false);
  const ok = await api.request("/api/v1/balances", {
    headers: { "X-API-Key": "k3y-value" },
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), {
    data: [{
      venue: "bybit",
      account: "UNIFIED",
      coin: "USDT",
      symbol: "USDT",
      free: "90",
      locked: "10",
      total: "100",
      updatedTs: 5,
    }],
  });
  const none = await api.request("/api/v1/balances?venue=binance", {
    headers: { "X-API-Key": "k3y-value" },
  });
  assert.deepEqual(await none.json(), { data: [] });
  const bad = await api.request("/api/v1/balances?venue=%3Cx%3E", {
    headers: { "X-API-Key": "k3y-value" },
  });
  assert.equal(bad.status, 400);
});

const KEY = "app-test-key";
const SUBS = "/api/v1/subscriptions";

/** A body of `size` bytes as a stream: no Content-Length. */
function streamOf(size: number, chunk = 4096): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      const n = Math.min(chunk, size - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
}

Deno.test("bodies over 64 KiB are 413 JSON, with or without Content-Length, on every route", async () => {
  const api = createApi(fakeView({ apiKey: KEY }));
  const big = JSON.stringify({
    venue: "bybit",
    channel: "trade",
    service: "s",
    symbols: Array.from({ length: 6000 }, (_, i) => `S${i}-USDT`),
  });
  assert.ok(big.length > 65 * 1024);
  const headers = { "x-api-key": KEY, "content-type": "application/json" };
  const bodies: [string, BodyInit, Record<string, string>][] = [
    ["Content-Length", big, { "content-length": String(big.length) }],
    ["no Content-Length", big, {}],
    ["stream", streamOf(65 * 1024), {}],
  ];
  for (const [label, body, extra] of bodies) {
    for (const path of [SUBS, "/health"]) {
      const res = await api.request(path, {
        method: "POST",
        headers: { ...headers, ...extra },
        body,
      });
      assert.equal(res.status, 413, `${label} ${path}`);
      const json = await res.json();
      assert.equal(json.error, "payload_too_large");
      assert.equal(json.limit, 65536);
      if (typeof body !== "string") break;
    }
  }
  const fits = await api.request(SUBS, {
    method: "POST",
    headers,
    body: streamOf(64 * 1024),
  });
  assert.equal(fits.status, 400); // read in full: 64 KiB of spaces is not JSON
  const ok = await api.request(SUBS, {
    method: "POST",
    headers,
    body: JSON.stringify({ venue: "bybit", channel: "trade", service: "s" }),
  });
  assert.equal(ok.status, 201);
});

Deno.test("unknown routes are 404 JSON; wrong methods are 405 with Allow, new routes included", async () => {
  const api = createApi(fakeView({ apiKey: KEY }));
  const headers = { "x-api-key": KEY };
  const cases: [string, string, string][] = [
    ["PUT", SUBS, "GET, HEAD, POST"],
    ["PATCH", `${SUBS}/sub-1`, "GET, HEAD, DELETE"],
    ["POST", `${SUBS}/by-service/s`, "DELETE"],
    ["POST", "/openapi.json", "GET, HEAD"],
    ["DELETE", "/api/v1/latest", "GET, HEAD"],
    ["POST", "/api/v1/balances", "GET, HEAD"],
  ];
  for (const [method, path, allow] of cases) {
    const res = await api.request(path, { method, headers });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(res.headers.get("allow"), allow);
    assert.equal((await res.json()).error, "method_not_allowed");
  }
  for (const path of ["/nope", "/api/v1/nope", `${SUBS}/a/b/c`, "/health/"]) {
    const res = await api.request(path, { headers });
    assert.equal(res.status, 404, path);
    assert.deepEqual(await res.json(), {
      error: "not_found",
      message: `no route for GET ${path}`,
    });
  }
  const head = await api.request(SUBS, { method: "HEAD", headers });
  assert.equal(head.status, 200);
});

Deno.test("an unexpected error is a generic 500 JSON without stack or detail; the app keeps serving", async () => {
  const registry = new FakeRegistry();
  registry.list = () => {
    throw new Error("store exploded at /secret/path.ts:12");
  };
  const counted: string[] = [];
  const api = createApi(fakeView({
    apiKey: KEY,
    subscriptions: registry,
    stats: () => {
      throw new TypeError("cannot read properties of undefined");
    },
    countRequest: (route, status) => counted.push(`${route} ${status}`),
  }));
  for (const path of ["/stats", SUBS]) {
    const res = await api.request(path, { headers: { "x-api-key": KEY } });
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), {
      error: "internal_error",
      message: "the request could not be served",
    });
    assert.doesNotMatch(text, /exploded|secret|\.ts|at |TypeError/);
  }
  assert.deepEqual(counted, ["/stats 500", `${SUBS} 500`]);
  assert.equal((await api.request("/health")).status, 200);
});
