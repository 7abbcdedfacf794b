import assert from "node:assert/strict";
import { service } from "../../tests/_services.ts";
import { RedisConnection, RedisConnectionError } from "./redis_connection.ts";
import { redisConnectionOptions } from "./redis_connection_options.ts";
import { RedisReplyError } from "./resp_reader.ts";

const redis = await service("redis");

Deno.test("redisConnectionOptions reuses redisClientOptions' reading of URLs", () => {
  assert.deepEqual(
    redisConnectionOptions("rediss://al%40ice:p%3Ass@example.com:6390/3", "n"),
    {
      host: "example.com",
      port: 6390,
      db: 3,
      username: "al@ice",
      password: "p:ss",
      tls: true,
      connectionName: "n",
      connectTimeoutMs: 5000,
    },
  );
  assert.deepEqual(redisConnectionOptions("redis://[::1]"), {
    host: "::1",
    port: 6379,
    db: 0,
    connectTimeoutMs: 5000,
  });
  assert.throws(() => redisConnectionOptions("http://x"), TypeError);
});

Deno.test({
  name: "pipeline(): replies in order, error replies as values; one at a time",
  ignore: redis.skip,
  fn: async () => {
    const conn = await RedisConnection.open({
      ...redisConnectionOptions(redis.url, "tickgate-conn-test"),
    });
    const key = `conn-test-${Date.now()}-${Math.random()}`;
    try {
      const replies = await conn.pipeline([
        ["SET", key, "ü€"],
        ["GET", key],
        ["INCR", key],
        ["CLIENT", "GETNAME"],
        ["DEL", key],
        ["GET", key],
      ]);
      assert.equal(replies[0], "OK");
      assert.equal(replies[1], "ü€");
      assert.ok(replies[2] instanceof RedisReplyError);
      assert.equal(replies[3], "tickgate-conn-test");
      assert.deepEqual(replies.slice(4), [1, null]);
      // A large first pipeline still being written, and a different second
      // one refused without touching the first one's bytes.
      const big = "x".repeat(4 << 20);
      const running = conn.pipeline([["SET", key, big], ["STRLEN", key]]);
      await assert.rejects(
        conn.pipeline([["DEL", key]]),
        (e: unknown) =>
          e instanceof RedisConnectionError &&
          /already running/.test(e.message),
      );
      assert.deepEqual(await running, ["OK", big.length]);
      assert.deepEqual(await conn.pipeline([["DEL", key]]), [1]);
      assert.ok(conn.usable);
    } finally {
      await conn.close();
    }
    assert.equal(conn.usable, false);
    await assert.rejects(conn.pipeline([["PING"]]), RedisConnectionError);
  },
});

Deno.test({
  name:
    "open(): a password given to a Redis without one connects, as with ioredis",
  ignore: redis.skip,
  fn: async () => {
    const u = new URL(redis.url);
    u.password = "not-set-on-this-server";
    const conn = await RedisConnection.open(redisConnectionOptions(u.href));
    try {
      assert.deepEqual(await conn.pipeline([["PING"]]), ["PONG"]);
    } finally {
      await conn.close();
    }
  },
});

Deno.test({
  name:
    "open(): a refused connection and a bad SELECT are RedisConnectionErrors",
  ignore: redis.skip,
  fn: async () => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    await assert.rejects(
      RedisConnection.open({ host: "127.0.0.1", port, db: 0 }),
      (e: unknown) =>
        e instanceof RedisConnectionError &&
        e.address === `127.0.0.1:${port}`,
    );
    await assert.rejects(
      RedisConnection.open({ ...redisConnectionOptions(redis.url), db: 99999 }),
      (e: unknown) =>
        e instanceof RedisConnectionError &&
        /SELECT 99999: ERR DB index is out of range/.test(e.message),
    );
  },
});

Deno.test("open(): a listener that is not Redis fails with a protocol error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(1024));
    await conn.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n"));
    await conn.read(new Uint8Array(1024)).catch(() => null);
    conn.close();
  })();
  try {
    await assert.rejects(
      RedisConnection.open({
        host: "127.0.0.1",
        port: listener.addr.port,
        db: 0,
      }),
      (e: unknown) =>
        e instanceof RedisConnectionError &&
        /protocol error.*0x48/.test(e.message),
    );
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});
