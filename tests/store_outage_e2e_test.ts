/**
 * The store being unavailable degrades gracefully: PostgreSQL behind a
 * test-owned TCP proxy is cut while the gateway runs. Ingestion goes on,
 * API writes are accepted and retried, /health reports the store degraded
 * (200, or 503 with HEALTH_STRICT=true), and once the database is back the
 * queued writes land, in order.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { Gateway } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { CoinbaseSimulator } from "../src/simulator/coinbase.ts";
import { api, scratchDatabase } from "./_api_client.ts";
import { readEvents, TEST_ENV, waitFor } from "./_harness.ts";
import { service } from "./_services.ts";
import { TcpProxy } from "./_tcp_proxy.ts";

const KEY = "outage-key-0123456789";
const pg = await service("postgres");

for (const strict of [false, true]) {
  Deno.test({
    name: `store outage: ingestion goes on, writes retried, /health ${
      strict ? "503 with HEALTH_STRICT" : "200 and degraded"
    }`,
    ignore: pg.skip,
    async fn() {
      await using db = await scratchDatabase(pg.url);
      await using proxy = TcpProxy.start({
        hostname: pg.hostname,
        port: pg.port,
      });
      const url = new URL(db.url);
      url.hostname = "127.0.0.1";
      url.port = String(proxy.port);
      url.password = "s3cret-pw"; // trust auth ignores it; it must never show
      const dir = await Deno.makeTempDir({ prefix: "tickgate-outage-" });
      const events = join(dir, "events.ndjson");
      const sim = await CoinbaseSimulator.start({
        products: ["BTC-USD", "ETH-USD", "SOL-USD"],
        tradesPerSecond: 30,
      });
      const gw = await Gateway.start(
        await loadConfig({
          env: {
            ...TEST_ENV,
            VENUES: "coinbase",
            COINBASE_WS_URL: sim.url,
            COINBASE_PRODUCTS: "BTC-USD",
            SINKS: `file:${events}`,
            DATA_DIR: dir,
            API_KEY: KEY,
            DATABASE_URL: url.href,
            HEALTH_STRICT: String(strict),
          },
        }),
      );
      try {
        const post = (service: string, product: string) =>
          api(gw.port, "POST", "/api/v1/subscriptions", {
            venue: "coinbase",
            channel: "matches",
            symbols: [product],
            service,
          }, KEY);
        const first = await post("svc-a", "ETH-USD");
        assert.equal(first.status, 201);
        await waitFor(
          "the first write",
          async () =>
            (await db.sql`SELECT id FROM tickgate_subscriptions`).length === 1,
        );
        assert.equal((await api(gw.port, "GET", "/health")).status, 200);

        proxy.cut();
        const during = await post("svc-b", "SOL-USD");
        assert.equal(during.status, 201, "accepted while the store is down");
        const gone = await api(
          gw.port,
          "DELETE",
          `/api/v1/subscriptions/${first.body.id}`,
          undefined,
          KEY,
        );
        assert.equal(gone.status, 200);
        await waitFor("the store degraded", async () => {
          const h = await api(gw.port, "GET", "/health");
          return (h.body.store as { state: string }).state === "degraded";
        });
        const health = await api(gw.port, "GET", "/health");
        const said = [
          ...health.body.warnings as string[],
          ...health.body.problems as string[],
        ];
        assert.ok(
          said.some((w) => w.startsWith("store postgres: degraded")),
          JSON.stringify(said),
        );
        assert.equal(health.status, strict ? 503 : 200);
        for (const route of ["/stats", "/health", "/openapi.json"]) {
          const body = JSON.stringify((await api(gw.port, "GET", route)).body);
          assert.ok(!body.includes("s3cret-pw"), `no password in ${route}`);
        }
        assert.match(
          JSON.stringify(health.body),
          /postgres:\/\/postgres:\*\*\*@/,
        );
        // Ingestion goes on: SOL-USD (subscribed during the outage) trades arrive.
        await waitFor(
          "SOL-USD trades during the outage",
          async () =>
            (await readEvents(events)).some((e) =>
              e.kind === "trade" && e.symbol === "SOL-USD"
            ),
        );

        proxy.restore();
        await waitFor("the queued writes", async () => {
          const rows = await db.sql`SELECT id FROM tickgate_subscriptions`;
          return rows.length === 1 && rows[0]!.id === during.body.id;
        }, 30_000);
        await waitFor(
          "the store ok",
          async () =>
            ((await api(gw.port, "GET", "/health")).body.store as {
              state: string;
            }).state === "ok",
        );
        assert.equal((await api(gw.port, "GET", "/health")).status, 200);
      } finally {
        await gw.stop();
        await sim.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
