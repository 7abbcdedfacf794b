import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { service } from "../../tests/_services.ts";
import { TcpProxy } from "../../tests/_tcp_proxy.ts";
import type {
  NormalizedEvent,
  StatusEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import { formatFields } from "./redis_format.ts";
import {
  createRedisStreamsDriver,
  RedisStreamsDriver,
  validateRedisStreamsOptions,
} from "./redis_streams.ts";
import { DeliveryError, type SinkContext } from "./types.ts";
import { INCOMPLETE, RespReader } from "./resp_reader.ts";
import { parseSinkUrl, SinkUrlError } from "./url.ts";

const redis = await service("redis");
const RUN = `rsx${Date.now().toString(36)}${
  Math.random().toString(36).slice(2, 6)
}`.toUpperCase();
const CTX: SinkContext = { streamMaxlen: 10_000, webhookToken: undefined };

function trade(i: number, native: string): TradeEvent {
  return {
    id: `binance:${native}:trade:${i}`,
    kind: "trade",
    venue: "binance",
    symbol: "BTC-USDT",
    nativeSymbol: native,
    exchangeTs: 1_700_000_000_000 + i,
    receivedTs: 1_700_000_000_005 + i,
    tradeId: String(i),
    price: `4300${i}.5`,
    size: "0.01",
    side: i % 2 === 0 ? "buy" : "sell",
  };
}

function ticker(native: string): TickerEvent {
  return {
    id: `coinbase:${native}:ticker:1`,
    kind: "ticker",
    venue: "coinbase",
    symbol: "ETH-USD",
    nativeSymbol: native,
    exchangeTs: 1_700_000_000_000,
    receivedTs: 1_700_000_000_001,
    bid: "1",
    bidSize: "2",
    ask: "3",
    askSize: "4",
    last: "",
    volume24h: "5",
  };
}

function status(venue: "bybit"): StatusEvent {
  return {
    id: `${venue}:*:status:connected:${RUN}`,
    kind: "status",
    venue,
    symbol: "*",
    nativeSymbol: "*",
    exchangeTs: 1_700_000_000_000,
    receivedTs: 1_700_000_000_000,
    state: "connected",
    detail: RUN,
    connection: `${venue}-0`,
  };
}

function sinkUrl(port: number, query = ""): string {
  return `redis://127.0.0.1:${port}/0${query === "" ? "" : `?${query}`}`;
}

/** Reads a stream back: `[fields…]` per entry, oldest first. */
async function readBack(client: Redis, key: string): Promise<string[][]> {
  const entries = await client.xrange(key, "-", "+");
  return entries.map(([, fields]) => fields);
}

async function withClient<T>(fn: (c: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redis.url);
  try {
    return await fn(client);
  } finally {
    await client.quit();
  }
}

async function deleteKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

Deno.test("validateRedisStreamsOptions rejects bad maxlen, key and db", () => {
  const bad = [
    ["maxlen=-1", /maxlen/],
    ["maxlen=1.5", /maxlen/],
    ["maxlen=ten", /maxlen/],
    ["maxlen=", /maxlen/],
    ["key=x:{pair}", /unknown placeholder "\{pair\}"/],
    ["key=x:{kind", /unclosed/],
  ] as const;
  for (const [query, re] of bad) {
    assert.throws(
      () => validateRedisStreamsOptions(parseSinkUrl(sinkUrl(6379, query), 1)),
      (e: unknown) => e instanceof SinkUrlError && re.test(e.message),
      query,
    );
  }
  assert.throws(
    () =>
      validateRedisStreamsOptions(
        parseSinkUrl("redis://u:hunter2@h:6379/abc", 1),
      ),
    (e: unknown) =>
      e instanceof SinkUrlError && /database "abc"/.test(e.message) &&
      !e.message.includes("hunter2"),
  );
  for (
    const ok of [
      "maxlen=0",
      "maxlen=500&key={venue}:{symbol}:{kind}:{native}",
      "key=fixed",
    ]
  ) {
    validateRedisStreamsOptions(parseSinkUrl(sinkUrl(6379, ok), 1));
  }
  validateRedisStreamsOptions(parseSinkUrl("rediss://h:6380", 1));
});

Deno.test({
  name:
    "send() XADDs a mixed batch with default keys; fields read back exactly",
  ignore: redis.skip,
  fn: async () => {
    const native = `${RUN}A`;
    const batch: NormalizedEvent[] = [
      trade(1, native),
      ticker(native),
      trade(2, native),
      status("bybit"),
      trade(3, native),
    ];
    const driver = createRedisStreamsDriver(
      parseSinkUrl(sinkUrl(redis.port), 1),
      CTX,
    );
    await withClient(async (client) => {
      try {
        await driver.connect();
        await driver.send(batch);
        assert.deepEqual(await readBack(client, `trades:${native}`), [
          formatFields(batch[0]!, "flat"),
          formatFields(batch[2]!, "flat"),
          formatFields(batch[4]!, "flat"),
        ]);
        assert.deepEqual(await readBack(client, `ticker:${native}`), [
          formatFields(batch[1]!, "flat"),
        ]);
        const statuses = await readBack(client, "status:bybit");
        assert.deepEqual(
          statuses.filter((f) => f.includes(RUN)),
          [formatFields(batch[3]!, "flat")],
        );
        const [first] = await readBack(client, `trades:${native}`);
        assert.deepEqual(first!.slice(0, 14), [
          "exchange",
          "binance",
          "pair",
          native,
          "price",
          "43001.5",
          "qty",
          "0.01",
          "ts",
          "2023-11-14T22:13:20.001Z",
          "side",
          "sell",
          "trade_id",
          "1",
        ]);
        assert.equal(JSON.parse(first![15]!).id, batch[0]!.id);
        assert.deepEqual(driver.details?.(), {
          streams: 3,
          lastKey: `trades:${native}`,
          maxlen: 10_000,
          format: "flat",
        });
      } finally {
        await driver.close();
        await client.del(`trades:${native}`, `ticker:${native}`);
        const mine = await client.xrange("status:bybit", "-", "+");
        for (const [id, f] of mine) {
          if (f.includes(RUN)) await client.xdel("status:bybit", id);
        }
        if (await client.xlen("status:bybit") === 0) {
          await client.del("status:bybit");
        }
      }
    });
  },
});

Deno.test({
  name: "send() with a key template and the canonical format",
  ignore: redis.skip,
  fn: async () => {
    const prefix = `${RUN}:tpl`;
    const driver = createRedisStreamsDriver(
      parseSinkUrl(
        sinkUrl(redis.port, `format=canonical&key=${prefix}:{venue}:{kind}`),
        1,
      ),
      CTX,
    );
    const batch = [trade(1, "X"), trade(2, "Y")];
    await withClient(async (client) => {
      try {
        await driver.send(batch);
        assert.deepEqual(await readBack(client, `${prefix}:binance:trade`), [
          ["id", batch[0]!.id, "event", JSON.stringify(batch[0])],
          ["id", batch[1]!.id, "event", JSON.stringify(batch[1])],
        ]);
      } finally {
        await driver.close();
        await deleteKeys(client, `${prefix}:*`);
      }
    });
  },
});

Deno.test({
  name: "MAXLEN ~ N trims approximately; maxlen=0 keeps everything",
  ignore: redis.skip,
  fn: async () => {
    const capped = createRedisStreamsDriver(
      parseSinkUrl(sinkUrl(redis.port, `maxlen=10&key=${RUN}:cap`), 1),
      CTX,
    );
    const uncapped = createRedisStreamsDriver(
      parseSinkUrl(sinkUrl(redis.port, `maxlen=0&key=${RUN}:all`), 1),
      { ...CTX, streamMaxlen: 10 },
    );
    await withClient(async (client) => {
      try {
        for (let b = 0; b < 10; b++) {
          const batch = [];
          for (let i = 0; i < 100; i++) batch.push(trade(b * 100 + i, "M"));
          await capped.send(batch);
          await uncapped.send(batch);
        }
        const len = await client.xlen(`${RUN}:cap`);
        assert.ok(len >= 10 && len < 1000, `XLEN ${len}`);
        assert.equal(await client.xlen(`${RUN}:all`), 1000);
        const [[, last]] = await client.xrevrange(
          `${RUN}:cap`,
          "+",
          "-",
          "COUNT",
          1,
        ) as [string, string[]][] as [[string, string[]]];
        assert.equal(JSON.parse(last.at(-1)!).id, trade(999, "M").id);
      } finally {
        await capped.close();
        await uncapped.close();
        await client.del(`${RUN}:cap`, `${RUN}:all`);
      }
    });
  },
});

Deno.test({
  name: "WRONGTYPE is a permanent DeliveryError naming the key",
  ignore: redis.skip,
  fn: async () => {
    const key = `${RUN}:notastream`;
    const driver = createRedisStreamsDriver(
      parseSinkUrl(sinkUrl(redis.port, `key=${key}`), 1),
      CTX,
    );
    await withClient(async (client) => {
      try {
        await client.set(key, "x");
        await assert.rejects(
          driver.send([trade(1, "W")]),
          (e: unknown) =>
            e instanceof DeliveryError && e.permanent &&
            e.message.includes(`"${key}"`) && e.message.includes("WRONGTYPE"),
        );
        await client.del(key);
        await driver.send([trade(2, "W")]);
        assert.equal(await client.xlen(key), 1);
      } finally {
        await driver.close();
        await client.del(key);
      }
    });
  },
});

Deno.test({
  name: "outage: send() rejects while cut, same driver delivers after restore",
  ignore: redis.skip,
  fn: async () => {
    const key = `${RUN}:outage`;
    const user = `tickgate_test_${RUN.toLowerCase()}`;
    const proxy = TcpProxy.start({
      hostname: redis.hostname,
      port: redis.port,
    });
    const driver = createRedisStreamsDriver(
      parseSinkUrl(
        `redis://${user}:hunter2@127.0.0.1:${proxy.port}/0?key=${key}`,
        1,
      ),
      CTX,
    );
    await withClient(async (client) => {
      try {
        await client.call("ACL", [
          "SETUSER",
          user,
          "on",
          ">hunter2",
          `~${key}`,
          "+xadd",
        ]);
        await driver.send([trade(1, "O")]);
        proxy.cut();
        await assert.rejects(
          driver.send([trade(2, "O")]),
          (e: unknown) =>
            e instanceof DeliveryError && !e.permanent &&
            !e.message.includes("hunter2"),
        );
        await assert.rejects(
          driver.connect(),
          (e: unknown) => e instanceof DeliveryError && !e.permanent,
        );
        proxy.restore();
        await driver.send([trade(3, "O")]);
        const ids = (await readBack(client, key)).map((f) =>
          JSON.parse(f.at(-1)!).id
        );
        assert.deepEqual(ids, [trade(1, "O").id, trade(3, "O").id]);
      } finally {
        await driver.close();
        await proxy.close();
        await client.del(key);
        await client.call("ACL", ["DELUSER", user]);
      }
    });
  },
});

Deno.test({
  name:
    "a stalled Redis: send() fails at the batch deadline (retryable), then delivers",
  ignore: redis.skip,
  fn: async () => {
    const key = `${RUN}:stall`;
    const driver = new RedisStreamsDriver(
      parseSinkUrl(`${redis.url}?key=${key}`, 1),
      CTX,
      300,
    );
    await withClient(async (client) => {
      try {
        await driver.send([trade(1, "S")]);
        // Real Redis holds every write command while paused.
        await client.call("CLIENT", "PAUSE", "3000", "WRITE");
        try {
          await assert.rejects(
            driver.send([trade(2, "S")]),
            (e: unknown) =>
              e instanceof DeliveryError && !e.permanent &&
              /deadline of 300 ms/.test(e.message),
          );
        } finally {
          await client.call("CLIENT", "UNPAUSE");
        }
        await driver.send([trade(3, "S")]);
        const ids = (await readBack(client, key)).map((f) =>
          JSON.parse(f.at(-1)!).id
        );
        assert.equal(ids[0], trade(1, "S").id);
        assert.equal(ids.at(-1), trade(3, "S").id);
      } finally {
        await driver.close();
        await client.del(key);
      }
    });
  },
});

Deno.test({
  name: "the URL's database is used; one out of range fails connect()",
  ignore: redis.skip,
  fn: async () => {
    const key = `${RUN}:db`;
    const db1 = createRedisStreamsDriver(
      parseSinkUrl(`redis://127.0.0.1:${redis.port}/1?key=${key}`, 1),
      CTX,
    );
    const db99 = createRedisStreamsDriver(
      parseSinkUrl(`redis://127.0.0.1:${redis.port}/99999?key=${key}`, 1),
      CTX,
    );
    const client = new Redis(redis.url);
    try {
      await db1.send([trade(1, "D")]);
      await client.select(1);
      assert.equal(await client.xlen(key), 1);
      await assert.rejects(
        db99.send([trade(2, "D")]),
        (e: unknown) =>
          e instanceof DeliveryError && !e.permanent &&
          /DB index is out of range/i.test(e.message),
      );
      await client.select(0);
      assert.equal(await client.exists(key), 0);
    } finally {
      await db1.close();
      await db99.close();
      await client.select(1);
      await client.del(key);
      await client.quit();
    }
  },
});

Deno.test({
  name: "non-ASCII keys and field values are byte-exact in Redis",
  ignore: redis.skip,
  fn: async () => {
    const native = `${RUN}-€ü東京😀`;
    const event: StatusEvent = {
      ...status("bybit"),
      nativeSymbol: native,
      detail: `Zürich – 東京 😀 ${"é".repeat(40)} ${"€".repeat(400)}`,
    };
    const key = `${RUN}:ü:{native}`;
    const driver = createRedisStreamsDriver(
      parseSinkUrl(sinkUrl(redis.port, `key=${encodeURIComponent(key)}`), 1),
      CTX,
    );
    const stream = `${RUN}:ü:${native}`;
    await withClient(async (client) => {
      try {
        await driver.send([event, trade(1, native)]);
        const entries = await client.xrangeBuffer(stream, "-", "+");
        assert.equal(entries.length, 2);
        const te = new TextEncoder();
        const expected = [
          formatFields(event, "flat"),
          formatFields(trade(1, native), "flat"),
        ];
        for (let i = 0; i < 2; i++) {
          const fields = entries[i]![1];
          assert.deepEqual(
            fields.map((b) => new Uint8Array(b)),
            expected[i]!.map((s) => te.encode(s)),
          );
        }
      } finally {
        await driver.close();
        await client.del(stream);
      }
    });
  },
});

Deno.test({
  name: "a 5,000-event batch goes in one send()",
  ignore: redis.skip,
  fn: async () => {
    const key = `${RUN}:big`;
    const driver = createRedisStreamsDriver(
      parseSinkUrl(sinkUrl(redis.port, `maxlen=0&key=${key}`), 1),
      CTX,
    );
    const batch: TradeEvent[] = [];
    for (let i = 0; i < 5000; i++) batch.push(trade(i, "BIG"));
    await withClient(async (client) => {
      try {
        await driver.send(batch);
        assert.equal(await client.xlen(key), 5000);
        const ids = (await readBack(client, key)).map((f) =>
          JSON.parse(f.at(-1)!).id
        );
        assert.deepEqual(ids, batch.map((e) => e.id));
        assert.deepEqual(driver.details?.(), {
          streams: 1,
          lastKey: key,
          maxlen: 0,
          format: "flat",
        });
      } finally {
        await driver.close();
        await client.del(key);
      }
    });
  },
});

/**
 * A fake Redis that answers the handshake and XADDs; on its first
 * connection it sends half of the first XADD reply and closes.
 */
function fakeRedis(): {
  port: number;
  accepted: () => number;
  xadds: () => number;
  close: () => Promise<void>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  let xadds = 0;
  const conns = new Set<Deno.Conn>();
  const serve = async (conn: Deno.Conn, breakIt: boolean) => {
    const reader = new RespReader();
    const buf = new Uint8Array(65536);
    const te = new TextEncoder();
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) return;
        reader.push(buf.subarray(0, n));
        let out = "";
        for (;;) {
          const cmd = reader.next();
          if (cmd === INCOMPLETE) break;
          const name = String((cmd as string[])[0]).toUpperCase();
          if (name === "XADD") {
            if (breakIt) {
              await conn.write(te.encode(out + "$3\r\n1-"));
              conn.close();
              return;
            }
            xadds++;
            out += `$${String(xadds).length + 2}\r\n${xadds}-0\r\n`;
          } else out += name === "PING" ? "+PONG\r\n" : "+OK\r\n";
        }
        if (out !== "") await conn.write(te.encode(out));
      }
    } catch {
      // closed
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      conns.add(conn);
      void serve(conn, accepted === 1);
    }
  })();
  return {
    port: listener.addr.port,
    accepted: () => accepted,
    xadds: () => xadds,
    close: async () => {
      listener.close();
      for (const c of conns) c.close();
      await loop.catch(() => {});
    },
  };
}

Deno.test("a server that closes mid-reply: retryable DeliveryError, next send() reconnects", async () => {
  const fake = fakeRedis();
  const driver = createRedisStreamsDriver(
    parseSinkUrl(`redis://u:hunter2@127.0.0.1:${fake.port}/0`, 1),
    CTX,
  );
  try {
    await assert.rejects(
      driver.send([trade(1, "F"), trade(2, "F")]),
      (e: unknown) =>
        e instanceof DeliveryError && !e.permanent &&
        /closed by the server/.test(e.message) &&
        !e.message.includes("hunter2"),
    );
    await driver.send([trade(3, "F"), trade(4, "F")]);
    assert.equal(fake.accepted(), 2);
    assert.equal(fake.xadds(), 2);
  } finally {
    await driver.close();
    await fake.close();
  }
});
