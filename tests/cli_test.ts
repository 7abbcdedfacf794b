/**
 * The command line as users run it: a subprocess of `main.ts` with the same
 * permission flags as `deno task start`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { CoinbaseSimulator } from "../src/simulator/coinbase.ts";
import {
  readEvents,
  startGatewayProcess,
  tickgate,
  waitFor,
} from "./_harness.ts";

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await tickgate(args, env).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** `tickgate simulate …` as a subprocess, once it printed its URL (and `ready` holds). */
async function simulateProcess(
  args: string[],
  ready: (output: string) => boolean = () => true,
) {
  const child = tickgate(["simulate", ...args]).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | undefined;
  while (url === undefined || !ready(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    url = /listening on (ws:\/\/[^\s:]+:\d+)/.exec(text)?.[1];
  }
  assert.ok(url, `no URL in: ${text}`);
  return {
    url,
    /** Sends `signal`, waits for `closed` (e.g. a client's close), returns the exit code. */
    async stop(signal: Deno.Signal, closed: Promise<unknown>): Promise<number> {
      child.kill(signal);
      await closed;
      await reader.cancel();
      await child.stdout.cancel();
      return (await child.status).code;
    },
  };
}

Deno.test("cli: a bad environment value exits 2 with a message naming it", async () => {
  for (const command of ["run", "check-config", "demo"]) {
    const r = await run([command], { PORT: "eighty", LOG_LEVEL: "loud" });
    assert.equal(r.code, 2, `${command}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /PORT: expected an integer between 0 and 65535, got "eighty"/,
    );
    assert.match(
      r.stderr,
      /LOG_LEVEL: expected one of debug, info, warning, error/,
    );
  }
});

Deno.test("cli: check-config prints the effective config without secrets", async () => {
  const r = await run(["check-config"], {
    API_KEY: "very-secret-value",
    COINBASE_PRODUCTS: "SOL-USD",
  });
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout);
  assert.equal(config.apiKey, "***");
  assert.deepEqual(config.coinbase.products, ["SOL-USD"]);
  assert.ok(!r.stdout.includes("very-secret-value"));
  assert.ok(!r.stderr.includes("very-secret-value"));
});

Deno.test("cli: --version, --help, and usage errors", async () => {
  const v = await run(["--version"]);
  assert.equal(v.code, 0);
  assert.match(
    v.stdout,
    /^tickgate \d+\.\d+\.\d+ \(commit \S+, deno \d+\.\d+\.\d+\)/,
  );
  const h = await run(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /tickgate simulate coinbase/);
  const bad = await run(["frobnicate"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  const badFlag = await run(["--colour"]);
  assert.equal(badFlag.code, 2);
  const badVenue = await run(["simulate", "kraken"]);
  assert.equal(badVenue.code, 2);
  assert.match(badVenue.stderr, /available: coinbase/);
  const badProducts = await run(["simulate", "coinbase", "--products", "btc"]);
  assert.equal(badProducts.code, 2);
  assert.match(badProducts.stderr, /cannot start the simulator: .*"btc"/);
});

Deno.test("cli: SIGTERM flushes the sinks (file and stdout), closes sockets and exits 0", async () => {
  const sim = await CoinbaseSimulator.start({ tradesPerSecond: 50 });
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "events.ndjson");
    const child = tickgate(["run"], {
      HOST: "127.0.0.1",
      PORT: "0",
      VENUES: "coinbase",
      COINBASE_WS_URL: sim.url,
      SINKS: `file:${path},stdout`,
      LOG_LEVEL: "debug",
    }).spawn();
    // Wait until trades reach the file, then stop it mid-stream.
    await waitFor("events on disk", async () => {
      try {
        return (await Deno.stat(path)).size > 2_000;
      } catch {
        return false;
      }
    });
    await waitFor("a connected client", () => sim.connections === 1);
    child.kill("SIGTERM");
    const exited = await Promise.race([
      child.output(),
      new Promise<null>((r) => setTimeout(() => r(null), 8_000)),
    ]);
    if (exited === null) {
      child.kill("SIGKILL");
      await child.output();
      assert.fail("tickgate did not exit after SIGTERM");
    }
    const stderr = new TextDecoder().decode(exited.stderr);
    assert.equal(exited.code, 0, stderr);
    assert.match(stderr, /Received SIGTERM; shutting down/);
    assert.match(stderr, /Stopped after \d+ ms/);
    await waitFor("the simulator saw the close", () => sim.connections === 0);
    // Everything was flushed: the file ends with a complete line and every
    // line parses.
    const text = await Deno.readTextFile(path);
    assert.ok(text.endsWith("\n"));
    const events = await readEvents(path);
    assert.ok(events.some((e) => e.kind === "trade"));
    // stdout carried the same events, in the same order, as NDJSON.
    const stdout = new TextDecoder().decode(exited.stdout);
    assert.ok(stdout.endsWith("\n"));
    assert.deepEqual(
      stdout.trim().split("\n").map((l) => JSON.parse(l)),
      events,
    );
    // Logs are JSON lines on stderr.
    for (const line of stderr.trim().split("\n")) JSON.parse(line);
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: simulate coinbase serves the ws-feed protocol until SIGINT", async () => {
  const sim = await simulateProcess([
    "coinbase",
    "--port",
    "0",
    "--rate",
    "20",
  ]);
  const ws = new WebSocket(sim.url);
  const frames: Record<string, unknown>[] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((r) => ws.onopen = r);
  ws.send(JSON.stringify({
    type: "subscribe",
    product_ids: ["BTC-USD"],
    channels: ["matches"],
  }));
  await waitFor("a match", () => frames.some((f) => f.type === "match"));
  assert.equal(frames[0]!.type, "subscriptions");
  assert.equal(frames[1]!.type, "last_match");
  const closed = new Promise((r) => ws.onclose = r);
  assert.equal(await sim.stop("SIGINT", closed), 0);
});

Deno.test("cli: simulate bybit serves the v5 public protocol until SIGTERM", async () => {
  const sim = await simulateProcess(
    ["bybit", "--port", "0"],
    (text) => text.includes("BYBIT_API_SECRET="),
  );
  const ws = new WebSocket(`${sim.url}/v5/public/spot`);
  const frames: Record<string, unknown>[] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((r) => ws.onopen = r);
  ws.send('{"op":"subscribe","args":["publicTrade.BTCUSDT"],"req_id":"7"}');
  await waitFor(
    "a trade",
    () => frames.some((f) => f.topic === "publicTrade.BTCUSDT"),
  );
  assert.deepEqual(
    { ...frames[0], conn_id: undefined },
    {
      success: true,
      ret_msg: "subscribe",
      conn_id: undefined,
      req_id: "7",
      op: "subscribe",
    },
  );
  const closed = new Promise((r) => ws.onclose = r);
  assert.equal(await sim.stop("SIGTERM", closed), 0);
});

Deno.test("cli: simulate coinbase-advanced serves the Advanced Trade protocol", async () => {
  const sim = await simulateProcess(["coinbase-advanced", "--port", "0"]);
  const ws = new WebSocket(sim.url);
  const frames: Record<string, unknown>[] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((r) => ws.onopen = r);
  ws.send('{"type":"subscribe","channel":"heartbeats"}');
  ws.send('{"type":"subscribe","channel":"candles","product_ids":["BTC-USD"]}');
  await waitFor("a candle", () => frames.some((f) => f.channel === "candles"));
  assert.ok(frames.some((f) => f.channel === "subscriptions"));
  assert.deepEqual(
    frames.map((f) => f.sequence_num),
    frames.map((_, i) => i),
    "one sequence_num line from 0",
  );
  const closed = new Promise((r) => ws.onclose = r);
  assert.equal(await sim.stop("SIGTERM", closed), 0);
});

Deno.test("cli: demo runs every venue against its simulator, Coinbase Advanced candles included", async () => {
  await using gw = await startGatewayProcess({
    HOST: "127.0.0.1",
    PORT: "0",
    SUMMARY_INTERVAL_SEC: "0",
  }, ["demo"]);
  type VenueStatsBody = {
    events: Record<string, number>;
    connections: { state: string }[];
  };
  let venues: Record<string, VenueStatsBody> = {};
  await waitFor("data from every venue", async () => {
    const res = await fetch(`http://127.0.0.1:${gw.port}/stats`);
    venues = (await res.json()).venues;
    return ["coinbase", "coinbase-advanced", "binance", "bybit"].every((v) =>
      Object.values(venues[v]?.events ?? {}).some((n) => n > 0)
    ) && (venues["coinbase-advanced"]?.events.candle ?? 0) > 0;
  });
  assert.ok(
    venues["coinbase-advanced"]!.connections.every((c) => c.state === "open"),
  );
  assert.equal(await gw.stop(), 0);
});
