import assert from "node:assert/strict";
import { ConfigError, loadConfig, redactConfig } from "./config.ts";

Deno.test("Bybit defaults: mainnet spot, BTCUSDT and ETHUSDT trades, no private stream", async () => {
  const { bybit } = await loadConfig({ env: {} });
  assert.deepEqual(bybit, {
    environment: "mainnet",
    category: "spot",
    symbols: ["BTCUSDT", "ETHUSDT"],
    topics: ["publicTrade"],
    publicUrl: "wss://stream.bybit.com/v5/public/spot",
    privateUrl: "wss://stream.bybit.com/v5/private",
    restUrl: "https://api.bybit.com",
    apiKey: undefined,
    apiSecret: undefined,
  });
});

Deno.test("BYBIT_ENVIRONMENT and BYBIT_CATEGORY pick hosts and path; a bare BYBIT_WS_URL serves both streams", async () => {
  const testnet = await loadConfig({
    env: { BYBIT_ENVIRONMENT: "testnet", BYBIT_CATEGORY: "linear" },
  });
  assert.equal(
    testnet.bybit.publicUrl,
    "wss://stream-testnet.bybit.com/v5/public/linear",
  );
  assert.equal(
    testnet.bybit.privateUrl,
    "wss://stream-testnet.bybit.com/v5/private",
  );
  assert.equal(testnet.bybit.restUrl, "https://api-testnet.bybit.com");
  const sim = await loadConfig({
    env: { BYBIT_WS_URL: "ws://127.0.0.1:9000/", BYBIT_CATEGORY: "inverse" },
  });
  assert.equal(sim.bybit.publicUrl, "ws://127.0.0.1:9000/v5/public/inverse");
  assert.equal(sim.bybit.privateUrl, "ws://127.0.0.1:9000/v5/private");
  const full = await loadConfig({
    env: { BYBIT_WS_URL: "wss://stream.bybit.tr/v5/public/spot" },
  });
  assert.equal(full.bybit.publicUrl, "wss://stream.bybit.tr/v5/public/spot");
  assert.equal(full.bybit.privateUrl, "wss://stream.bybit.com/v5/private");
});

Deno.test("Bybit credentials come from variables or files, both or neither, and never show", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/key`, "file-key-123\n");
    await Deno.writeTextFile(`${dir}/secret`, "file-secret-456\n");
    const c = await loadConfig({
      env: {
        BYBIT_API_KEY_FILE: `${dir}/key`,
        BYBIT_API_SECRET_FILE: `${dir}/secret`,
      },
    });
    assert.equal(c.bybit.apiKey, "file-key-123");
    assert.equal(c.bybit.apiSecret, "file-secret-456");
    const shown = JSON.stringify(redactConfig(c));
    assert.equal(shown.includes("file-key-123"), false);
    assert.equal(shown.includes("file-secret-456"), false);
    await assert.rejects(
      loadConfig({ env: { BYBIT_API_KEY: "only-the-key" } }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(
          e.message,
          /BYBIT_API_SECRET: required when BYBIT_API_KEY/,
        );
        assert.equal(e.message.includes("only-the-key"), false);
        return true;
      },
    );
    await assert.rejects(
      loadConfig({
        env: {
          BYBIT_API_KEY: "k",
          BYBIT_API_SECRET_FILE: `${dir}/missing`,
        },
      }),
      /BYBIT_API_SECRET_FILE: .*missing: file not found/,
    );
    await assert.rejects(
      loadConfig({
        env: {
          BYBIT_API_KEY: "k",
          BYBIT_API_KEY_FILE: `${dir}/key`,
          BYBIT_API_SECRET: "s",
        },
      }),
      /BYBIT_API_KEY_FILE: BYBIT_API_KEY is set too/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BYBIT_TOPICS and BYBIT_CATEGORY are checked and named in errors", async () => {
  await assert.rejects(
    loadConfig({ env: { BYBIT_TOPICS: "publicTrade,orderbook.25" } }),
    /BYBIT_TOPICS: unknown value "orderbook.25"/,
  );
  await assert.rejects(
    loadConfig({ env: { BYBIT_TOPICS: "orderbook.1,orderbook.50" } }),
    /BYBIT_TOPICS: at most one orderbook depth/,
  );
  await assert.rejects(
    loadConfig({
      env: { BYBIT_WS_URL: "http://x", BYBIT_REST_URL: "ftp://y" },
    }),
    /BYBIT_WS_URL: expected a ws:\/\/ or wss:\/\/ URL[^]*BYBIT_REST_URL: expected an http:\/\/ or https:\/\/ URL/,
  );
  await assert.rejects(
    loadConfig({ env: { BYBIT_CATEGORY: "option" } }),
    /BYBIT_CATEGORY: expected one of spot, linear, inverse/,
  );
  const c = await loadConfig({
    env: {
      BYBIT_TOPICS: "publicTrade,tickers,orderbook.50,kline.5",
      BYBIT_SYMBOLS: "btcusdt, solusdt",
    },
  });
  assert.deepEqual(c.bybit.topics, [
    "publicTrade",
    "tickers",
    "orderbook.50",
    "kline.5",
  ]);
  assert.deepEqual(c.bybit.symbols, ["BTCUSDT", "SOLUSDT"]);
});
