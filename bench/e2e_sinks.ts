/**
 * End to end into real brokers: the blaster sends N Coinbase frames; the
 * real `Gateway` ingests them into one sink (Redis Streams, Kafka on
 * librdkafka's mock cluster, RabbitMQ with publisher confirms); a run ends
 * when the sink's `published` counter (acknowledged events) has grown by
 * every event of the corpus. Compared, alternately in the same process, with
 * the raw client from the same runtime sending the same records, prebuilt,
 * in batches like the sink's (500, one in flight): pipelined XADD with
 * ioredis, kafkajs `sendBatch`, amqplib publish + `waitForConfirms`.
 *
 * @module
 */

import type { QueueStats } from "../src/sinks/queue_stats.ts";
import { type BlasterHandle, spawnBlaster } from "./blaster.ts";
import { coinbaseCorpus } from "./corpus.ts";
import { PRODUCTS, spread, startGateway, until } from "./e2e.ts";
import {
  corpusEvents,
  type Destination,
  kafkaDestination,
  rabbitDestination,
  redisDestination,
} from "./e2e_destinations.ts";
import { type Figure, median } from "./figure.ts";

/** Events/s through the real Gateway into `sink`, until all are acknowledged. */
export async function gatewayRun(
  blaster: BlasterHandle,
  dest: Destination,
  events: number,
): Promise<number> {
  const g = await startGateway(blaster, dest.sink);
  try {
    const sink = g.gw.sinks[0]!;
    const stats = () => sink.stats() as QueueStats;
    // The `connected` status event goes first; start from an idle queue.
    await until(
      () => stats().published >= 1 && stats().queued === 0,
      30_000,
      () => `sink not ready: ${JSON.stringify(stats())}`,
    );
    const before = stats().published;
    const t0 = performance.now();
    if (await blaster.start() !== 1) throw new Error("no connection started");
    const t1 = await until(
      () => sink.stats().published - before >= events,
      120_000,
      () => `published ${stats().published - before} of ${events}`,
    );
    const s = stats();
    if (s.dropped + s.failed > 0 || s.spooledEvents > 0) {
      throw new Error(`the sink lost or spooled events: ${JSON.stringify(s)}`);
    }
    return events / ((t1 - t0) / 1000);
  } finally {
    await g.stop();
  }
}

async function measure(
  dest: Destination,
  n: number,
  runs: number,
): Promise<Figure> {
  const events = corpusEvents(coinbaseCorpus(n, PRODUCTS));
  const blaster = await spawnBlaster({ count: n, products: PRODUCTS });
  const subject: number[] = [];
  const ceiling: number[] = [];
  try {
    for (let r = 0; r <= runs; r++) {
      await dest.reset();
      const s = await gatewayRun(blaster, dest, events.length);
      await dest.reset();
      const send = await dest.raw(events);
      const t0 = performance.now();
      await send();
      const c = events.length / ((performance.now() - t0) / 1000);
      if (r === 0) continue; // warm-up
      subject.push(s);
      ceiling.push(c);
    }
  } finally {
    await blaster.close();
  }
  const s = spread(subject);
  return {
    name: `e2e into ${dest.name} (coinbase, real Gateway)`,
    unit: "events/s",
    ...s,
    ceilingName: dest.ceilingName,
    ceiling: median(ceiling),
    ratio: s.median / median(ceiling),
  };
}

/**
 * Events/s end to end into Redis Streams (target ≥ 0.7× the raw client),
 * Kafka and RabbitMQ (reported). A destination that cannot be reached is
 * skipped with a warning.
 */
export async function benchE2eSinks(
  options: { quick: boolean },
): Promise<Figure[]> {
  const q = options.quick;
  const plan: [() => Promise<Destination>, number, number, number?][] = [
    [redisDestination, q ? 10_000 : 100_000, q ? 2 : 5, 0.7],
    [kafkaDestination, q ? 5_000 : 50_000, q ? 1 : 3],
    [rabbitDestination, q ? 3_000 : 30_000, q ? 1 : 3],
  ];
  const figures: Figure[] = [];
  for (const [open, n, runs, target] of plan) {
    let dest: Destination;
    try {
      dest = await open();
    } catch (e) {
      console.error(`e2e sinks: skipped (${open.name}): ${e}`);
      continue;
    }
    try {
      const f = await measure(dest, n, runs);
      figures.push(target === undefined ? f : { ...f, target });
    } finally {
      await dest.close();
    }
  }
  return figures;
}

if (import.meta.main) {
  const figures = await benchE2eSinks({ quick: Deno.args.includes("--quick") });
  console.log(JSON.stringify(figures, null, 2));
}
