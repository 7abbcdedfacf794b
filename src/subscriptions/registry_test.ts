import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import type { StoredSubscription } from "../store/types.ts";
import type { StreamSpec } from "../transport/types.ts";
import { bybitCatalog } from "../venues/bybit/catalog.ts";
import { coinbaseCatalog } from "../venues/coinbase/catalog.ts";
import { coinbaseStreams } from "../venues/coinbase/protocol.ts";
import { SubscriptionRegistry } from "./registry.ts";
import type { RegistryVenue } from "./registry_types.ts";
import { SubscriptionError, type SubscriptionStatus } from "./types.ts";

/** A venue that records what the registry applies, with settable acks. */
function venue(name: string, catalog = coinbaseCatalog(() => undefined)) {
  const applied: { added: string[]; removed: string[]; wanted: string[] }[] =
    [];
  const acked = new Set<string>();
  const v: RegistryVenue = {
    name,
    catalog,
    apply(wanted, added, removed) {
      const keys = (l: readonly StreamSpec[]) => l.map((s) => s.key).sort();
      applied.push({
        wanted: keys(wanted),
        added: keys(added),
        removed: keys(removed),
      });
    },
    statusIndex: () => (s): SubscriptionStatus =>
      acked.has(s.key) ? "active" : "pending",
  };
  return { v, applied, acked };
}

function setup() {
  const cb = venue("coinbase");
  const by = venue("bybit", bybitCatalog("linear", false));
  const saved: StoredSubscription[] = [];
  const deleted: string[] = [];
  let n = 0;
  const registry = new SubscriptionRegistry({
    venues: [cb.v, by.v],
    clock: new ManualClock(Date.UTC(2026, 10, 22)),
    newId: () => `id-${++n}`,
    persistence: {
      saveSubscription: (s) => saved.push(s),
      deleteSubscriptions: (ids) => deleted.push(...ids),
    },
  });
  return { registry, cb, by, saved, deleted };
}

const req = (service: string, symbols = ["ETH-USD"]) => ({
  venue: "coinbase",
  channel: "matches",
  symbols,
  service,
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SubscriptionError, String(e));
    return e.field ? `${e.code}:${e.field}` : e.code;
  }
  assert.fail("expected a SubscriptionError");
}

Deno.test("two services share one stream: subscribed once, unsubscribed when the last goes", () => {
  const { registry, cb } = setup();
  const a = registry.create(req("a"));
  const b = registry.create(req("b"));
  assert.deepEqual(cb.applied, [{
    wanted: ["matches:ETH-USD"],
    added: ["matches:ETH-USD"],
    removed: [],
  }]);
  registry.remove(a.id);
  assert.equal(cb.applied.length, 1, "still held by b: nothing applied");
  registry.remove(b.id);
  assert.deepEqual(cb.applied[1], {
    wanted: [],
    added: [],
    removed: ["matches:ETH-USD"],
  });
});

Deno.test("configuration streams stay when an API subscription of the same stream goes", () => {
  const { registry, cb } = setup();
  registry.setBase(
    "coinbase",
    coinbaseStreams(["matches"], ["BTC-USD"]),
    "config",
  );
  const s = registry.create(req("a", ["BTC-USD", "ETH-USD"]));
  assert.deepEqual(cb.applied.at(-1)!.added, ["matches:ETH-USD"]);
  registry.remove(s.id);
  assert.deepEqual(cb.applied.at(-1)!.removed, ["matches:ETH-USD"]);
  assert.deepEqual(cb.applied.at(-1)!.wanted, ["matches:BTC-USD"]);
  // Discovery replacing the base keeps what the API holds.
  registry.create(req("b", ["SOL-USD"]));
  registry.setBase(
    "coinbase",
    coinbaseStreams(["matches"], ["ETH-USD"]),
    "discovery",
  );
  assert.deepEqual(cb.applied.at(-1), {
    wanted: ["matches:ETH-USD", "matches:SOL-USD"],
    added: ["matches:ETH-USD"],
    removed: ["matches:BTC-USD"],
  });
  const config = registry.list({ service: "config" });
  assert.equal(config.length, 1);
  assert.equal(config[0]!.source, "discovery");
  assert.deepEqual(config[0]!.symbols, ["ETH-USD"]);
  assert.equal(code(() => registry.remove(config[0]!.id)), "read_only");
});

