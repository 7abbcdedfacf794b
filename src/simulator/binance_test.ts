import assert from "node:assert/strict";
import { FAST, type Json, simTest } from "./binance_test_util.ts";

let clock = 0; // the fake clock of the tests that pass `now`

simTest(
  "SUBSCRIBE/UNSUBSCRIBE are acked by id; LIST_SUBSCRIPTIONS lists the streams; unknown names deliver nothing",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const c = await connect("/stream?streams=btcusdt@trade");
    c.send({
      method: "SUBSCRIBE",
      params: [
        "ethusdt@aggTrade",
        "btcusdt@depth",
        "nope@trade",
        "BTCUSDT@trade",
      ],
      id: 1,
    });
    c.send({ method: "UNSUBSCRIBE", params: ["btcusdt@depth"], id: "abc" });
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 3 });
    c.send({ method: "SUBSCRIBE", params: [], id: null });
    await c.until(() => c.replies().length === 4, "4 replies");
    assert.deepEqual(c.replies(), [
      { result: null, id: 1 },
      { result: null, id: "abc" },
      {
        result: [
          "btcusdt@trade",
          "ethusdt@aggTrade",
          "nope@trade",
          "BTCUSDT@trade",
        ],
        id: 3,
      },
      { result: null, id: null },
    ]);
    assert.deepEqual(sim.clients[0]?.streams, [
      "btcusdt@trade",
      "ethusdt@aggTrade",
      "nope@trade",
      "BTCUSDT@trade",
    ]);
    await c.until(
      () =>
        c.data("btcusdt@trade").length >= 5 &&
        c.data("ethusdt@aggTrade").length >= 5,
      "trades on both streams",
    );
    const streams = new Set(
      c.frames.filter((f): f is Json => typeof f !== "string" && "stream" in f)
        .map((f) => f.stream),
    );
    assert.deepEqual([...streams].sort(), [
      "btcusdt@trade",
      "ethusdt@aggTrade",
    ]);
    assert.equal(sim.clients[0]?.path, "/stream?streams=btcusdt@trade");
    assert.equal(sim.connections, 1);
  },
);

simTest(
  "malformed requests get the documented error frames; SET_PROPERTY switches to raw payloads",
  {
    ...FAST,
  },
  async (_sim, connect) => {
    const c = await connect("/stream");
    c.send("{");
    c.send({ params: [], id: 9 });
    c.send({ method: "PING", id: 10 });
    c.send({ method: "SUBSCRIBE", params: ["btcusdt@trade"], id: 1.5 });
    c.send({ method: "GET_PROPERTY", params: ["combined"], id: 11 });
    c.send({ method: "SET_PROPERTY", params: ["combined", false], id: 12 });
    c.send({ method: "GET_PROPERTY", params: ["combined"], id: 13 });
    c.send({ method: "SUBSCRIBE", params: ["btcusdt@trade"], id: 14 });
    await c.until(() => c.replies().length === 8, "8 replies");
    const [json, missing, unknown, badId, ...rest] = c.replies();
    assert.equal(json?.code, 3);
    assert.match(
      String(json?.msg),
      /^Invalid JSON: expected value at line 1 column \d+$/,
    );
    assert.equal(missing?.code, 2);
    assert.match(
      String(missing?.msg),
      /^Invalid request: missing field `method`/,
    );
    assert.equal(missing?.id, 9);
    assert.equal(unknown?.code, 2);
    assert.match(
      String(unknown?.msg),
      /unknown variant `PING`, expected one of `SUBSCRIBE`/,
    );
    assert.deepEqual(badId, {
      code: 2,
      msg: "Invalid request: request ID must be an unsigned integer",
    });
    assert.deepEqual(rest, [
      { result: true, id: 11 },
      { result: null, id: 12 },
      { result: false, id: 13 },
      { result: null, id: 14 },
    ]);
    const bare = () =>
      c.frames.filter((f): f is Json =>
        typeof f !== "string" && f.e === "trade"
      );
    await c.until(() => bare().length >= 3, "raw trades");
    assert.equal(bare()[0]?.s, "BTCUSDT");
    assert.ok(c.open, "errors do not close the connection");
  },
);

simTest(
  "more than 5 messages within 1 s close the connection (the 6th, not the 5th)",
  {
    now: () => clock,
  },
  async (sim, connect) => {
    clock = 1_000_000;
    const c = await connect("/stream");
    const list = (id: number) => c.send({ method: "LIST_SUBSCRIPTIONS", id });
    for (let i = 1; i <= 5; i++) list(i);
    await c.until(() => c.replies().length === 5, "5 replies");
    assert.ok(c.open);
    clock += 1000; // the first five fall out of the window
    for (let i = 6; i <= 10; i++) list(i);
    await c.until(() => c.replies().length === 10, "10 replies");
    assert.ok(c.open, "5 messages per second are allowed");
    list(11);
    const close = await c.closeEvent();
    assert.equal(close.code, 1008);
    assert.equal(close.reason, "too many messages");
    assert.equal(c.replies().length, 10, "the 6th is not answered");
    assert.deepEqual(sim.clients[0]?.closed, {
      code: 1008,
      reason: "too many messages",
    });
    assert.equal(sim.connections, 0);
  },
);

