import assert from "node:assert/strict";
import type {
  BalanceEvent,
  BookEvent,
  CandleEvent,
  NormalizedEvent,
  OrderEvent,
  StatusEvent,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import {
  eventRow,
  groupRows,
  pgTimestamp,
  SINK_TABLES,
  TABLE_COLUMNS,
  tableOf,
} from "./postgres_rows.ts";

const base = {
  venue: "binance",
  symbol: "BTC-USDT",
  nativeSymbol: "BTCUSDT",
  exchangeTs: 1700000000123.456,
  receivedTs: 1700000000200,
} as const;

const baseRow = {
  venue: "binance",
  symbol: "BTC-USDT",
  native_symbol: "BTCUSDT",
  exchange_ts: "2023-11-14T22:13:20.123456Z",
  received_ts: "2023-11-14T22:13:20.200000Z",
};

const trade: TradeEvent = {
  ...base,
  id: "t1",
  kind: "trade",
  tradeId: "42",
  price: "37000.10",
  size: "0.00100000",
  side: "buy",
};

Deno.test("pgTimestamp keeps microseconds and rounds below them", () => {
  assert.equal(pgTimestamp(1700000000123.456), "2023-11-14T22:13:20.123456Z");
  assert.equal(pgTimestamp(1700000000000), "2023-11-14T22:13:20.000000Z");
  assert.equal(pgTimestamp(1700000000999.9996), "2023-11-14T22:13:21.000000Z");
  assert.equal(pgTimestamp(0.001), "1970-01-01T00:00:00.000001Z");
  assert.equal(pgTimestamp(undefined), null);
  assert.equal(pgTimestamp(Number.NaN), null);
  assert.equal(pgTimestamp(Number.POSITIVE_INFINITY), null);
  assert.equal(pgTimestamp(9e15), null); // beyond Date's range
});

Deno.test("trade row", () => {
  assert.deepEqual(eventRow(trade), {
    id: "t1",
    ...baseRow,
    trade_id: "42",
    price: "37000.10",
    size: "0.00100000",
    side: "buy",
  });
});

Deno.test("ticker row: empty decimals and absent optional fields are null", () => {
  const sparse: TickerEvent = {
    ...base,
    id: "k1",
    kind: "ticker",
    bid: "36999.9",
    bidSize: "1.5",
    ask: "",
    askSize: "",
    last: "37000",
    volume24h: "1234.5",
    open24h: "",
  };
  assert.deepEqual(eventRow(sparse), {
    id: "k1",
    ...baseRow,
    bid: "36999.9",
    bid_size: "1.5",
    ask: null,
    ask_size: null,
    last: "37000",
    volume_24h: "1234.5",
    open_24h: null,
    high_24h: null,
    low_24h: null,
    volume_30d: null,
    last_size: null,
    sequence: null,
    mark_price: null,
    index_price: null,
    open_interest: null,
    funding_rate: null,
    next_funding_time: null,
  });
  const full: TickerEvent = {
    ...sparse,
    ask: "37000.1",
    askSize: "2",
    open24h: "36000",
    high24h: "37500",
    low24h: "35900",
    volume30d: "99999.99",
    lastSize: "0.01",
    sequence: 123456789012,
    markPrice: "37000.05",
    indexPrice: "37000.01",
    openInterest: "5000",
    fundingRate: "-0.0001",
    nextFundingTime: 1700006400000,
  };
  assert.deepEqual(eventRow(full), {
    id: "k1",
    ...baseRow,
    bid: "36999.9",
    bid_size: "1.5",
    ask: "37000.1",
    ask_size: "2",
    last: "37000",
    volume_24h: "1234.5",
    open_24h: "36000",
    high_24h: "37500",
    low_24h: "35900",
    volume_30d: "99999.99",
    last_size: "0.01",
    sequence: 123456789012,
    mark_price: "37000.05",
    index_price: "37000.01",
    open_interest: "5000",
    funding_rate: "-0.0001",
    next_funding_time: "2023-11-15T00:00:00.000000Z",
  });
});

Deno.test("candle row", () => {
  const candle: CandleEvent = {
    ...base,
    id: "c1",
    kind: "candle",
    interval: "5m",
    openTime: 1699999800000,
    open: "36900",
    high: "37010",
    low: "36890.5",
    close: "37000.1",
    volume: "12.345",
    closed: false,
  };
  assert.deepEqual(eventRow(candle), {
    id: "c1",
    ...baseRow,
    interval: "5m",
    open_time: "2023-11-14T22:10:00.000000Z",
    open: "36900",
    high: "37010",
    low: "36890.5",
    close: "37000.1",
    volume: "12.345",
    closed: false,
  });
});

Deno.test("book rows: snapshots and deltas go to their own tables", () => {
  const snapshot: BookEvent = {
    ...base,
    id: "b1",
    kind: "book",
    type: "snapshot",
    bids: [["36999.9", "1.5"], ["36999.8", "2"]],
    asks: [["37000.1", "0.5"]],
    sequence: 1000,
  };
  const delta: BookEvent = {
    ...base,
    id: "b2",
    kind: "book",
    type: "delta",
    bids: [["36999.9", "0"]],
    asks: [],
    sequence: 1005,
    firstSequence: 1001,
  };
  assert.equal(tableOf(snapshot), "book_snapshots");
  assert.equal(tableOf(delta), "book_deltas");
  assert.deepEqual(eventRow(snapshot), {
    id: "b1",
    ...baseRow,
    bids: [["36999.9", "1.5"], ["36999.8", "2"]],
    asks: [["37000.1", "0.5"]],
    sequence: 1000,
    first_sequence: null,
  });
  assert.deepEqual(eventRow(delta), {
    id: "b2",
    ...baseRow,
    bids: [["36999.9", "0"]],
    asks: [],
    sequence: 1005,
    first_sequence: 1001,
  });
});

Deno.test("order row, with and without fill fields", () => {
  const order: OrderEvent = {
    ...base,
    venue: "bybit",
    id: "o1",
    kind: "order",
    orderId: "ord-1",
    clientOrderId: "",
    status: "PartiallyFilled",
    side: "sell",
    orderType: "Limit",
    price: "37100",
    size: "0.2",
    filledSize: "0.1",
    avgPrice: "",
    execId: "ex-9",
    execPrice: "37100",
    execSize: "0.1",
    fee: "-0.37",
    feeCurrency: "USDT",
    liquidity: "maker",
    category: "linear",
  };
  const common = {
    id: "o1",
    ...baseRow,
    venue: "bybit",
    order_id: "ord-1",
    client_order_id: "",
    status: "PartiallyFilled",
    side: "sell",
    order_type: "Limit",
    price: "37100",
    size: "0.2",
    filled_size: "0.1",
    avg_price: null,
  };
  assert.deepEqual(eventRow(order), {
    ...common,
    exec_id: "ex-9",
    exec_price: "37100",
    exec_size: "0.1",
    fee: "-0.37",
    fee_currency: "USDT",
    liquidity: "maker",
    category: "linear",
  });
  const bare: OrderEvent = { ...order };
  for (
    const k of [
      "execId",
      "execPrice",
      "execSize",
      "fee",
      "feeCurrency",
      "liquidity",
      "category",
    ] as const
  ) delete bare[k];
  assert.deepEqual(eventRow(bare), {
    ...common,
    exec_id: null,
    exec_price: null,
    exec_size: null,
    fee: null,
    fee_currency: null,
    liquidity: null,
    category: null,
  });
});

Deno.test("balance row", () => {
  const balance: BalanceEvent = {
    ...base,
    venue: "bybit",
    symbol: "*",
    nativeSymbol: "*",
    id: "w1",
    kind: "balance",
    account: "position:linear",
    coin: "BTCUSDT",
    free: "0",
    locked: "0",
    total: "-0.5",
    entryPrice: "36000",
    markPrice: "37000",
    unrealisedPnl: "-500",
    category: "linear",
  };
  assert.deepEqual(eventRow(balance), {
    id: "w1",
    ...baseRow,
    venue: "bybit",
    symbol: "*",
    native_symbol: "*",
    account: "position:linear",
    coin: "BTCUSDT",
    free: "0",
    locked: "0",
    total: "-0.5",
    entry_price: "36000",
    mark_price: "37000",
    unrealised_pnl: "-500",
    category: "linear",
  });
});

Deno.test("status row", () => {
  const status: StatusEvent = {
    ...base,
    symbol: "*",
    nativeSymbol: "*",
    id: "s1",
    kind: "status",
    state: "gap",
    detail: "missed 3 trades",
    connection: "binance-0",
  };
  assert.deepEqual(eventRow(status), {
    id: "s1",
    ...baseRow,
    symbol: "*",
    native_symbol: "*",
    state: "gap",
    detail: "missed 3 trades",
    connection: "binance-0",
  });
});

Deno.test("every row has exactly its table's columns", () => {
  const events: NormalizedEvent[] = [
    trade,
    {
      ...base,
      id: "k",
      kind: "ticker",
      bid: "1",
      bidSize: "1",
      ask: "1",
      askSize: "1",
      last: "1",
      volume24h: "1",
    },
    {
      ...base,
      id: "s",
      kind: "status",
      state: "connected",
      detail: "",
      connection: "c",
    },
  ];
  for (const e of events) {
    assert.deepEqual(
      Object.keys(eventRow(e)).sort(),
      [...TABLE_COLUMNS[tableOf(e)]].sort(),
    );
  }
});

Deno.test("groupRows groups by table in table order, keeping batch order", () => {
  const status: StatusEvent = {
    ...base,
    id: "s1",
    kind: "status",
    state: "connected",
    detail: "",
    connection: "binance-0",
  };
  const t2: TradeEvent = { ...trade, id: "t2" };
  const groups = groupRows([status, trade, status, t2]);
  assert.deepEqual(
    groups.map((g) => [g.table, g.rows.map((r) => r.id)]),
    [["trades", ["t1", "t2"]], ["status_events", ["s1", "s1"]]],
  );
  assert.deepEqual(groupRows([]), []);
  assert.equal(SINK_TABLES.indexOf("trades"), 0);
});

Deno.test("an unknown kind throws a TypeError", () => {
  const odd = { ...trade, kind: "liquidation" } as unknown as NormalizedEvent;
  assert.throws(() => groupRows([odd]), TypeError);
});
