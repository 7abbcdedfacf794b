/**
 * Coinbase Advanced Trade JWT authentication end to end: a valid CDP key is
 * accepted by the simulator's ES256 check on every subscribe, also after a
 * jump in time past the tokens' two-minute life; an expired or wrong key is
 * refused, shown in /health without key material (the wrong key runs as a
 * subprocess so every log line can be searched), and the gateway falls
 * back to unauthenticated subscriptions so public data keeps flowing.
 */

import assert from "node:assert/strict";
import { CoinbaseAdvancedSimulator } from "../src/simulator/coinbase_advanced.ts";
import { generateTestKey } from "../src/venues/coinbase_advanced/_test_keys.ts";
import {
  OffsetClock,
  startAdvancedStack,
} from "./_coinbase_advanced_harness.ts";
import { startGatewayProcess, tickgate, waitFor } from "./_harness.ts";

const CHANNELS = "candles,level2";

type Health = { status: string; problems: string[]; warnings: string[] };

async function health(port: number): Promise<[number, Health]> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return [res.status, await res.json()];
}

/** The payload of a JWT. */
function claims(jwt: unknown): { nbf: number; exp: number; sub: string } {
  const part = String(jwt).split(".")[1]!;
  return JSON.parse(
    new TextDecoder().decode(
      Uint8Array.fromBase64(part, { alphabet: "base64url" }),
    ),
  );
}

Deno.test("JWT: a valid key signs every subscribe, fresh after a jump past the two-minute expiry", async () => {
  const key = await generateTestKey();
  const simClock = new OffsetClock();
  const gwClock = new OffsetClock();
  await using s = await startAdvancedStack({
    sim: {
      clock: simClock,
      apiKeys: [{ name: key.name, publicKey: key.publicKey }],
      requireAuth: true,
    },
    env: {
      COINBASE_ADV_CHANNELS: CHANNELS,
      COINBASE_API_KEY: key.name,
      COINBASE_API_SECRET: key.secretPem,
    },
    clock: gwClock,
  });
  const { sim } = s;
  const ready = (id: number) => {
    const c = sim.clients().find((c) => c.id === id);
    return c?.authenticated === true && c.subscriptions.level2?.length === 2 &&
      c.subscriptions.candles?.length === 2 &&
      c.subscriptions.heartbeats !== undefined;
  };
  await waitFor("authenticated subscriptions", () => ready(1));
  const first = sim.clients()[0]!.received;
  assert.equal(first.length, 3);
  for (const m of first) {
    assert.equal(claims(m.jwt).sub, key.name);
  }
  assert.equal(
    new Set(first.map((m) => m.jwt)).size,
    3,
    "a fresh JWT per message",
  );
  await waitFor("book data", () => s.venue().stats.events.book >= 2);
  assert.equal(sim.sent.filter((f) => f.frame.type === "error").length, 0);
  const [code, h] = await health(s.gw.port);
  assert.equal(code, 200);
  assert.deepEqual(h.warnings, []);

  // Ten minutes later (for both sides) the earlier tokens are long expired:
  // the reconnect's messages carry new ones.
  simClock.offsetMs = gwClock.offsetMs = 10 * 60_000;
  sim.dropConnections();
  await waitFor("authenticated again", () => ready(2));
  const later = sim.clients().find((c) => c.id === 2)!.received;
  for (const m of later) {
    const { nbf, exp } = claims(m.jwt);
    assert.ok(Math.abs(nbf * 1000 - simClock.now()) < 60_000);
    assert.equal(exp - nbf, 120);
  }
  assert.equal(sim.sent.filter((f) => f.frame.type === "error").length, 0);
});

