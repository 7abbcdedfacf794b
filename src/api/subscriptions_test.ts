import assert from "node:assert/strict";
import { FakeRegistry, fakeView } from "./_fake_registry.ts";
import { createApi } from "./app.ts";

const KEY = "sub-test-key-1";
const BASE = "/api/v1/subscriptions";

/** `null`: no API key configured. */
function setup(apiKey: string | null = KEY) {
  const registry = new FakeRegistry();
  const counted: string[] = [];
  const api = createApi(fakeView({
    apiKey: apiKey ?? undefined,
    subscriptions: registry,
    countRequest: (route, status) => counted.push(`${route} ${status}`),
  }));
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await api.request(path, {
      method,
      headers: {
        "x-api-key": KEY,
        "content-type": "application/json",
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    return { res, status: res.status, body: await res.json() };
  };
  return { api, registry, counted, call };
}

const trade = { venue: "bybit", channel: "trade", service: "pricing" };

Deno.test("subscription routes need the key: 401 without or with a wrong one, 503 when none is configured", async () => {
  const { api } = setup();
  const routes: [string, string][] = [
    ["GET", BASE],
    ["POST", BASE],
    ["GET", `${BASE}/sub-1`],
    ["DELETE", `${BASE}/sub-1`],
    ["DELETE", `${BASE}/by-service/pricing`],
  ];
  for (const [method, path] of routes) {
    const missing = await api.request(path, { method });
    assert.equal(missing.status, 401, `${method} ${path}`);
    assert.equal((await missing.json()).error, "unauthorized");
    const wrong = await api.request(path, {
      method,
      headers: { "x-api-key": `${KEY}x` },
    });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.text()).includes(KEY), false);
  }
  const off = setup(null).api;
  for (const [method, path] of routes) {
    const res = await off.request(path, {
      method,
      headers: { "x-api-key": KEY },
    });
    assert.equal(res.status, 503, `${method} ${path}`);
    const body = await res.json();
    assert.equal(body.error, "disabled");
    assert.match(body.message, /API_KEY/);
  }
});

Deno.test("POST creates a subscription: 201, Location and the registry's fields", async () => {
  const { call, registry } = setup();
  const { res, status, body } = await call("POST", BASE, {
    venue: "bybit",
    channel: "orderbook",
    symbols: ["BTC-USDT", "ETHUSDT"],
    service: "pricing",
    options: { depth: 50 },
  });
  assert.equal(status, 201);
  assert.equal(res.headers.get("location"), `${BASE}/sub-1`);
  assert.deepEqual(body, {
    id: "sub-1",
    venue: "bybit",
    channel: "orderbook.50",
    symbols: ["BTCUSDT", "ETHUSDT"],
    service: "pricing",
    options: { depth: 50 },
    source: "api",
    status: "pending",
    created_at: "1970-01-01T00:00:01.000Z",
  });
  assert.deepEqual(registry.get("sub-1"), body);
  const noSymbols = await call("POST", BASE, { ...trade, service: "other" });
  assert.equal(noSymbols.status, 201);
  assert.deepEqual(noSymbols.body.symbols, []);
});

