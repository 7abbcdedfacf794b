import assert from "node:assert/strict";
import { EVENT_KINDS } from "../core/events.ts";
import {
  classOfKind,
  classOfQueue,
  queueArguments,
  rabbitMqOptions,
  RabbitMqTopologyError,
  routingKey,
  topology,
  topologyErrorFrom,
} from "./rabbitmq_topology.ts";
import { DeliveryError } from "./types.ts";
import { parseSinkUrl, SinkUrlError } from "./url.ts";

const spec = (query: string) =>
  parseSinkUrl(`amqp://guest:secret@localhost:5672/${query}`, 1);

Deno.test("rabbitMqOptions() reads defaults and every option", () => {
  assert.deepEqual(rabbitMqOptions(spec("")), {
    exchange: "tickgate",
    maxLength: 100_000,
    ttlMs: undefined,
    pollSec: 10,
  });
  assert.deepEqual(
    rabbitMqOptions(
      spec("?exchange=md.prod:eu-1&max_length=500&ttl_ms=60000&poll_sec=0"),
    ),
    { exchange: "md.prod:eu-1", maxLength: 500, ttlMs: 60_000, pollSec: 0 },
  );
});

Deno.test("rabbitMqOptions() rejects bad options, naming them, without the password", async (t) => {
  const cases: [string, RegExp][] = [
    ["?max_length=0", /max_length must be an integer of 1 or more, got "0"/],
    ["?max_length=-5", /max_length must be an integer/],
    ["?max_length=1.5", /max_length must be an integer/],
    ["?max_length=abc", /max_length must be an integer/],
    ["?ttl_ms=0", /ttl_ms must be an integer of 1 or more/],
    ["?ttl_ms=99999999999", /ttl_ms must be an integer/],
    ["?poll_sec=-1", /poll_sec must be an integer of 0 or more/],
    ["?poll_sec=2.5", /poll_sec must be an integer of 0 or more/],
    ["?exchange=has%20space", /exchange "has space" is not a valid name/],
    ["?exchange=a/b", /exchange "a\/b" is not a valid name/],
    [`?exchange=${"x".repeat(246)}`, /is not a valid name: use 1-245/],
    ["?exchange=amq.topic", /names starting with "amq." are reserved/],
  ];
  for (const [query, re] of cases) {
    await t.step(query.slice(0, 40), () => {
      assert.throws(() => rabbitMqOptions(spec(query)), (e) => {
        assert.ok(e instanceof SinkUrlError);
        assert.match(e.message, re);
        assert.ok(!e.message.includes("secret"), e.message);
        return true;
      });
    });
  }
});

Deno.test("topology() names class queues <exchange>.<class> with their bindings and arguments", () => {
  const t = topology({
    exchange: "tickgate",
    maxLength: 100_000,
    ttlMs: undefined,
    pollSec: 10,
  });
  assert.equal(t.exchange, "tickgate");
  assert.deepEqual(
    t.queues.map((q) => [q.queue, q.binding, q.kind]),
    [
      ["tickgate.trades", "trade.#", "trade"],
      ["tickgate.tickers", "ticker.#", "ticker"],
      ["tickgate.orderbook", "book.#", "book"],
      ["tickgate.candles", "candle.#", "candle"],
      ["tickgate.orders", "order.#", "order"],
      ["tickgate.balances", "balance.#", "balance"],
    ],
  );
  for (const q of t.queues) {
    assert.deepEqual(q.arguments, {
      "x-max-length": 100_000,
      "x-overflow": "drop-head",
    });
  }
  const other = topology({
    exchange: "x1",
    maxLength: 7,
    ttlMs: 1000,
    pollSec: 0,
  });
  assert.equal(other.queues[2]!.queue, "x1.orderbook");
  assert.deepEqual(other.queues[0]!.arguments, {
    "x-max-length": 7,
    "x-overflow": "drop-head",
    "x-message-ttl": 1000,
  });
});

