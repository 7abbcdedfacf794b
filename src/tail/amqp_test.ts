import assert from "node:assert/strict";
import amqp from "amqplib";
import type { Channel, ChannelModel } from "amqplib";
import type { NormalizedEvent, TickerEvent } from "../core/events.ts";
import { createRabbitMqDriver } from "../sinks/rabbitmq.ts";
import { QUEUE_CLASSES } from "../sinks/rabbitmq_topology.ts";
import type { SinkDriver } from "../sinks/types.ts";
import { parseSinkUrl } from "../sinks/url.ts";
import { service } from "../../tests/_services.ts";
import { AmqpTail, amqpTail } from "./amqp.ts";
import { TailError, type TailRecord } from "./types.ts";

const rabbit = await service("rabbitmq");

function trade(i: number): NormalizedEvent {
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
    size: "0.5",
    side: "buy",
  };
}

function ticker(i: number, venue: "bybit" | "binance"): TickerEvent {
  return {
    id: `${venue}:BTC-USDT:ticker:${i}`,
    kind: "ticker",
    venue,
    symbol: "BTC-USDT",
    nativeSymbol: "BTCUSDT",
    exchangeTs: 1_700_000_000_000 + i,
    receivedTs: 1_700_000_000_001 + i,
    bid: "1",
    bidSize: "1",
    ask: "2",
    askSize: "1",
    last: "1.5",
    volume24h: "10",
  };
}

function base(): string {
  return rabbit.url.replace(/\?.*$/, "");
}

/** An exchange with its class queues (made by the sink driver), cleaned up. */
async function setup(tag: string): Promise<
  {
    exchange: string;
    driver: SinkDriver;
    conn: ChannelModel;
    ch: Channel;
    tail: AmqpTail;
  } & AsyncDisposable
> {
  const exchange = `tgtest-tail-${tag}-${crypto.randomUUID().slice(0, 8)}`;
  const driver = createRabbitMqDriver(
    parseSinkUrl(`${base()}?exchange=${exchange}&poll_sec=0`, 1),
    { streamMaxlen: 1, webhookToken: undefined },
  );
  await driver.connect();
  const conn = await amqp.connect(rabbit.url);
  conn.on("error", () => {});
  const ch = await conn.createChannel();
  const tail = new AmqpTail(`${base()}?exchange=${exchange}`);
  return {
    exchange,
    driver,
    conn,
    ch,
    tail,
    async [Symbol.asyncDispose]() {
      await tail.close();
      await driver.close();
      const c = await conn.createChannel();
      for (const q of QUEUE_CLASSES) {
        await c.deleteQueue(`${exchange}.${q.name}`);
      }
      await c.deleteExchange(exchange);
      await conn.close();
    },
  };
}

Deno.test({
  name: "AmqpTail list() names the class queues of its exchange that exist",
  ignore: rabbit.skip,
  fn: async () => {
    await using s = await setup("list");
    await s.ch.deleteQueue(`${s.exchange}.balances`);
    assert.deepEqual(await s.tail.list(), [
      `${s.exchange}.candles`,
      `${s.exchange}.orderbook`,
      `${s.exchange}.orders`,
      `${s.exchange}.tickers`,
      `${s.exchange}.trades`,
    ]);
    await s.driver.send([trade(1), trade(2)]);
    const depths = await s.tail.depths();
    assert.deepEqual(depths.find((d) => d.queue === `${s.exchange}.trades`), {
      queue: `${s.exchange}.trades`,
      depth: 2,
      consumers: 0,
    });
    const none = amqpTail(`${base()}?exchange=tgtest-none-${Date.now()}`);
    try {
      assert.deepEqual(await none.list(), []);
    } finally {
      await none.close();
    }
  },
});

