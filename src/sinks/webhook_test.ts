import assert from "node:assert/strict";
import type { TradeEvent } from "../core/events.ts";
import { WebhookServer } from "../../tests/_webhook_server.ts";
import { VERSION } from "../version.ts";
import { DeliveryError, type SinkDriver } from "./types.ts";
import { parseSinkUrl, SinkUrlError } from "./url.ts";
import {
  createWebhookDriver,
  validateWebhookOptions,
  webhookOptions,
} from "./webhook.ts";
import { parseRetryAfter } from "./webhook_response.ts";

const TOKEN = "s3cret-token-value";

function trade(i: number): TradeEvent {
  return {
    id: `coinbase:BTC-USD:trade:${i}`,
    kind: "trade",
    venue: "coinbase",
    symbol: "BTC-USD",
    nativeSymbol: "BTC-USD",
    exchangeTs: 1_700_000_000_000 + i,
    receivedTs: 1_700_000_000_001 + i,
    tradeId: String(i),
    price: "42000.01",
    size: "0.00100000",
    side: i % 2 === 0 ? "buy" : "sell",
  };
}

/** A driver for `url`; `token` null sends no token. */
function driver(url: string, token: string | null = TOKEN): SinkDriver {
  return createWebhookDriver(parseSinkUrl(url, 1), {
    streamMaxlen: 0,
    webhookToken: token ?? undefined,
  });
}

/** The DeliveryError `send` rejects with. */
async function failure(d: SinkDriver, n = 1): Promise<DeliveryError> {
  const batch = Array.from({ length: n }, (_, i) => trade(i));
  const error = await d.send(batch).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DeliveryError, `expected a DeliveryError`);
  return error;
}

Deno.test("webhook options: defaults, and bad values named at config load", () => {
  assert.deepEqual(
    webhookOptions(parseSinkUrl("https://in.example.com/e?kinds=trade", 1)),
    {
      url: "https://in.example.com/e",
      timeoutMs: 10_000,
      environment: "production",
      format: "envelope",
    },
  );
  assert.deepEqual(
    webhookOptions(
      parseSinkUrl(
        "http://h:8080/e?timeout_ms=250&environment=staging&format=canonical",
        1,
      ),
    ),
    {
      url: "http://h:8080/e",
      timeoutMs: 250,
      environment: "staging",
      format: "canonical",
    },
  );
  for (const bad of ["0", "-5", "1.5", "abc", "", "1e3", "600001"]) {
    assert.throws(
      () =>
        validateWebhookOptions(parseSinkUrl(`http://h/e?timeout_ms=${bad}`, 1)),
      (e: unknown) => e instanceof SinkUrlError && /timeout_ms/.test(e.message),
      `timeout_ms=${bad}`,
    );
  }
  assert.throws(
    () => validateWebhookOptions(parseSinkUrl("http://h/e?environment=", 1)),
    (e: unknown) => e instanceof SinkUrlError && /environment/.test(e.message),
  );
  assert.throws(
    () => validateWebhookOptions(parseSinkUrl("http://", 1)),
    SinkUrlError,
  );
});

Deno.test("parseRetryAfter: delta seconds and HTTP dates", () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 30);
  assert.equal(parseRetryAfter("2", now), 2000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-3", now), undefined);
});

Deno.test("webhook POSTs one event as an object and a batch as an array, with headers", async () => {
  await using server = WebhookServer.start();
  const d = driver(`${server.origin}/ingest?timeout_ms=2000&format=canonical`);
  await d.connect();
  await d.send([trade(1)]);
  await d.send([trade(2), trade(3)]);
  await d.close();
  assert.equal(server.requests.length, 2);
  const [one, two] = server.requests;
  for (const r of [one!, two!]) {
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/ingest");
    assert.equal(r.headers.get("authorization"), `Bearer ${TOKEN}`);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(r.headers.get("user-agent"), `tickgate/${VERSION}`);
  }
  assert.equal(one!.body, JSON.stringify(trade(1)));
  assert.equal(
    two!.body,
    `[${JSON.stringify(trade(2))},${JSON.stringify(trade(3))}]`,
  );
  assert.deepEqual(d.details?.(), { lastStatus: 200, requests: 2, non2xx: {} });
});

Deno.test("webhook envelope body, and no Authorization header without a token", async () => {
  await using server = WebhookServer.start();
  const d = driver(`${server.origin}/e?environment=staging`, null);
  await d.send([trade(7)]);
  await d.send([trade(8), trade(9)]);
  const [one, two] = server.requests;
  assert.equal(one!.headers.get("authorization"), null);
  const env = one!.json as Record<string, unknown>;
  assert.equal(env.event_type, "trade");
  assert.equal(env.event_id, "coinbase-BTC-USD-trade-7");
  assert.deepEqual(env.source, {
    service: "tickgate",
    endpoint: "coinbase/trade",
    method: "websocket",
    version: VERSION,
    environment: "staging",
  });
  assert.ok(Array.isArray(two!.json));
  assert.deepEqual(
    (two!.json as { event_id: string }[]).map((e) => e.event_id),
    ["coinbase-BTC-USD-trade-8", "coinbase-BTC-USD-trade-9"],
  );
});

Deno.test("webhook 401 is permanent, with the status and no token in the message", async () => {
  await using server = WebhookServer.start();
  server.always({ status: 401, body: `{"error":"bad token ${TOKEN}"}` });
  const d = driver(`${server.origin}/ingest?timeout_ms=2000`);
  const e = await failure(d, 2);
  assert.equal(e.permanent, true);
  assert.equal(e.status, 401);
  assert.equal(e.retryAfterMs, undefined);
  assert.equal(e.message, `HTTP 401 Unauthorized from ${server.origin}/ingest`);
  assert.ok(!e.message.includes(TOKEN));
  assert.equal(server.requests.length, 1);
  assert.deepEqual(d.details?.(), {
    lastStatus: 401,
    requests: 1,
    non2xx: { "401": 1 },
  });
  assert.ok(!JSON.stringify(d.details?.()).includes(TOKEN));
});