Deno.test("bad bodies are 400 JSON naming each bad field, never 500, and a good request still works after", async () => {
  const { call, registry } = setup();
  const malformed = await call("POST", BASE, '{"venue": "bybit",');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.error, "bad_request");
  assert.match(malformed.body.message, /JSON/);
  const empty = await call("POST", BASE, "");
  assert.equal(empty.status, 400);
  const text = await call("POST", BASE, JSON.stringify(trade), {
    "content-type": "text/plain",
  });
  assert.equal(text.status, 400);
  assert.match(text.body.message, /application\/json/);
  for (const type of ["application/json;", "application/jsonx", ""]) {
    const res = await call("POST", BASE, JSON.stringify(trade), {
      "content-type": type,
    });
    assert.equal(res.status, 400, type);
  }
  for (const body of ["[]", '"x"', "null", "5"]) {
    const res = await call("POST", BASE, body);
    assert.equal(res.status, 400, body);
    assert.deepEqual(res.body.fields.map((f: { field: string }) => f.field), [
      "body",
    ]);
  }
  const types = await call("POST", BASE, {
    ...trade,
    symbols: "BTC-USDT",
    service: 7,
  });
  assert.equal(types.status, 400);
  assert.deepEqual(types.body.fields.map((f: { field: string }) => f.field), [
    "symbols",
    "service",
  ]);
  assert.equal(types.body.field, "symbols");
  assert.match(types.body.fields[0].message, /array/);
  const unknown = await call("POST", BASE, {
    ...trade,
    sevrice: "x",
    extra: 1,
    options: { depth: 5, levels: 2 },
  });
  assert.equal(unknown.status, 400);
  assert.deepEqual(
    unknown.body.fields.map((f: { field: string }) => f.field).sort(),
    ["extra", "options.levels", "sevrice"],
  );
  const badSymbol = await call("POST", BASE, {
    ...trade,
    symbols: ["BTC-USDT", "ETH-USDT", "<script>", "SOL-USDT", "a b"],
  });
  assert.equal(badSymbol.status, 400);
  assert.deepEqual(
    badSymbol.body.fields.map((f: { field: string }) => f.field),
    [
      "symbols.2",
      "symbols.4",
    ],
  );
  assert.match(badSymbol.body.message, /symbols\.2/);
  const many = await call("POST", BASE, {
    ...trade,
    symbols: Array.from({ length: 501 }, (_, i) => `S${i}-USDT`),
  });
  assert.equal(many.status, 400);
  assert.equal(many.body.field, "symbols");
  const missing = await call("POST", BASE, { symbols: [] });
  assert.deepEqual(
    missing.body.fields.map((f: { field: string }) => f.field),
    ["venue", "channel", "service"],
  );
  const options = await call("POST", BASE, {
    ...trade,
    venue: "",
    service: "bad name!",
    options: { depth: -1, interval: 5 },
  });
  assert.deepEqual(
    options.body.fields.map((f: { field: string }) => f.field),
    ["venue", "service", "options.depth", "options.interval"],
  );
  assert.equal(registry.list().length, 0);
  const good = await call("POST", BASE, trade, {
    "content-type": "application/json; charset=utf-8",
  });
  assert.equal(good.status, 201);
});

Deno.test("registry refusals: 404 unknown venue or channel, 409 duplicate with the existing one, 400 invalid option", async () => {
  const { call } = setup();
  const venue = await call("POST", BASE, { ...trade, venue: "kraken" });
  assert.equal(venue.status, 404);
  assert.equal(venue.body.error, "unknown_venue");
  assert.equal(venue.body.field, "venue");
  assert.deepEqual(venue.body.known, ["bybit", "binance"]);
  const channel = await call("POST", BASE, { ...trade, channel: "trades" });
  assert.equal(channel.status, 404);
  assert.equal(channel.body.error, "unknown_channel");
  assert.deepEqual(channel.body.known, ["trade", "orderbook", "kline"]);
  const first = await call("POST", BASE, { ...trade, symbols: ["BTC-USDT"] });
  assert.equal(first.status, 201);
  const again = await call("POST", BASE, { ...trade, symbols: ["BTCUSDT"] });
  assert.equal(again.status, 409);
  assert.equal(again.body.error, "conflict");
  assert.deepEqual(again.body.existing, first.body);
  const invalid = await call("POST", BASE, { ...trade, options: { depth: 5 } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error, "bad_request");
  assert.deepEqual(invalid.body.fields, [{
    field: "options.depth",
    message: "trade takes no depth",
  }]);
});

Deno.test("GET lists with validated filters", async () => {
  const { call, registry } = setup();
  registry.seed({ ...trade, service: "config", symbols: ["BTC-USDT"] });
  await call("POST", BASE, { ...trade, symbols: ["BTC-USDT", "ETH-USDT"] });
  await call("POST", BASE, {
    ...trade,
    venue: "binance",
    symbols: ["ETHUSDT"],
  });
  await call("POST", BASE, { ...trade, channel: "kline", service: "charts" });
  const ids = async (query: string) => {
    const { status, body } = await call("GET", `${BASE}${query}`);
    assert.equal(status, 200, query);
    assert.equal(body.count, body.data.length);
    return body.data.map((s: { id: string }) => s.id);
  };
  assert.deepEqual(await ids(""), ["sub-1", "sub-2", "sub-3", "sub-4"]);
  assert.deepEqual(await ids("?service=pricing"), ["sub-2", "sub-3"]);
  assert.deepEqual(await ids("?venue=binance"), ["sub-3"]);
  assert.deepEqual(await ids("?channel=kline"), ["sub-4"]);
  assert.deepEqual(await ids("?symbol=ETH-USDT"), ["sub-2", "sub-3"]);
  assert.deepEqual(await ids("?status=active"), ["sub-1"]);
  assert.deepEqual(await ids("?status=pending&venue=bybit&symbol=BTCUSDT"), [
    "sub-2",
  ]);
  assert.deepEqual(await ids("?service=nobody"), []);
  const status = await call("GET", `${BASE}?status=paused`);
  assert.equal(status.status, 400);
  assert.equal(status.body.field, "status");
  const unknown = await call("GET", `${BASE}?servce=pricing`);
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.field, "servce");
  const twice = await call("GET", `${BASE}?venue=a&venue=b`);
  assert.equal(twice.status, 400);
  assert.equal(twice.body.field, "venue");
});

