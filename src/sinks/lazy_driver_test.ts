import assert from "node:assert/strict";
import type { NormalizedEvent } from "../core/events.ts";
import { type DriverFactory, LazyDriver } from "./lazy_driver.ts";
import type { SinkContext, SinkDriver } from "./types.ts";
import { parseSinkUrl } from "./url.ts";

const CTX: SinkContext = { streamMaxlen: 0, webhookToken: undefined };
const SPEC = parseSinkUrl("kafka://127.0.0.1:9092", 1);

/** A driver that records what it was asked to do. */
class Recorder implements SinkDriver {
  calls: string[] = [];
  connect() {
    this.calls.push("connect");
    return Promise.resolve();
  }
  send(batch: readonly NormalizedEvent[]) {
    this.calls.push(`send ${batch.length}`);
    return Promise.resolve();
  }
  close() {
    this.calls.push("close");
    return Promise.resolve();
  }
  details() {
    return { made: true };
  }
}

Deno.test("LazyDriver loads once, on first connect, and then delegates", async () => {
  let loads = 0;
  const made: Recorder[] = [];
  const factory: DriverFactory = (spec, ctx) => {
    assert.equal(spec, SPEC);
    assert.equal(ctx, CTX);
    const r = new Recorder();
    made.push(r);
    return r;
  };
  const driver = new LazyDriver(
    () => {
      loads++;
      return Promise.resolve(factory);
    },
    SPEC,
    CTX,
  );
  assert.equal(loads, 0);
  assert.deepEqual(driver.details(), {});
  await Promise.all([driver.connect(), driver.connect()]);
  await driver.send([]);
  await driver.close();
  assert.equal(loads, 1);
  assert.equal(made.length, 1);
  assert.deepEqual(made[0]!.calls, ["connect", "connect", "send 0", "close"]);
  assert.deepEqual(driver.details(), { made: true });
});

Deno.test("LazyDriver: a failed load rejects and is tried again; close before any load loads nothing", async () => {
  let loads = 0;
  const driver = new LazyDriver(
    () => {
      loads++;
      return loads === 1
        ? Promise.reject(new Error("module not found"))
        : Promise.resolve(() => new Recorder());
    },
    SPEC,
    CTX,
  );
  await assert.rejects(driver.connect(), /module not found/);
  await driver.connect();
  assert.equal(loads, 2);

  let never = 0;
  const idle = new LazyDriver(
    () => {
      never++;
      return Promise.resolve(() => new Recorder());
    },
    SPEC,
    CTX,
  );
  await idle.close();
  assert.equal(never, 0);
  await assert.rejects(idle.connect(), /closed/);
  assert.equal(never, 0);
});

Deno.test("LazyDriver: closed while loading, it makes no driver and a waiting connect() rejects", async () => {
  const made: Recorder[] = [];
  const { promise: loaded, resolve } = Promise.withResolvers<DriverFactory>();
  const driver = new LazyDriver(() => loaded, SPEC, CTX);
  const connecting = driver.connect();
  const closing = driver.close();
  resolve(() => {
    const r = new Recorder();
    made.push(r);
    return r;
  });
  await assert.rejects(connecting, /closed while loading/);
  await closing;
  assert.equal(made.length, 0);
});