Deno.test("JWT: an expired token (clock 3 minutes behind) is refused; /health warns without key material and public data keeps flowing", async () => {
  const key = await generateTestKey();
  await using s = await startAdvancedStack({
    sim: { apiKeys: [{ name: key.name, publicKey: key.publicKey }] },
    env: {
      COINBASE_ADV_CHANNELS: CHANNELS,
      COINBASE_API_KEY: key.name,
      COINBASE_API_SECRET: key.secretPem,
    },
    clock: new OffsetClock(-3 * 60_000),
  });
  const { sim } = s;
  await waitFor(
    "the refusal",
    () => sim.sent.some((f) => f.frame.type === "error"),
  );
  const errors = sim.sent.filter((f) => f.frame.type === "error");
  assert.deepEqual(errors[0]!.frame, {
    type: "error",
    message: "authentication failure",
  });
  let h: Health | undefined;
  await waitFor("the warning", async () => {
    const [code, body] = await health(s.gw.port);
    h = body;
    return code === 200 && body.warnings.length > 0;
  });
  assert.equal(h!.status, "ok");
  assert.match(
    h!.warnings[0]!,
    /^coinbase-advanced: the API key was refused \(authentication failure\); subscribing without authentication, the key is used again for subscriptions after \d+ s$/,
  );
  // The replacement connection subscribes without a JWT, and data flows.
  await waitFor(
    "unauthenticated subscriptions",
    () =>
      sim.clients().some((c) =>
        !c.closed && c.subscriptions.level2?.length === 2 &&
        c.received.length > 0 && c.received.every((m) => m.jwt === undefined)
      ),
  );
  const before = s.venue().stats.events.book;
  await waitFor("book data", () => s.venue().stats.events.book > before + 2);
  const stats = await (await fetch(`http://127.0.0.1:${s.gw.port}/stats`))
    .text();
  for (const text of [JSON.stringify(h), stats]) {
    assert.ok(!text.includes(key.name));
    assert.ok(!text.includes(key.secretPem.split("\n")[1]!));
  }
});

Deno.test("JWT: a key the venue does not know is refused; no log line, /health, /stats or check-config output holds it", async () => {
  const known = await generateTestKey("organizations/org-1/apiKeys/known");
  const wrong = await generateTestKey("organizations/org-1/apiKeys/unknown");
  const sim = await CoinbaseAdvancedSimulator.start({
    apiKeys: [{ name: known.name, publicKey: known.publicKey }],
    tradesPerSecond: 10,
  });
  const env = {
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "debug",
    SUMMARY_INTERVAL_SEC: "1",
    HEALTH_GRACE_SEC: "0",
    VENUES: "coinbase-advanced",
    COINBASE_ADV_WS_URL: sim.url,
    COINBASE_ADV_CHANNELS: CHANNELS,
    COINBASE_API_KEY: wrong.name,
    COINBASE_API_SECRET: wrong.secretPem,
  };
  try {
    await using gw = await startGatewayProcess(env);
    let h: Health | undefined;
    await waitFor("the warning", async () => {
      const [, body] = await health(gw.port);
      h = body;
      return body.warnings.some((w) => w.includes("API key was refused"));
    });
    assert.equal(h!.status, "ok");
    await waitFor(
      "data without authentication",
      () =>
        sim.clients().some((c) =>
          !c.closed && c.subscriptions.candles?.length === 2
        ),
    );
    const stats = await (await fetch(`http://127.0.0.1:${gw.port}/stats`))
      .text();
    assert.equal(await gw.stop(), 0);
    const logs = gw.logs();
    assert.match(logs, /the API key was refused \(authentication failure\)/);
    const config = await tickgate(["check-config"], env).output();
    const texts = [
      JSON.stringify(h),
      stats,
      logs,
      new TextDecoder().decode(config.stdout),
      new TextDecoder().decode(config.stderr),
    ];
    const pemLines = wrong.secretPem.split("\n").filter((l) =>
      l !== "" && !l.startsWith("-----")
    );
    for (const text of texts) {
      assert.ok(!text.includes(wrong.name), "no key name");
      for (const line of pemLines) assert.ok(!text.includes(line), "no PEM");
    }
  } finally {
    await sim.close();
  }
});