Deno.test("create: 201 shape, persistence, and conflicts by service and symbol set", () => {
  const { registry, saved } = setup();
  const s = registry.create(req("a", ["eth-usd", "BTC-USD"]));
  assert.deepEqual(s, {
    id: "id-1",
    venue: "coinbase",
    channel: "matches",
    symbols: ["ETH-USD", "BTC-USD"],
    service: "a",
    options: {},
    source: "api",
    status: "pending",
    created_at: "2026-11-22T00:00:00.000Z",
  });
  assert.deepEqual(saved, [{
    id: "id-1",
    venue: "coinbase",
    channel: "matches",
    symbols: ["ETH-USD", "BTC-USD"],
    service: "a",
    options: {},
    createdAt: "2026-11-22T00:00:00.000Z",
  }]);
  assert.equal(
    code(() => registry.create(req("a", ["BTC-USD", "ETH-USD"]))),
    "conflict",
  );
  // Another service, or another symbol set, is not a conflict.
  registry.create(req("b", ["BTC-USD", "ETH-USD"]));
  registry.create(req("a", ["BTC-USD"]));
  assert.equal(saved.length, 3);
});

Deno.test("refusals name the field", () => {
  const { registry } = setup();
  assert.equal(
    code(() => registry.create({ ...req("a"), venue: "kraken" })),
    "unknown_venue:venue",
  );
  assert.equal(
    code(() => registry.create({ ...req("a"), channel: "trades" })),
    "unknown_channel:channel",
  );
  assert.equal(code(() => registry.create(req("a", []))), "invalid:symbols");
  assert.equal(
    code(() => registry.create(req("a", ["BTC-USD", "BTCUSD"]))),
    "invalid:symbols.1",
  );
  assert.equal(
    code(() => registry.create({ ...req("a"), options: { depth: 50 } })),
    "invalid:options",
  );
  assert.equal(
    code(() =>
      registry.create({ ...req("a", ["BTC-USD"]), channel: "status" })
    ),
    "invalid:symbols",
  );
  assert.equal(registry.list().length, 0, "nothing was added");
});

Deno.test("Bybit: options fold into the topic; one book depth per symbol", () => {
  const { registry, by } = setup();
  const s = registry.create({
    venue: "bybit",
    channel: "orderbook",
    symbols: ["BTC-USDT"],
    service: "a",
    options: { depth: 50 },
  });
  assert.equal(s.channel, "orderbook.50");
  assert.deepEqual(s.symbols, ["BTCUSDT"]);
  assert.deepEqual(by.applied[0]!.added, ["orderbook.50.BTCUSDT"]);
  assert.equal(
    code(() =>
      registry.create({
        venue: "bybit",
        channel: "orderbook.200",
        symbols: ["BTCUSDT"],
        service: "b",
      })
    ),
    "conflict",
  );
  // The same depth from another service shares the stream.
  registry.create({
    venue: "bybit",
    channel: "orderbook.50",
    symbols: ["BTCUSDT"],
    service: "b",
  });
  assert.equal(by.applied.length, 1);
  assert.equal(registry.list({ symbol: "BTC-USDT" }).length, 2);
  assert.equal(registry.list({ symbol: "btcusdt" }).length, 2);
});