Deno.test("GET and DELETE by id: 200, 404 unknown, 409 for configuration", async () => {
  const { call, registry, counted } = setup();
  const config = registry.seed({ ...trade, service: "config", symbols: [] });
  const created = (await call("POST", BASE, trade)).body;
  const got = await call("GET", `${BASE}/${created.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, created);
  const unknown = await call("GET", `${BASE}/sub-99`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error, "not_found");
  const removed = await call("DELETE", `${BASE}/${created.id}`);
  assert.equal(removed.status, 200);
  assert.deepEqual(removed.body, created);
  assert.equal((await call("DELETE", `${BASE}/${created.id}`)).status, 404);
  assert.equal((await call("GET", `${BASE}/${created.id}`)).status, 404);
  const readOnly = await call("DELETE", `${BASE}/${config.id}`);
  assert.equal(readOnly.status, 409);
  assert.equal(readOnly.body.error, "read_only");
  assert.equal(registry.list().length, 1);
  assert.ok(counted.includes(`${BASE}/{id} 200`));
  assert.ok(counted.includes(`${BASE}/{id} 404`));
  assert.equal(counted.some((c) => c.includes("sub-")), false);
});

Deno.test("DELETE by-service removes that service's API subscriptions (none is still 200)", async () => {
  const { call, registry } = setup();
  registry.seed({ ...trade, service: "pricing", symbols: ["XRP-USDT"] });
  await call("POST", BASE, { ...trade, symbols: ["BTC-USDT"] });
  await call("POST", BASE, { ...trade, symbols: ["ETH-USDT"] });
  await call("POST", BASE, { ...trade, service: "charts" });
  const gone = await call("DELETE", `${BASE}/by-service/pricing`);
  assert.equal(gone.status, 200);
  assert.equal(gone.body.count, 2);
  assert.deepEqual(gone.body.data.map((s: { id: string }) => s.id), [
    "sub-2",
    "sub-3",
  ]);
  assert.deepEqual(registry.list().map((s) => s.id), ["sub-1", "sub-4"]);
  const none = await call("DELETE", `${BASE}/by-service/pricing`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.body, { data: [], count: 0 });
  const bad = await call("DELETE", `${BASE}/by-service/bad%20name`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, "service");
  const get = await call("GET", `${BASE}/by-service/charts`);
  assert.equal(get.status, 405);
  assert.equal(get.res.headers.get("allow"), "DELETE");
  assert.equal(registry.list().length, 2);
});
