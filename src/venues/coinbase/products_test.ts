import assert from "node:assert/strict";
import { ManualClock } from "../../core/clock.ts";
import { coinbaseRestUrl, parseProducts, ProductListing } from "./products.ts";

Deno.test("coinbaseRestUrl: Coinbase hosts map to their API hosts, simulators keep theirs", () => {
  assert.equal(
    coinbaseRestUrl("wss://ws-feed.exchange.coinbase.com"),
    "https://api.exchange.coinbase.com",
  );
  assert.equal(
    coinbaseRestUrl("wss://ws-feed-public.sandbox.exchange.coinbase.com"),
    "https://api-public.sandbox.exchange.coinbase.com",
  );
  assert.equal(coinbaseRestUrl("ws://127.0.0.1:9000"), "http://127.0.0.1:9000");
  assert.equal(
    coinbaseRestUrl("wss://sim.example:8443/feed"),
    "https://sim.example:8443",
  );
});

Deno.test("parseProducts keeps string ids and refuses other shapes", () => {
  assert.deepEqual(
    parseProducts([{ id: "BTC-USD" }, { id: 7 }, null, { id: "ETH-USD" }]),
    new Set(["BTC-USD", "ETH-USD"]),
  );
  assert.equal(parseProducts({ message: "rate limited" }), undefined);
});

Deno.test("ProductListing: a failure is reported and retried until the listing is read", async () => {
  const clock = new ManualClock(0);
  let calls = 0;
  const errors: string[] = [];
  const listing = new ProductListing({
    restUrl: "http://sim",
    clock,
    fetch: () => {
      calls++;
      return Promise.resolve(
        calls === 1
          ? new Response("busy", { status: 503 })
          : Response.json([{ id: "BTC-USD" }]),
      );
    },
    onError: (e) => errors.push(e),
  });
  await listing.start();
  assert.equal(listing.products, undefined);
  assert.match(listing.problem!, /503/);
  assert.equal(errors.length, 1);
  clock.advance(60_000);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(listing.products, new Set(["BTC-USD"]));
  assert.equal(listing.problem, undefined);
  listing.stop();
});
