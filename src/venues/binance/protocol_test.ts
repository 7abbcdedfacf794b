import assert from "node:assert/strict";
import { binanceProtocol, binanceStreams } from "./protocol.ts";
import { RequestLog } from "./requests.ts";

Deno.test("streams: one per pair and channel, lower-case names, grouped by pair", () => {
  const streams = binanceStreams(["BTCUSDT", "ETHUSDT"], [
    "trade",
    "depth",
    "depth20",
    "kline_1m",
  ]);
  assert.deepEqual(streams.map((s) => s.key), [
    "btcusdt@trade",
    "btcusdt@depth@100ms",
    "btcusdt@depth20@100ms",
    "btcusdt@kline_1m",
    "ethusdt@trade",
    "ethusdt@depth@100ms",
    "ethusdt@depth20@100ms",
    "ethusdt@kline_1m",
  ]);
  assert.deepEqual(
    new Set(streams.map((s) => s.group)),
    new Set(["BTCUSDT", "ETHUSDT"]),
  );
});

Deno.test("protocol: combined URL, id'd requests chunked by 100, limits", () => {
  const requests = new RequestLog(() => 0);
  const p = binanceProtocol({
    url: "wss://stream.binance.com:9443/",
    pairsPerConnection: 50,
    channelsPerPair: 2,
    requests,
  });
  const streams = binanceStreams(["BTCUSDT"], ["trade", "bookTicker"]);
  assert.equal(
    p.url(streams),
    "wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@bookTicker",
  );
  assert.equal(p.url([]), "wss://stream.binance.com:9443/stream");
  assert.equal(p.maxStreamsPerConnection, 100);
  assert.deepEqual(p.sendLimit, { messages: 4, windowMs: 1100 });
  assert.equal(p.maxConnectionAgeMs, 23 * 3600_000);
  const many = binanceStreams(
    Array.from({ length: 250 }, (_, i) => `C${i}USDT`),
    ["trade"],
  );
  const frames = p.subscribe(many).map((f) => JSON.parse(f));
  assert.deepEqual(frames.map((f) => f.params.length), [100, 100, 50]);
  assert.deepEqual(frames.map((f) => f.id), [1, 2, 3]);
  assert.equal(frames[0].method, "SUBSCRIBE");
  assert.equal(
    JSON.parse(p.unsubscribe(many.slice(0, 1))[0]!).method,
    "UNSUBSCRIBE",
  );
  assert.deepEqual(JSON.parse(p.openFrames!()[0]!), {
    method: "LIST_SUBSCRIPTIONS",
    id: 5,
  });
  assert.equal(requests.size, 5);
  const capped = binanceProtocol({
    url: "ws://x",
    pairsPerConnection: 1000,
    channelsPerPair: 5,
    requests,
  });
  assert.equal(capped.maxStreamsPerConnection, 1024);
});

Deno.test("protocol: a long stream list goes partly in the URL, the rest is subscribed", () => {
  const p = binanceProtocol({
    url: "ws://x",
    pairsPerConnection: 1024,
    channelsPerPair: 1,
    requests: new RequestLog(() => 0),
  });
  const streams = binanceStreams(
    Array.from({ length: 400 }, (_, i) => `COIN${i}USDT`),
    ["aggTrade"],
  );
  const inUrl = p.urlStreams!(streams);
  assert.ok(inUrl.length > 100 && inUrl.length < 400);
  assert.deepEqual(inUrl, streams.slice(0, inUrl.length));
  const url = p.url(streams);
  assert.ok(url.length <= 4_100);
  assert.ok(url.endsWith(`/${inUrl.at(-1)!.key}`));
});

Deno.test("RequestLog forgets requests unanswered for 5 minutes", () => {
  let now = 0;
  const log = new RequestLog(() => now);
  log.frame("SUBSCRIBE", ["a@trade"]);
  now = 299_999;
  log.frame("SUBSCRIBE", ["b@trade"]);
  assert.equal(log.size, 2);
  now = 300_000;
  log.frame("LIST_SUBSCRIPTIONS");
  assert.equal(log.size, 2);
  assert.equal(log.take(1), undefined);
  assert.deepEqual(log.take(2)?.params, ["b@trade"]);
  assert.equal(log.take("3"), undefined, "ids are numbers");
});