Deno.test("webhook 400/404/413 and a final 3xx are permanent; 408 is retryable", async () => {
  await using server = WebhookServer.start();
  const d = driver(`${server.origin}/ingest`);
  for (const status of [400, 404, 413, 300]) {
    server.next({ status });
    const e = await failure(d);
    assert.equal(e.permanent, true, `status ${status}`);
    assert.equal(e.status, status);
  }
  server.next({ status: 408 });
  const e = await failure(d);
  assert.equal(e.permanent, false);
  assert.equal(e.status, 408);
  assert.deepEqual(d.details?.(), {
    lastStatus: 408,
    requests: 5,
    non2xx: { "300": 1, "400": 1, "404": 1, "408": 1, "413": 1 },
  });
});

Deno.test("webhook never follows a redirect: the batch is not re-sent elsewhere or as a GET, and the error names where it pointed", async () => {
  await using server = WebhookServer.start();
  const d = driver(`${server.origin}/ingest`);
  for (const status of [301, 302, 303, 307, 308]) {
    const before = server.requests.length;
    server.next({
      status,
      location: `${server.origin}/moved?token=${TOKEN}`,
    });
    const e = await failure(d);
    assert.equal(e.permanent, true, `status ${status}`);
    assert.equal(e.status, status);
    assert.match(e.message, /redirect.*\/moved\?token=\*\*\*/);
    assert.doesNotMatch(e.message, new RegExp(TOKEN));
    assert.deepEqual(
      server.requests.slice(before).map((r) => `${r.method} ${r.path}`),
      ["POST /ingest"],
      `status ${status}`,
    );
  }
});

Deno.test("webhook 503 is retryable, honouring Retry-After when given", async () => {
  await using server = WebhookServer.start();
  server.next({ status: 503 });
  server.next({ status: 502, retryAfter: "3" });
  const d = driver(`${server.origin}/ingest`);
  const e = await failure(d);
  assert.equal(e.permanent, false);
  assert.equal(e.status, 503);
  assert.equal(e.retryAfterMs, undefined);
  assert.equal(
    e.message,
    `HTTP 503 Service Unavailable from ${server.origin}/ingest`,
  );
  const e2 = await failure(d);
  assert.equal(e2.permanent, false);
  assert.equal(e2.status, 502);
  assert.equal(e2.retryAfterMs, 3000);
  await d.send([trade(1)]); // the server recovered: the same driver delivers
  assert.equal(server.accepted().length, 1);
});

Deno.test("webhook 429 carries Retry-After as delta seconds or an HTTP date", async () => {
  await using server = WebhookServer.start();
  server.next({ status: 429, retryAfter: "2" });
  const later = new Date(Date.now() + 60_000).toUTCString();
  server.next({ status: 429, retryAfter: later });
  server.next({ status: 429 });
  const d = driver(`${server.origin}/ingest`);
  const e = await failure(d);
  assert.equal(e.permanent, false);
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterMs, 2000);
  const e2 = await failure(d);
  assert.equal(e2.status, 429);
  // An HTTP date has whole seconds: about 59–60 s from now.
  assert.ok(
    e2.retryAfterMs !== undefined && e2.retryAfterMs > 30_000 &&
      e2.retryAfterMs <= 60_000,
    `retryAfterMs ${e2.retryAfterMs}`,
  );
  const e3 = await failure(d);
  assert.equal(e3.retryAfterMs, undefined);
});

Deno.test("webhook hang past timeout_ms is a retryable timeout, then recovers", async () => {
  await using server = WebhookServer.start();
  server.next("hang");
  const d = driver(`${server.origin}/ingest?timeout_ms=200`);
  const e = await failure(d);
  assert.equal(e.permanent, false);
  assert.equal(e.status, undefined);
  assert.equal(
    e.message,
    `POST ${server.origin}/ingest timed out after 200 ms`,
  );
  assert.equal(d.details?.().lastStatus, null);
  await d.send([trade(5)]);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(
    server.accepted().map((e) => (e as { event_id: string }).event_id),
    ["coinbase-BTC-USD-trade-5"],
  );
});

Deno.test("webhook network errors are retryable", async () => {
  const server = WebhookServer.start();
  const origin = server.origin;
  await server.close(); // nothing listens there any more
  const e = await failure(driver(`${origin}/ingest?timeout_ms=2000`));
  assert.equal(e.permanent, false);
  assert.equal(e.status, undefined);
  assert.match(
    e.message,
    new RegExp(`^POST ${origin}/ingest failed: fetch failed: .*refused`),
  );
});

Deno.test("webhook refuses a token no HTTP header can carry, without showing it", () => {
  for (const bad of ["tok\nen-secret", "tok en-secret", "tök-en-secret"]) {
    assert.throws(
      () => driver("http://127.0.0.1:9/ingest", bad),
      (e: unknown) =>
        e instanceof TypeError && /WEBHOOK_TOKEN/.test(e.message) &&
        !e.message.includes("en-secret"),
    );
  }
});

Deno.test("webhook close() aborts a hanging request", async () => {
  await using server = WebhookServer.start();
  server.always("hang");
  const d = driver(`${server.origin}/ingest?timeout_ms=60000`);
  const pending = failure(d);
  await server.waitForRequests(1);
  await d.close();
  const e = await pending;
  assert.equal(e.permanent, false);
  assert.match(e.message, /closing/);
});
