import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, loadConfig, redactConfig } from "./config.ts";

async function errorOf(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  throw new Error("expected a ConfigError");
}

Deno.test("loadConfig() applies the documented defaults", async () => {
  const c = await loadConfig({ env: {} });
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.logLevel, "info");
  assert.equal(c.logFormat, "json");
  assert.deepEqual(c.venues, [
    "coinbase",
    "coinbase-advanced",
    "binance",
    "bybit",
  ]);
  assert.equal(c.coinbase.wsUrl, "wss://ws-feed.exchange.coinbase.com");
  assert.deepEqual(c.coinbase.products, ["BTC-USD", "ETH-USD"]);
  assert.deepEqual(c.coinbase.channels, ["ticker", "matches", "heartbeat"]);
  assert.deepEqual(c.sinks, []);
  assert.equal(c.apiKey, undefined);
  assert.equal(c.health.graceSec, 300);
  assert.equal(c.health.staleSec, 60);
});

Deno.test("loadConfig() parses lists, numbers and sink URLs from the environment", async () => {
  const c = await loadConfig({
    env: {
      PORT: " 9000 ",
      VENUES: "coinbase",
      COINBASE_PRODUCTS: "btc-usd, sol-usd",
      COINBASE_CHANNELS: "matches,level2_batch,status",
      LOG_LEVEL: "WARN",
      SINKS: "stdout?kinds=trade,ticker,file:/tmp/x.ndjson",
      IGNORED_VARIABLE: "x",
    },
  });
  assert.equal(c.port, 9000);
  assert.deepEqual(c.venues, ["coinbase"]);
  assert.deepEqual(c.coinbase.products, ["BTC-USD", "SOL-USD"]);
  assert.deepEqual(c.coinbase.channels, ["matches", "level2_batch", "status"]);
  assert.equal(c.logLevel, "warning");
  assert.deepEqual(c.sinks.map((s) => s.name), ["stdout-1", "file-2"]);
  assert.deepEqual([...c.sinks[0]!.filter.kinds!], ["trade", "ticker"]);
});

Deno.test("loadConfig() names every bad variable and what it expects", async () => {
  const e = await errorOf(loadConfig({
    env: {
      PORT: "80a",
      LOG_FORMAT: "xml",
      VENUES: "coinbase,kraken",
      COINBASE_WS_URL: "https://x",
      COINBASE_CHANNELS: "level3",
      SINKS: "redis://h:6379",
      RECONNECT_BASE_MS: "5000",
      RECONNECT_MAX_MS: "100",
    },
  }));
  const text = e.message;
  assert.match(
    text,
    /PORT: expected an integer between 0 and 65535, got "80a"/,
  );
  assert.match(text, /LOG_FORMAT: expected one of json, pretty, got "xml"/);
  assert.match(text, /VENUES: unknown value "kraken"/);
  assert.match(text, /COINBASE_WS_URL: expected a ws:\/\/ or wss:\/\/ URL/);
  assert.match(text, /COINBASE_CHANNELS: unknown value "level3"/);
  assert.equal(e.problems.length, 5); // schema errors first; cross-field checks after
  const e2 = await errorOf(loadConfig({
    env: {
      SINKS: "kafka://h:9092?format=flat",
      RECONNECT_BASE_MS: "5000",
      RECONNECT_MAX_MS: "100",
    },
  }));
  assert.match(e2.message, /SINKS: .*format "flat" is not available for kafka/);
  assert.match(
    e2.message,
    /RECONNECT_MAX_MS: expected at least RECONNECT_BASE_MS/,
  );
});

Deno.test("loadConfig() layers a JSON file under the environment", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "tickgate.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        PORT: 7000,
        HOST: "127.0.0.1",
        COINBASE_PRODUCTS: ["BTC-USD", "ADA-USD"],
        SINKS: ["stdout?kinds=trade", "file:/tmp/y.ndjson"],
      }),
    );
    const c = await loadConfig({ env: { PORT: "7100" }, file });
    assert.equal(c.port, 7100); // env wins
    assert.equal(c.host, "127.0.0.1");
    assert.deepEqual(c.coinbase.products, ["BTC-USD", "ADA-USD"]);
    assert.equal(c.sinks.length, 2);
    const viaEnv = await loadConfig({ env: { TICKGATE_CONFIG: file } });
    assert.equal(viaEnv.port, 7000);

    await Deno.writeTextFile(file, JSON.stringify({ PROT: 1, PORT: "x" }));
    const e = await errorOf(loadConfig({ env: {}, file }));
    assert.match(e.message, /PROT \(in .*tickgate\.json\): unknown setting/);
    await Deno.writeTextFile(file, "{oops");
    assert.match(
      (await errorOf(loadConfig({ env: {}, file }))).message,
      /not valid JSON/,
    );
    assert.match(
      (await errorOf(loadConfig({ env: {}, file: join(dir, "nope.json") })))
        .message,
      /file not found/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("redactConfig() never shows the API key", async () => {
  const c = await loadConfig({
    env: { API_KEY: "s3cret-key", SINKS: "file:/tmp/x.ndjson?name=pass" },
  });
  const text = JSON.stringify(redactConfig(c));
  assert.ok(!text.includes("s3cret-key"));
  assert.match(text, /"apiKey":"\*\*\*"/);
});

Deno.test("Binance and discovery settings: defaults, lists, errors naming the field", async () => {
  const d = await loadConfig({ env: {} });
  assert.deepEqual(d.binance, {
    wsUrl: "wss://stream.binance.com:9443",
    restUrl: "https://api.binance.com",
    channels: ["trade"],
    pairs: undefined,
    depthLimit: 1000,
    pairsPerConnection: 50,
  });
  assert.deepEqual(d.discovery.fallback, ["BTCUSDT", "ETHUSDT", "SOLUSDT"]);
  assert.equal(d.discovery.limit, 200);
  assert.equal(d.discovery.refreshSec, 3600);
  const c = await loadConfig({
    env: {
      BINANCE_PAIRS: "btcusdt, ETHUSDT,btcusdt",
      BINANCE_STREAMS: "trade,depth,kline_5m",
      BINANCE_REST_URL: "http://127.0.0.1:9000/",
      DISCOVERY_QUOTE: "fdusd",
      COINGECKO_API_KEY: "cg-secret",
    },
  });
  assert.deepEqual(c.binance.pairs, ["BTCUSDT", "ETHUSDT"]);
  assert.deepEqual(c.binance.channels, ["trade", "depth", "kline_5m"]);
  assert.equal(c.binance.restUrl, "http://127.0.0.1:9000");
  assert.equal(c.discovery.quote, "FDUSD");
  const shown = JSON.stringify(redactConfig(c));
  assert.ok(!shown.includes("cg-secret"));
  const e = await errorOf(loadConfig({
    env: {
      BINANCE_STREAMS: "trade,kline_7m",
      PAIRS_PER_CONNECTION: "2000",
      COINGECKO_API_KEY: "cg-secret",
      DISCOVERY_REFRESH_SEC: "5",
    },
  }));
  assert.match(e.message, /BINANCE_STREAMS: unknown value "kline_7m"/);
  assert.match(
    e.message,
    /PAIRS_PER_CONNECTION: expected an integer between 1 and 1024/,
  );
  assert.match(
    e.message,
    /DISCOVERY_REFRESH_SEC: expected an integer between 60/,
  );
  assert.ok(!e.message.includes("cg-secret"));
});
