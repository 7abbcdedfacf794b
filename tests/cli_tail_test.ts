/**
 * `tickgate tail` as users run it (main.ts in a subprocess) against the
 * real Redis: what the sink wrote comes back as JSON lines.
 */

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { tickgate } from "./_harness.ts";
import { service } from "./_services.ts";

const redis = await service("redis");

async function run(args: string[]) {
  const out = await tickgate(args).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

Deno.test({
  name: "cli: tail prints a Redis stream's last entries and lists streams",
  ignore: redis.skip,
  async fn() {
    const key = `tg-tail-${crypto.randomUUID().slice(0, 8)}:trades:BTCUSDT`;
    const r = new Redis(redis.url);
    try {
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) {
        ids.push(
          (await r.xadd(key, "*", "exchange", "binance", "price", `${i}.5`))!,
        );
      }
      const tail = await run(["tail", redis.url, key, "--count", "2"]);
      assert.equal(tail.code, 0, tail.stderr);
      assert.deepEqual(
        tail.stdout.trim().split("\n").map((l) => JSON.parse(l)),
        [2, 3].map((i) => ({
          stream: key,
          position: ids[i - 1],
          value: { exchange: "binance", price: `${i}.5` },
        })),
      );
      const list = await run(["tail", redis.url, "--list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.ok(list.stdout.split("\n").includes(key));
      const missing = await run(["tail", redis.url, `${key}:nope`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /does not exist/);
    } finally {
      await r.del(key);
      r.disconnect();
    }
  },
});

Deno.test("cli: tail refuses other URLs and a missing stream", async () => {
  const ftp = await run(["tail", "ftp://x", "y"]);
  assert.equal(ftp.code, 1);
  assert.match(ftp.stderr, /expected a redis, rediss, kafka, amqp, amqps URL/);
  const usage = await run(["tail", "redis://127.0.0.1:6379/0"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /tail needs a URL and a stream \(or --list\)/);
});