Deno.test({
  name: "AmqpTail read() peeks at the first messages and leaves them in order",
  ignore: rabbit.skip,
  fn: async () => {
    await using s = await setup("peek");
    const events = [1, 2, 3, 4, 5].map(trade);
    await s.driver.send(events);
    const got: TailRecord[] = [];
    const signal = new AbortController().signal;
    await s.tail.read(
      `${s.exchange}.trades`,
      { count: 3, follow: false, signal },
      (r) => got.push(r),
    );
    assert.deepEqual(
      got,
      events.slice(0, 3).map((e, i) => ({
        stream: `${s.exchange}.trades`,
        position: String(i + 1),
        key: "trade.coinbase.BTC-USD",
        value: e,
      })),
    );
    // The short class name works too, and still sees the same first messages.
    const again: TailRecord[] = [];
    await s.tail.read(
      "trades",
      { count: 10, follow: false, signal },
      (r) => again.push(r),
    );
    assert.deepEqual(again.map((r) => r.value), events);
    // Everything is still there, in order, for the real consumers.
    const left: string[] = [];
    for (;;) {
      const m = await s.ch.get(`${s.exchange}.trades`, { noAck: true });
      if (m === false) break;
      left.push(m.properties.messageId);
    }
    assert.deepEqual(left, events.map((e) => e.id));
    await assert.rejects(
      s.tail.read("nope", { count: 1, follow: false, signal }, () => {}),
      (e) => {
        assert.ok(e instanceof TailError);
        assert.match(e.message, /queue "nope" does not exist on amqp:\/\//);
        assert.match(e.message, new RegExp(`${s.exchange}\\.trades`));
        assert.ok(!e.message.includes(":guest@"), e.message);
        return true;
      },
    );
  },
});

/**
 * Follows `stream` while publishing probes until the tail sees one (its
 * queue is bound), then `events`; stops once `want` records arrived.
 */
async function follow(
  s: { tail: AmqpTail; driver: SinkDriver },
  stream: string,
  probe: (i: number) => NormalizedEvent,
  events: NormalizedEvent[],
  want: number,
): Promise<TailRecord[]> {
  const ac = new AbortController();
  const got: TailRecord[] = [];
  let probes = 0;
  let seen = 0;
  let done: () => void = () => {};
  const enough = new Promise<void>((r) => done = r);
  const reading = s.tail.read(
    stream,
    { count: 10, follow: true, signal: ac.signal },
    (r) => {
      if ((r.value as { id: string }).id.includes(":probe")) seen++;
      else got.push(r);
      if (got.length >= want) done();
    },
  );
  const timer = setTimeout(() => ac.abort(), 15_000);
  try {
    while (seen === 0 && !ac.signal.aborted) {
      await s.driver.send([probe(probes++)]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.driver.send(events);
    await Promise.race([enough, reading]);
  } finally {
    ac.abort();
    clearTimeout(timer);
    await reading;
  }
  return got;
}

Deno.test({
  name:
    "AmqpTail read() with follow prints a class's new messages until aborted",
  ignore: rabbit.skip,
  fn: async () => {
    await using s = await setup("follow");
    const probe = (i: number) => ({ ...trade(i), id: `x:probe:${i}` });
    const events = [ticker(1, "bybit"), trade(10), trade(11), trade(12)];
    const got = await follow(s, `${s.exchange}.trades`, probe, events, 3);
    assert.deepEqual(
      got.map((r) => [r.stream, r.key, r.value]),
      [10, 11, 12].map((i) => [
        `${s.exchange}.trades`,
        "trade.coinbase.BTC-USD",
        trade(i),
      ]),
    );
    // The class queue itself was not consumed.
    const q = await s.ch.checkQueue(`${s.exchange}.trades`);
    assert.ok(q.messageCount >= 3 + 1);
  },
});

Deno.test({
  name:
    "AmqpTail read() with follow takes any other STREAM as a binding pattern",
  ignore: rabbit.skip,
  fn: async () => {
    await using s = await setup("pattern");
    const probe = (i: number) => ({
      ...ticker(i, "bybit"),
      id: `x:probe:${i}`,
    });
    const events = [
      ticker(1, "binance"),
      trade(1),
      ticker(2, "bybit"),
      ticker(3, "binance"),
      ticker(4, "bybit"),
    ];
    const got = await follow(s, "ticker.bybit.*", probe, events, 2);
    assert.deepEqual(got.map((r) => r.value), [
      ticker(2, "bybit"),
      ticker(4, "bybit"),
    ]);
    assert.deepEqual(got.map((r) => r.stream), [
      "ticker.bybit.*",
      "ticker.bybit.*",
    ]);
    const missing = amqpTail(`${base()}?exchange=tgtest-none-${Date.now()}`);
    try {
      await assert.rejects(
        missing.read("trades", {
          count: 1,
          follow: true,
          signal: new AbortController().signal,
        }, () => {}),
        /exchange "tgtest-none-\d+" does not exist/,
      );
    } finally {
      await missing.close();
    }
  },
});
