import { broker, drain, expectedWire, wire } from "../../tests/_rabbitmq.ts";
import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import type { NormalizedEvent } from "../core/events.ts";
import { service } from "../../tests/_services.ts";
import { TcpProxy } from "../../tests/_tcp_proxy.ts";
import { createRabbitMqDriver } from "./rabbitmq.ts";
import { QUEUE_CLASSES, RabbitMqTopologyError } from "./rabbitmq_topology.ts";
import { DeliveryError, type SinkDriver } from "./types.ts";
import { parseSinkUrl } from "./url.ts";

const rabbit = await service("rabbitmq");
const CTX = { streamMaxlen: 1000, webhookToken: undefined };

/** A sink URL for the test broker (or a port in front of it). */
function sinkUrl(exchange: string, query = "", port = rabbit.port): string {
  const u = new URL(rabbit.url);
  u.hostname = rabbit.hostname;
  u.port = String(port);
  const base = u.toString().replace(/\?.*$/, "");
  return `${base}?exchange=${exchange}${query}`;
}

function driverFor(exchange: string, query = "", port?: number): SinkDriver {
  return createRabbitMqDriver(
    parseSinkUrl(sinkUrl(exchange, query, port), 1),
    CTX,
  );
}

const unique = (tag: string) =>
  `tgtest-${tag}-${crypto.randomUUID().slice(0, 8)}`;

const base = (i: number, symbol = "BTC-USD") => ({
  venue: "coinbase" as const,
  symbol,
  nativeSymbol: symbol,
  exchangeTs: 1_700_000_000_000 + i,
  receivedTs: 1_700_000_123_456 + i,
});

function trade(i: number, symbol = "BTC-USD"): NormalizedEvent {
  return {
    ...base(i, symbol),
    id: `coinbase:${symbol}:trade:${i}`,
    kind: "trade",
    tradeId: String(i),
    price: "42000.01",
    size: "0.00100000",
    side: i % 2 === 0 ? "buy" : "sell",
  };
}

function oneOfEach(): NormalizedEvent[] {
  return [
    trade(1),
    {
      ...base(2),
      venue: "bybit",
      symbol: "BTC-USDT",
      nativeSymbol: "BTCUSDT",
      id: "bybit:BTC-USDT:ticker:2",
      kind: "ticker",
      bid: "1",
      bidSize: "2",
      ask: "3",
      askSize: "4",
      last: "",
      volume24h: "5",
    },
    {
      ...base(3),
      id: "coinbase:BTC-USD:book:3",
      kind: "book",
      type: "delta",
      bids: [["1.5", "0"]],
      asks: [],
      sequence: 3,
    },
    {
      ...base(4),
      id: "coinbase:BTC-USD:candle:4",
      kind: "candle",
      interval: "1m",
      openTime: 1_700_000_000_000,
      open: "1",
      high: "2",
      low: "0.5",
      close: "1.5",
      volume: "10",
      closed: false,
    },
    {
      ...base(5),
      id: "coinbase:BTC-USD:order:5",
      kind: "order",
      orderId: "o1",
      clientOrderId: "c1",
      status: "filled",
      side: "buy",
      orderType: "limit",
      price: "1",
      size: "1",
      filledSize: "1",
      avgPrice: "1",
    },
    {
      ...base(6, "*"),
      id: "coinbase:*:balance:6",
      kind: "balance",
      account: "spot",
      coin: "USD",
      free: "1",
      locked: "0",
      total: "1",
    },
    {
      ...base(7, "*"),
      venue: "binance",
      id: "binance:*:status:connected:binance-0:7",
      kind: "status",
      state: "connected",
      detail: "up",
      connection: "binance-0",
    },
  ];
}

Deno.test({
  name:
    "RabbitMQ driver publishes each event to its class queue with its properties",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = unique("pub");
    await using b = await broker(rabbit.url, exchange);
    const driver = driverFor(exchange, "&poll_sec=0");
    try {
      await driver.connect();
      // A queue of our own sees everything, status events included.
      const all = await b.ch.assertQueue("", { exclusive: true });
      await b.ch.bindQueue(all.queue, exchange, "#");
      const events = oneOfEach();
      await driver.send(events);
      for (const c of QUEUE_CLASSES) {
        const got = await drain(b.ch, `${exchange}.${c.name}`);
        const want = events.filter((e) => e.kind === c.kind);
        assert.equal(want.length, 1);
        assert.deepEqual(
          got.map(wire),
          want.map((e) => expectedWire(exchange, e)),
          c.name,
        );
      }
      const everything = await drain(b.ch, all.queue);
      assert.deepEqual(
        everything.map(wire),
        events.map((e) => expectedWire(exchange, e)),
      );
      assert.equal(everything[6]!.fields.routingKey, "status.binance.*");
      assert.deepEqual(driver.details?.(), { exchange, queues: {} });
    } finally {
      await driver.close();
    }
  },
});

