import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { service } from "../../tests/_services.ts";
import { redisTail } from "./redis.ts";
import { TailError, type TailRecord } from "./types.ts";

const redis = await service("redis");
const RUN = `tailtest:${Date.now().toString(36)}${
  Math.random().toString(36).slice(2, 6)
}`;

/** Runs `fn` with a unique stream of `n` entries `{ n: "<i>" }`, then deletes it. */
async function withStream(
  n: number,
  fn: (client: Redis, key: string, ids: string[]) => Promise<void>,
): Promise<void> {
  const client = new Redis(redis.url);
  const key = `${RUN}:${crypto.randomUUID()}`;
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push((await client.xadd(key, "*", "n", String(i), "k", "v"))!);
    }
    await fn(client, key, ids);
  } finally {
    await client.del(key);
    await client.quit();
  }
}

function readOnce(count: number) {
  return { count, follow: false, signal: new AbortController().signal };
}

Deno.test({
  name: "redisTail read(): the last N entries, oldest first",
  ignore: redis.skip,
  fn: () =>
    withStream(5, async (_client, key, ids) => {
      const tail = redisTail(`${redis.url}?key=ignored`);
      try {
        const got: TailRecord[] = [];
        await tail.read(key, readOnce(3), (r) => got.push(r));
        assert.deepEqual(got, [
          { stream: key, position: ids[2], value: { n: "2", k: "v" } },
          { stream: key, position: ids[3], value: { n: "3", k: "v" } },
          { stream: key, position: ids[4], value: { n: "4", k: "v" } },
        ]);
        const all: TailRecord[] = [];
        await tail.read(key, readOnce(50), (r) => all.push(r));
        assert.deepEqual(all.map((r) => r.position), ids);
        const none: TailRecord[] = [];
        await tail.read(key, readOnce(0), (r) => none.push(r));
        assert.deepEqual(none, []);
      } finally {
        await tail.close();
      }
    }),
});

Deno.test({
  name: "redisTail read() with follow: picks up new XADDs, stops on abort",
  ignore: redis.skip,
  fn: () =>
    withStream(2, async (client, key, ids) => {
      const tail = redisTail(redis.url);
      const ac = new AbortController();
      const got: TailRecord[] = [];
      let added: string[] = [];
      let resolveFirst: () => void = () => {};
      const first = new Promise<void>((r) => (resolveFirst = r));
      let resolveSeen: () => void = () => {};
      const seen = new Promise<void>((r) => (resolveSeen = r));
      try {
        const reading = tail.read(
          key,
          { count: 1, follow: true, signal: ac.signal },
          (r) => {
            got.push(r);
            if (got.length === 1) resolveFirst();
            if (got.length === 4) resolveSeen();
          },
        );
        // Added after the last entries were read: only XREAD delivers them.
        await first;
        added = [
          (await client.xadd(key, "*", "n", "new1"))!,
          (await client.xadd(key, "*", "n", "new2"))!,
          (await client.xadd(key, "*", "n", "new3"))!,
        ];
        await seen;
        ac.abort();
        await reading;
        await client.xadd(key, "*", "n", "after-abort");
        assert.deepEqual(got.map((r) => r.position), [ids[1], ...added]);
        assert.deepEqual(got.map((r) => (r.value as { n: string }).n), [
          "1",
          "new1",
          "new2",
          "new3",
        ]);
      } finally {
        ac.abort();
        await tail.close();
      }
    }),
});

Deno.test({
  name: "redisTail list() finds the test stream, not other key types",
  ignore: redis.skip,
  fn: () =>
    withStream(1, async (client, key) => {
      const plain = `${RUN}:plain`;
      const tail = redisTail(redis.url);
      try {
        await client.set(plain, "x");
        const names = await tail.list();
        assert.ok(names.includes(key), `${key} in list()`);
        assert.ok(!names.includes(plain));
        assert.deepEqual(names, [...names].sort());
      } finally {
        await client.del(plain);
        await tail.close();
      }
    }),
});

Deno.test({
  name: "redisTail read(): a missing or non-stream key is a TailError",
  ignore: redis.skip,
  fn: async () => {
    const client = new Redis(redis.url);
    const tail = redisTail(redis.url);
    const plain = `${RUN}:string`;
    try {
      await client.set(plain, "x");
      await assert.rejects(
        tail.read(`${RUN}:missing`, readOnce(1), () => {}),
        (e: unknown) =>
          e instanceof TailError && /does not exist/.test(e.message),
      );
      await assert.rejects(
        tail.read(plain, readOnce(1), () => {}),
        (e: unknown) =>
          e instanceof TailError && /is a string, not a stream/.test(e.message),
      );
    } finally {
      await client.del(plain);
      await client.quit();
      await tail.close();
    }
  },
});

Deno.test("redisTail: a malformed URL or closed port is a TailError", async () => {
  assert.throws(() => redisTail("redis://h:6379/notadb"), TailError);
  const tail = redisTail("redis://u:hunter2@127.0.0.1:1/0");
  await assert.rejects(
    tail.list(),
    (e: unknown) =>
      e instanceof TailError && !e.message.includes("hunter2") &&
      /cannot connect/.test(e.message),
  );
  await tail.close();
});
