import assert from "node:assert/strict";
import { ConfigError, loadConfig, redactConfig } from "./config.ts";
import { generateTestKey } from "./venues/coinbase_advanced/_test_keys.ts";

Deno.test("Coinbase Advanced defaults: 5-minute candles of BTC-USD and ETH-USD with heartbeats, no key", async () => {
  const { coinbaseAdvanced } = await loadConfig({ env: {} });
  assert.deepEqual(coinbaseAdvanced, {
    wsUrl: "wss://advanced-trade-ws.coinbase.com",
    products: ["BTC-USD", "ETH-USD"],
    channels: ["candles", "heartbeats"],
    apiKey: undefined,
    apiSecret: undefined,
  });
});

Deno.test("COINBASE_ADV_CHANNELS always gets heartbeats; unknown channels are named", async () => {
  const c = await loadConfig({
    env: {
      COINBASE_ADV_CHANNELS: "market_trades,level2",
      COINBASE_ADV_PRODUCTS: "sol-usd",
      COINBASE_ADV_WS_URL: "ws://127.0.0.1:9100",
    },
  });
  assert.deepEqual(c.coinbaseAdvanced.channels, [
    "market_trades",
    "level2",
    "heartbeats",
  ]);
  assert.deepEqual(c.coinbaseAdvanced.products, ["SOL-USD"]);
  assert.equal(c.coinbaseAdvanced.wsUrl, "ws://127.0.0.1:9100");
  await assert.rejects(
    loadConfig({ env: { COINBASE_ADV_CHANNELS: "candles,level3" } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /COINBASE_ADV_CHANNELS: unknown value "level3"/.test(e.message),
  );
});

Deno.test("a CDP key: both parts, from variables or files; a key that cannot sign is a config error quoting nothing", async () => {
  const key = await generateTestKey("organizations/o/apiKeys/k1");
  const ok = await loadConfig({
    env: { COINBASE_API_KEY: key.name, COINBASE_API_SECRET: key.secretPem },
  });
  assert.equal(ok.coinbaseAdvanced.apiSecret, key.secretPem);
  const redacted = JSON.stringify(redactConfig(ok));
  assert.ok(!redacted.includes(key.name));
  assert.ok(!redacted.includes(key.secretPem.split("\n")[1]!));

  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/secret.pem`, key.secretPem);
  const fromFile = await loadConfig({
    env: {
      COINBASE_API_KEY: key.name,
      COINBASE_API_SECRET_FILE: `${dir}/secret.pem`,
    },
  });
  assert.equal(fromFile.coinbaseAdvanced.apiSecret, key.secretPem.trim());
  await Deno.remove(dir, { recursive: true });

  await assert.rejects(
    loadConfig({ env: { COINBASE_API_KEY: key.name } }),
    /COINBASE_API_SECRET: required when COINBASE_API_KEY is set/,
  );
  const body = key.secretPem.split("\n")[1]!;
  const broken = key.secretPem.replace(body, body.slice(0, 30));
  await assert.rejects(
    loadConfig({
      env: { COINBASE_API_KEY: key.name, COINBASE_API_SECRET: broken },
    }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /COINBASE_API_SECRET: /);
      assert.ok(!e.message.includes(body.slice(0, 30)), e.message);
      return true;
    },
  );
});
