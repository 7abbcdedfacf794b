import assert from "node:assert/strict";
import { coinbaseStreams, controlFrames } from "./protocol.ts";

Deno.test("coinbaseStreams() makes one stream per channel and product, status once", () => {
  const s = coinbaseStreams(["ticker", "status"], ["BTC-USD", "ETH-USD"]);
  assert.deepEqual(s.map((x) => x.key), [
    "ticker:BTC-USD",
    "ticker:ETH-USD",
    "status",
  ]);
  assert.equal(s[2]!.symbol, "");
});

Deno.test("controlFrames() groups by channel and splits large product lists", () => {
  const small = controlFrames(
    "subscribe",
    coinbaseStreams(["ticker", "matches", "heartbeat", "status"], [
      "BTC-USD",
      "ETH-USD",
    ]),
  );
  assert.deepEqual(small.map((f) => JSON.parse(f)), [{
    type: "subscribe",
    channels: [
      { name: "ticker", product_ids: ["BTC-USD", "ETH-USD"] },
      { name: "matches", product_ids: ["BTC-USD", "ETH-USD"] },
      { name: "heartbeat", product_ids: ["BTC-USD", "ETH-USD"] },
      { name: "status" },
    ],
  }]);
  const products = Array.from({ length: 250 }, (_, i) => `C${i}-USD`);
  const big = controlFrames(
    "unsubscribe",
    coinbaseStreams(["matches"], products),
  )
    .map((f) => JSON.parse(f));
  assert.equal(big.length, 3);
  for (const f of big) {
    assert.equal(f.type, "unsubscribe");
    const ids = f.channels.flatMap((c: { product_ids: string[] }) =>
      c.product_ids
    );
    assert.ok(ids.length <= 100);
  }
  const all = big.flatMap((f) =>
    f.channels.flatMap((c: { product_ids: string[] }) => c.product_ids)
  );
  assert.deepEqual(all, products);
});