Deno.test("queueArguments() adds x-message-ttl only when set", () => {
  assert.deepEqual(queueArguments({ maxLength: 3, ttlMs: undefined }), {
    "x-max-length": 3,
    "x-overflow": "drop-head",
  });
  assert.deepEqual(queueArguments({ maxLength: 3, ttlMs: 5 }), {
    "x-max-length": 3,
    "x-overflow": "drop-head",
    "x-message-ttl": 5,
  });
});

Deno.test("classOfKind() has a queue for every kind but status", () => {
  const withQueue = EVENT_KINDS.filter((k) => classOfKind(k) !== undefined);
  assert.deepEqual(withQueue, [
    "trade",
    "ticker",
    "book",
    "candle",
    "order",
    "balance",
  ]);
  assert.equal(classOfKind("status"), undefined);
});

Deno.test("classOfQueue() accepts a full queue name or a class suffix", () => {
  assert.equal(classOfQueue("tickgate", "tickgate.tickers")?.kind, "ticker");
  assert.equal(classOfQueue("ex", "orderbook")?.binding, "book.#");
  assert.equal(classOfQueue("ex", "tickgate.trades"), undefined);
  assert.equal(classOfQueue("ex", "trade.binance.*"), undefined);
});

Deno.test("routingKey() is kind.venue.symbol", () => {
  assert.equal(
    routingKey({ kind: "trade", venue: "coinbase", symbol: "BTC-USD" }),
    "trade.coinbase.BTC-USD",
  );
  assert.equal(
    routingKey({ kind: "ticker", venue: "bybit", symbol: "BTC-USDT" }),
    "ticker.bybit.BTC-USDT",
  );
  assert.equal(
    routingKey({ kind: "status", venue: "binance", symbol: "*" }),
    "status.binance.*",
  );
});

Deno.test("topologyErrorFrom() explains a queue argument mismatch", () => {
  const e = topologyErrorFrom(
    `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'tickgate.trades' in vhost '/': received the value '500' of type 'signedint' but current is the value '100000' of type 'signedint'"`,
  );
  assert.ok(e instanceof RabbitMqTopologyError);
  assert.ok(e instanceof DeliveryError);
  assert.equal(e.permanent, false);
  assert.equal(e.entity, "queue");
  assert.equal(e.entityName, "tickgate.trades");
  assert.equal(e.argument, "x-max-length");
  assert.equal(
    e.message,
    `RabbitMQ queue "tickgate.trades" already exists with a different "x-max-length" (received the value '500' of type 'signedint' but current is the value '100000' of type 'signedint'): delete the queue (rabbitmqctl delete_queue tickgate.trades) or set the max_length= option to match`,
  );
  const ttl = topologyErrorFrom(
    `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'a.orders' in vhost 'v': received the value '5' of type 'byte' but current is none`,
  );
  assert.match(ttl!.message, /set the ttl_ms= option to match$/);
  const overflow = topologyErrorFrom(
    `PRECONDITION_FAILED - inequivalent arg 'x-overflow' for queue 'a.orders' in vhost '/': received 'drop-head' but current is 'reject-publish'`,
  );
  assert.match(
    overflow!.message,
    /delete the queue \(rabbitmqctl delete_queue a\.orders\) or tickgate declares it durable with x-overflow=drop-head$/,
  );
});

Deno.test("topologyErrorFrom() explains an exchange mismatch and ignores other errors", () => {
  const e = topologyErrorFrom(
    `Operation failed: ExchangeDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'tickgate' in vhost '/': received 'topic' but current is 'fanout'"`,
  );
  assert.equal(e?.entity, "exchange");
  assert.equal(
    e?.message,
    `RabbitMQ exchange "tickgate" already exists with a different "type" (received 'topic' but current is 'fanout'): delete the exchange (rabbitmqctl delete_exchange tickgate) or choose another name with the exchange= option`,
  );
  assert.equal(
    topologyErrorFrom(`NOT_FOUND - no queue 'x' in vhost '/'`),
    undefined,
  );
});