Deno.test({
  name:
    "RabbitMQ driver declares queue arguments: max_length drops the oldest, ttl_ms",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = unique("args");
    await using b = await broker(rabbit.url, exchange);
    const driver = driverFor(
      exchange,
      "&max_length=3&ttl_ms=600000&poll_sec=0",
    );
    try {
      await driver.connect();
      // Declaring again with exactly these arguments succeeds only if equal.
      for (const c of QUEUE_CLASSES) {
        await b.ch.assertQueue(`${exchange}.${c.name}`, {
          durable: true,
          arguments: {
            "x-max-length": 3,
            "x-overflow": "drop-head",
            "x-message-ttl": 600000,
          },
        });
      }
      const trades = [1, 2, 3, 4, 5].map((i) => trade(i));
      await driver.send(trades);
      const got = await drain(b.ch, `${exchange}.trades`);
      assert.deepEqual(
        got.map((m) => m.properties.messageId),
        trades.slice(2).map((e) => e.id),
      );
    } finally {
      await driver.close();
    }
  },
});

Deno.test({
  name:
    "RabbitMQ driver connect() explains a queue declared with other arguments",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = unique("pre");
    await using b = await broker(rabbit.url, exchange);
    await b.ch.assertQueue(`${exchange}.tickers`, {
      durable: true,
      arguments: { "x-max-length": 5 },
    });
    const driver = driverFor(exchange, "&max_length=500&poll_sec=0");
    try {
      await assert.rejects(driver.connect(), (e) => {
        assert.ok(e instanceof RabbitMqTopologyError);
        assert.equal(e.permanent, false);
        assert.equal(e.entityName, `${exchange}.tickers`);
        assert.equal(e.argument, "x-max-length");
        // The detail in parentheses is the broker's own wording.
        const [head, tail] = e.message.split(
          / \(received .*'500'.* current is .*'5'.*\): /,
        );
        assert.equal(
          head,
          `RabbitMQ queue "${exchange}.tickers" already exists with a different "x-max-length"`,
        );
        assert.equal(
          tail,
          `delete the queue (rabbitmqctl delete_queue ${exchange}.tickers) or set the max_length= option to match`,
        );
        return true;
      });
      // Deleting the queue, as the message says, lets the next attempt in.
      await b.ch.deleteQueue(`${exchange}.tickers`);
      await driver.connect();
      await driver.send([trade(1)]);
      assert.equal((await drain(b.ch, `${exchange}.trades`)).length, 1);
    } finally {
      await driver.close();
    }
  },
});

Deno.test({
  name:
    "RabbitMQ driver fails retryably in an outage and recovers on the same driver",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = unique("cut");
    await using b = await broker(rabbit.url, exchange);
    const proxy = TcpProxy.start({
      hostname: rabbit.hostname,
      port: rabbit.port,
    });
    const driver = driverFor(exchange, "&poll_sec=1", proxy.port);
    try {
      await driver.send([trade(1), trade(2)]);
      proxy.cut();
      await assert.rejects(driver.send([trade(3)]), (e) => {
        assert.ok(e instanceof DeliveryError);
        assert.equal(e.permanent, false);
        assert.ok(!e.message.includes("guest:guest"), e.message);
        return true;
      });
      await assert.rejects(driver.connect(), (e) => {
        assert.ok(e instanceof DeliveryError);
        assert.equal(e.permanent, false);
        assert.match(e.message, /^Cannot connect to RabbitMQ at amqp:\/\//);
        assert.ok(!e.message.includes("guest:guest"), e.message);
        return true;
      });
      proxy.restore();
      await driver.send([trade(4), trade(5)]);
      const got = await drain(b.ch, `${exchange}.trades`);
      assert.deepEqual(
        got.map((m) => m.properties.messageId),
        [1, 2, 4, 5].map((i) => trade(i).id),
      );
    } finally {
      await driver.close();
      await proxy.close();
    }
  },
});

/**
 * A proxy that can go silent: while frozen it forwards nothing and closes
 * nothing, like a peer behind a dead network path.
 */
function freezingProxy(target: { hostname: string; port: number }) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const state = { frozen: false };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        while (state.frozen) await new Promise((r) => setTimeout(r, 20));
        let off = 0;
        while (off < n) off += await to.write(buf.subarray(off, n));
      }
    } catch {
      // closed
    }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch {
        // already closed
      }
      conns.delete(c);
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect(target);
      conns.add(client).add(upstream);
      pump(client, upstream);
      pump(upstream, client);
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    state,
    async close() {
      state.frozen = false;
      listener.close();
      for (const c of conns) c.close();
      conns.clear();
      await accepting;
    },
  };
}