simTest(
  "at most 1024 streams per connection: the excess is refused with an error frame",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const names = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `s${from + i}usdt@trade`);
    const c = await connect(`/stream?streams=${names(0, 1000).join("/")}`);
    c.send({ method: "SUBSCRIBE", params: names(1000, 30), id: 7 });
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 8 });
    await c.until(() => c.replies().length === 2, "2 replies");
    const [error, list] = c.replies();
    assert.equal(error?.code, 2);
    assert.equal(error?.id, 7);
    assert.match(String(error?.msg), /at most 1024 .*; 6 not subscribed/);
    assert.deepEqual(list?.result, names(0, 1024));
    const over = await connect(`/stream?streams=${names(0, 1030).join("/")}`);
    await over.until(() => over.replies().length === 1, "URL refusal");
    assert.equal(over.replies()[0]?.id, null);
    assert.match(String(over.replies()[0]?.msg), /1024.*6 not subscribed/);
    assert.equal(sim.clients[1]?.streams.length, 1024);
  },
);

simTest(
  "raw /ws payloads are bare; serverShutdown is wrapped on combined, bare on raw",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const raw = await connect("/ws/btcusdt@trade");
    const combined = await connect("/stream?streams=btcusdt@trade");
    const encoded = await connect("/ws/ethusdt%40aggTrade");
    await raw.until(() => raw.frames.length >= 2, "raw trades");
    assert.equal((raw.frames[0] as Json).e, "trade");
    await encoded.until(() => encoded.frames.length >= 1, "URL-encoded raw");
    assert.deepEqual(
      [(encoded.frames[0] as Json).e, (encoded.frames[0] as Json).s],
      ["aggTrade", "ETHUSDT"],
    );
    sim.sendServerShutdown();
    const shutdown = (f: Json | string) =>
      typeof f !== "string" &&
      (f.e === "serverShutdown" || f.stream === "!serverShutdown");
    await raw.until(() => raw.frames.some(shutdown), "raw shutdown");
    await combined.until(
      () => combined.frames.some(shutdown),
      "combined shutdown",
    );
    const bare = raw.frames.find(shutdown) as Json;
    assert.deepEqual(Object.keys(bare), ["e", "E"]);
    assert.equal(typeof bare.E, "number");
    assert.deepEqual(combined.frames.find(shutdown), {
      stream: "!serverShutdown",
      data: bare,
    });
  },
);

simTest(
  "sendMalformed() sends truncated JSON; dropConnections() closes everyone",
  {
    ...FAST,
  },
  async (sim, connect) => {
    const a = await connect("/stream?streams=btcusdt@trade");
    const b = await connect("/ws");
    sim.sendMalformed();
    for (const c of [a, b]) {
      await c.until(
        () => c.frames.some((f) => typeof f === "string"),
        "malformed",
      );
      const text = c.frames.find((f) => typeof f === "string") as string;
      assert.throws(() => JSON.parse(text));
    }
    sim.dropConnections();
    const [ca, cb] = await Promise.all([a.closeEvent(), b.closeEvent()]);
    assert.deepEqual([ca.code, cb.code], [1011, 1011]);
    assert.equal(sim.connections, 0);
    assert.deepEqual(sim.clients.map((c) => c.closed?.code), [1011, 1011]);
  },
);

simTest("connections older than maxConnectionAgeMs are closed (fake clock)", {
  now: () => clock,
}, async (sim, connect) => {
  clock = 5_000_000;
  const old = await connect("/stream?streams=btcusdt@trade");
  clock += 24 * 3_600_000;
  const young = await connect("/stream");
  const close = await old.closeEvent();
  assert.equal(close.code, 1000);
  assert.equal(close.reason, "connection age limit reached");
  assert.ok(young.open);
  assert.deepEqual(sim.clients.map((c) => c.openedAt), [
    5_000_000,
    5_000_000 + 86_400_000,
  ]);
  assert.equal(sim.connections, 1);
});

simTest(
  "Deno pings a silent client; no pong closes it, a ponging client stays",
  {
    pingIntervalMs: 100,
  },
  async (sim, connect) => {
    const polite = await connect("/stream"); // Deno's client answers pings
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
    try {
      await conn.write(new TextEncoder().encode(
        `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: c2ltdWxhdG9yLXRlc3Qta2V5\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ));
      let bytes = new Uint8Array(0);
      const opcodes: number[] = [];
      let closePayload = new Uint8Array(0);
      const buf = new Uint8Array(4096);
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        bytes = new Uint8Array([...bytes, ...buf.subarray(0, n)]);
        let head = 0;
        const text = new TextDecoder().decode(bytes);
        if (text.startsWith("HTTP/1.1 101")) {
          const end = text.indexOf("\r\n\r\n");
          if (end < 0) continue;
          head = end + 4;
          bytes = bytes.slice(head);
        }
        while (
          bytes.length >= 2 && bytes.length >= 2 + ((bytes[1] as number) & 0x7f)
        ) {
          const len = (bytes[1] as number) & 0x7f; // control frames are short
          opcodes.push((bytes[0] as number) & 0x0f);
          if (((bytes[0] as number) & 0x0f) === 8) {
            closePayload = bytes.slice(
              2,
              2 + len,
            );
          }
          bytes = bytes.slice(2 + len);
        }
        if (opcodes.includes(8)) break;
      }
      assert.deepEqual(opcodes, [9, 8], "a ping, then the close");
      const code = ((closePayload[0] as number) << 8) |
        (closePayload[1] as number);
      assert.equal(code, 1001);
      assert.equal(
        new TextDecoder().decode(closePayload.slice(2)),
        "No response from ping frame.",
      );
    } finally {
      conn.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // 5 ping intervals
    assert.ok(polite.open);
    assert.equal(sim.clients[1]?.closed?.code, 1001);
  },
);
