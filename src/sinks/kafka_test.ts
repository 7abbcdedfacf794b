import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import type {
  NormalizedEvent,
  StatusEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import {
  KCAT_AVAILABLE,
  readTopics,
  startKafkaMock,
} from "../../tests/_kafka_mock.ts";
import { createKafkaDriver, KafkaDriver } from "./kafka.ts";
import { DeliveryError, type SinkContext } from "./types.ts";
import { parseSinkUrl } from "./url.ts";

const CTX: SinkContext = { streamMaxlen: 0, webhookToken: undefined };
const ignore = !KCAT_AVAILABLE;

function trade(n: number, symbol = "BTC-USD"): TradeEvent {
  return {
    id: `coinbase:${symbol}:trade:${n}`,
    kind: "trade",
    venue: "coinbase",
    symbol,
    nativeSymbol: symbol,
    exchangeTs: 1795341600000 + n + 0.123,
    receivedTs: 1795341600005 + n,
    tradeId: String(n),
    price: `${77000 + n}.5`,
    size: "0.25",
    side: n % 2 === 0 ? "buy" : "sell",
  };
}

function ticker(n: number, symbol = "ETH-USD"): TickerEvent {
  return {
    id: `coinbase:${symbol}:ticker:${n}`,
    kind: "ticker",
    venue: "coinbase",
    symbol,
    nativeSymbol: symbol,
    exchangeTs: 1795341600000 + n + 0.5,
    receivedTs: 1795341600005 + n,
    bid: "3000.1",
    bidSize: "1",
    ask: "3000.2",
    askSize: "2",
    last: "3000.15",
    lastSize: "0.5",
    volume24h: "1000",
  };
}

const status: StatusEvent = {
  id: "coinbase:*:status:connected:coinbase-0:1795341600000",
  kind: "status",
  venue: "coinbase",
  symbol: "*",
  nativeSymbol: "*",
  exchangeTs: 1795341600000,
  receivedTs: 1795341600000,
  state: "connected",
  detail: "subscribed",
  connection: "coinbase-0",
};

function unique(): string {
  return `tg-${crypto.randomUUID().slice(0, 8)}`;
}

function driverFor(url: string): KafkaDriver {
  return createKafkaDriver(parseSinkUrl(url, 1), CTX) as KafkaDriver;
}

/** What a canonical record must be for `e`. */
function expected(e: NormalizedEvent) {
  return {
    key: e.symbol,
    value: JSON.stringify(e),
    headers: { id: e.id, kind: e.kind, venue: e.venue },
  };
}

Deno.test({
  name: "kafka driver writes canonical records per kind, keyed by symbol",
  ignore,
  async fn() {
    await using mock = await startKafkaMock();
    const prefix = unique();
    const driver = driverFor(
      `kafka://${mock.bootstrap}?topic=${prefix}.{kind}`,
    );
    try {
      await driver.connect();
      const batch: NormalizedEvent[] = [
        trade(1),
        trade(2, "ETH-USD"),
        ticker(3),
        trade(4),
        status,
        trade(5, "ETH-USD"),
      ];
      await driver.send(batch);
      const kinds = ["trade", "ticker", "status"];
      const records = await readTopics(
        mock.bootstrap,
        kinds.map((k) => `${prefix}.${k}`),
      );
      assert.equal(records.length, batch.length);
      for (const e of batch) {
        const got = records.filter((r) => r.headers.id === e.id);
        assert.equal(got.length, 1, e.id);
        const r = got[0]!;
        assert.equal(r.topic, `${prefix}.${e.kind}`);
        assert.deepEqual(
          { key: r.key, value: r.value, headers: r.headers },
          expected(e),
        );
      }
      // One symbol, one partition, in order.
      for (const symbol of ["BTC-USD", "ETH-USD"]) {
        const mine = records.filter((r) =>
          r.key === symbol && r.headers.kind === "trade"
        );
        assert.equal(new Set(mine.map((r) => r.partition)).size, 1);
        const ids = mine.sort((a, b) => a.offset - b.offset).map((r) =>
          r.headers.id
        );
        assert.deepEqual(
          ids,
          batch.filter((e) => e.kind === "trade" && e.symbol === symbol)
            .map((e) => e.id),
        );
      }
      assert.deepEqual(driver.details(), {
        idempotent: false,
        topics: 3,
        skipped: 0,
      });
    } finally {
      await driver.close();
    }
  },
});

Deno.test({
  name: "kafka driver tick format writes trade and ticker ticks only",
  ignore,
  async fn() {
    await using mock = await startKafkaMock();
    const topic = `${unique()}-stock-ticks`;
    const driver = driverFor(
      `kafka://${mock.bootstrap}?format=tick&topic=${topic}&compression=gzip`,
    );
    try {
      const noLast = { ...ticker(8), id: "x:ETH-USD:ticker:8", last: "" };
      const batch: NormalizedEvent[] = [trade(1), status, ticker(2), noLast];
      await driver.send(batch);
      const records = await readTopics(mock.bootstrap, [topic]);
      assert.deepEqual(
        records.map((r) => [r.key, r.value, r.headers.id]).sort(),
        [
          [
            "BTC-USD",
            '{"symbol":"BTC","price":77001.5,"volume":0.25,"timestamp":"2026-11-22T10:00:00.001123+00:00"}',
            trade(1).id,
          ],
          [
            "ETH-USD",
            '{"symbol":"ETH","price":3000.15,"volume":0.5,"timestamp":"2026-11-22T10:00:00.002500+00:00"}',
            ticker(2).id,
          ],
        ].sort(),
      );
      assert.deepEqual(driver.details(), {
        idempotent: false,
        topics: 1,
        skipped: 2,
      });
    } finally {
      await driver.close();
    }
  },
});

Deno.test({
  name: "kafka driver rejects a send while the broker is paused, then recovers",
  ignore,
  async fn() {
    const logs: LogRecord[] = [];
    await configure({
      reset: true,
      sinks: { mem: (r) => logs.push(r) },
      loggers: [
        { category: ["tickgate"], lowestLevel: "info", sinks: ["mem"] },
        { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
      ],
    });
    await using mock = await startKafkaMock();
    const topic = `${unique()}.{kind}`;
    const driver = driverFor(`kafka://${mock.bootstrap}?topic=${topic}`);
    try {
      await driver.send([trade(1)]);
      await mock.pause();
      let error: unknown;
      try {
        await driver.send([trade(2), trade(3)]);
      } catch (e) {
        error = e;
      } finally {
        mock.resume();
      }
      assert.ok(error instanceof DeliveryError, String(error));
      assert.equal(error.permanent, false);
      assert.match(error.message, /^Kafka send to kafka:\/\/127\.0\.0\.1:/);
      await driver.send([trade(2), trade(3), trade(4)]);
      const records = await readTopics(mock.bootstrap, [
        topic.replace("{kind}", "trade"),
      ]);
      // The paused batch may have landed too (at least once): same ids only.
      const ids = new Set(records.map((r) => r.headers.id));
      assert.deepEqual(
        [...ids].sort(),
        [1, 2, 3, 4].map((n) => trade(n).id).sort(),
      );
      for (const r of records) {
        const n = Number(r.headers.id!.split(":").at(-1));
        assert.equal(r.value, JSON.stringify(trade(n)));
      }
      // The mock cluster grants no producer id: one warning, across reconnects.
      const warnings = logs.filter((r) => r.level === "warning");
      assert.equal(warnings.length, 1);
      assert.match(
        String(warnings[0]!.rawMessage),
        /refused an idempotent producer/,
      );
      assert.equal(driver.details().idempotent, false);
    } finally {
      await driver.close();
      await reset();
    }
  },
});

Deno.test({
  name:
    "kafka driver connect to a closed port rejects with a retryable DeliveryError",
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    const driver = driverFor(`kafka://127.0.0.1:${port}`);
    try {
      await assert.rejects(driver.connect(), (e) => {
        assert.ok(e instanceof DeliveryError);
        assert.equal(e.permanent, false);
        assert.match(e.message, /Kafka connect to kafka:\/\/127\.0\.0\.1:/);
        return true;
      });
      assert.deepEqual(driver.details(), {
        idempotent: false,
        topics: 0,
        skipped: 0,
      });
    } finally {
      await driver.close();
    }
  },
});