Deno.test({
  name:
    "RabbitMQ driver gives up on a silent broker and recovers on the same driver",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = unique("silent");
    await using b = await broker(rabbit.url, exchange);
    const proxy = freezingProxy({
      hostname: rabbit.hostname,
      port: rabbit.port,
    });
    const driver = driverFor(exchange, "&poll_sec=0", proxy.port);
    try {
      await driver.send([trade(1)]);
      proxy.state.frozen = true;
      await assert.rejects(driver.send([trade(2)]), (e) => {
        assert.ok(e instanceof DeliveryError);
        assert.equal(e.permanent, false);
        assert.match(e.message, /no confirm within 5000 ms/);
        return true;
      });
      proxy.state.frozen = false;
      await driver.send([trade(3)]);
      const got = await drain(b.ch, `${exchange}.trades`);
      // trade 2 may have reached the queue before its confirm was lost.
      const ids = got.map((m) => m.properties.messageId);
      assert.deepEqual(ids.filter((id) => id !== trade(2).id), [
        trade(1).id,
        trade(3).id,
      ]);
    } finally {
      await driver.close();
      await proxy.close();
    }
  },
});

Deno.test({
  name: "RabbitMQ driver declares a deleted class queue again and retries",
  ignore: rabbit.skip,
  fn: async () => {
    const exchange = unique("gone");
    await using b = await broker(rabbit.url, exchange);
    const driver = driverFor(exchange, "&poll_sec=0");
    try {
      await driver.connect();
      await b.ch.deleteQueue(`${exchange}.trades`);
      await assert.rejects(driver.send([trade(1), trade(2)]), (e) => {
        assert.ok(e instanceof DeliveryError);
        assert.equal(e.permanent, false);
        assert.match(e.message, /2 events .* had no queue/);
        return true;
      });
      await driver.send([trade(1), trade(2)]);
      const got = await drain(b.ch, `${exchange}.trades`);
      assert.deepEqual(
        got.map((m) => m.properties.messageId),
        [trade(1).id, trade(2).id],
      );
    } finally {
      await driver.close();
    }
  },
});

Deno.test({
  name: "RabbitMQ driver polls depths: a backlog warns once, and ok is logged",
  ignore: rabbit.skip,
  fn: async () => {
    const records: LogRecord[] = [];
    await configure({
      reset: true,
      sinks: { memory: (r) => records.push(r) },
      loggers: [
        { category: ["tickgate"], lowestLevel: "info", sinks: ["memory"] },
        { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
      ],
    });
    const exchange = unique("depth");
    const queue = `${exchange}.trades`;
    await using b = await broker(rabbit.url, exchange);
    const driver = driverFor(exchange, "&poll_sec=1");
    type Depth = Record<string, Record<string, unknown>>;
    const depths = () => (driver.details!().queues as Depth);
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 300 && !ok(); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(
        ok(),
        `timed out waiting for ${what}: ${JSON.stringify(depths()[queue])}`,
      );
    };
    const levelLogs = () =>
      records.filter((r) => r.properties.queue === queue).map((
        r,
      ) => [r.level, r.properties.level]);
    try {
      await driver.connect();
      await until("first poll", () => depths()[queue]?.depth === 0);
      const batch: NormalizedEvent[] = [];
      for (let i = 0; i < 1200; i++) batch.push(trade(i));
      for (let i = 0; i < batch.length; i += 300) {
        await driver.send(batch.slice(i, i + 300));
      }
      // Two polls after the rise: the second sees no new publishes.
      await until(
        "the backlog",
        () => depths()[queue]?.depth === 1200,
      );
      const risen = depths()[queue]!;
      assert.equal(risen.level, "warning");
      assert.equal(risen.reason, "backlog of 1200 messages (warning at 1000)");
      assert.equal(risen.consumers, 0);
      assert.ok((risen.publishRate as number) > 0);
      await until("a quiet poll", () => depths()[queue]?.publishRate === 0);
      assert.deepEqual(depths()[`${exchange}.tickers`], {
        depth: 0,
        consumers: 0,
        publishRate: 0,
        consumeRate: 0,
        level: "ok",
        reason: "",
      });
      assert.deepEqual(levelLogs(), [["warning", "warning"]]);
      await b.ch.purgeQueue(queue);
      await until("ok again", () => depths()[queue]?.level === "ok");
      assert.deepEqual(levelLogs(), [["warning", "warning"], ["info", "ok"]]);
      assert.equal(
        (driver.details!() as { exchange: string }).exchange,
        exchange,
      );
    } finally {
      await driver.close();
      await reset();
    }
  },
});