Deno.test("filters, status and by-service removal", () => {
  const { registry, cb, deleted } = setup();
  registry.setBase(
    "coinbase",
    coinbaseStreams(["ticker"], ["BTC-USD"]),
    "config",
  );
  const a1 = registry.create(req("a", ["ETH-USD"]));
  registry.create({ ...req("a", ["BTC-USD"]), channel: "ticker" });
  const b1 = registry.create(req("b", ["SOL-USD"]));
  cb.acked.add("matches:ETH-USD");
  assert.deepEqual(registry.list({ service: "a" }).map((s) => s.id), [
    a1.id,
    "id-2",
  ]);
  assert.deepEqual(registry.list({ channel: "ticker" }).map((s) => s.service), [
    "config",
    "a",
  ]);
  assert.deepEqual(registry.list({ status: "active" }).map((s) => s.id), [
    a1.id,
  ]);
  assert.deepEqual(registry.list({ symbol: "SOL-USD" }).map((s) => s.id), [
    b1.id,
  ]);
  assert.equal(registry.list({ venue: "bybit" }).length, 0);
  assert.equal(registry.get(a1.id)!.status, "active");
  assert.equal(registry.get("nope"), undefined);
  const removed = registry.removeByService("a");
  assert.deepEqual(removed.map((s) => s.id), [a1.id, "id-2"]);
  assert.deepEqual(deleted, [a1.id, "id-2"]);
  assert.deepEqual(
    registry.removeByService("config"),
    [],
    "config is not the API's",
  );
  assert.deepEqual(cb.applied.at(-1)!.wanted, [
    "matches:SOL-USD",
    "ticker:BTC-USD",
  ]);
  assert.equal(code(() => registry.remove(a1.id)), "not_found");
  assert.deepEqual(registry.counts(), {
    total: 2,
    api: 1,
    config: 1,
    streams: { coinbase: 2, bybit: 0 },
  });
});

Deno.test("restore keeps ids and times, subscribes, and skips what no longer resolves", () => {
  const { registry, cb, saved } = setup();
  const stored = (id: string, channel: string): StoredSubscription => ({
    id,
    venue: "coinbase",
    channel,
    symbols: ["ETH-USD"],
    service: "a",
    options: {},
    createdAt: "2026-01-01T00:00:00.000Z",
  });
  const out = registry.restore([stored("x", "matches"), stored("y", "gone")]);
  assert.equal(out.restored, 1);
  assert.deepEqual(out.skipped.map((s) => s.id), ["y"]);
  assert.equal(registry.get("x")!.created_at, "2026-01-01T00:00:00.000Z");
  assert.deepEqual(cb.applied.at(-1)!.added, ["matches:ETH-USD"]);
  assert.equal(saved.length, 0, "restoring writes nothing back");
  assert.equal(registry.restore([stored("x", "matches")]).restored, 0);
});

Deno.test("restore: options stay folded; a stored twin of a live subscription is deleted", () => {
  const { registry, by, deleted } = setup();
  const live = registry.create({
    venue: "bybit",
    channel: "kline",
    options: { interval: "5" },
    symbols: ["ETHUSDT"],
    service: "a",
  });
  const out = registry.restore([
    {
      id: "book",
      venue: "bybit",
      channel: "orderbook.50",
      symbols: ["BTCUSDT"],
      service: "a",
      options: { depth: 50 },
      createdAt: "2026-01-01T00:00:00.000Z",
    },
    {
      id: "twin",
      venue: "bybit",
      channel: "kline.5",
      symbols: ["ETHUSDT"],
      service: "a",
      options: { interval: "5" },
      createdAt: "2026-01-01T00:00:00.000Z",
    },
  ]);
  assert.equal(out.restored, 1);
  assert.deepEqual(registry.get("book")!.options, { depth: 50 });
  assert.equal(registry.get("book")!.channel, "orderbook.50");
  assert.deepEqual(by.applied.at(-1)!.added, ["orderbook.50.BTCUSDT"]);
  assert.deepEqual(deleted, ["twin"]);
  assert.deepEqual(registry.list({ service: "a" }).map((s) => s.id), [
    live.id,
    "book",
  ]);
});

Deno.test("a stream the configuration drops stays while an API subscription holds it", () => {
  const { registry, cb } = setup();
  registry.setBase(
    "coinbase",
    coinbaseStreams(["matches"], ["BTC-USD", "ETH-USD"]),
    "discovery",
  );
  registry.create(req("a", ["ETH-USD"]));
  registry.setBase(
    "coinbase",
    coinbaseStreams(["matches"], ["BTC-USD"]),
    "discovery",
  );
  assert.deepEqual(cb.applied.at(-1)!.wanted, [
    "matches:BTC-USD",
    "matches:ETH-USD",
  ]);
  assert.equal(cb.applied.length, 1, "nothing to apply: ETH-USD is still held");
});
