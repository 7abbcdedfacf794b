/**
 * The PostgreSQL sink's `rows` format: one table per event kind (books split
 * into snapshots and deltas), one column per field. Pure functions, no I/O:
 * decimals stay strings (the server parses them into `numeric`), an empty
 * decimal is `null`, epoch milliseconds become ISO 8601 timestamps keeping
 * microseconds.
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";

/** The sink's tables, in the order a batch writes them (a fixed lock order). */
export const SINK_TABLES = [
  "trades",
  "tickers",
  "candles",
  "book_snapshots",
  "book_deltas",
  "orders",
  "balances",
  "status_events",
] as const;

/** One of {@link SINK_TABLES}. */
export type SinkTable = typeof SINK_TABLES[number];

/** A column value as handed to npm:postgres (jsonb levels stay arrays). */
export type CellValue = string | number | boolean | null | string[][];

/** One row: column name → value. */
export type Row = Record<string, CellValue>;

/** Columns every table starts with. */
export const BASE_COLUMNS = [
  "id",
  "venue",
  "symbol",
  "native_symbol",
  "exchange_ts",
  "received_ts",
] as const;

/** The columns written to each table, in insert order. */
export const TABLE_COLUMNS: Readonly<Record<SinkTable, readonly string[]>> = {
  trades: [...BASE_COLUMNS, "trade_id", "price", "size", "side"],
  tickers: [
    ...BASE_COLUMNS,
    ...["bid", "bid_size", "ask", "ask_size", "last", "volume_24h"],
    ...["open_24h", "high_24h", "low_24h", "volume_30d", "last_size"],
    ...["sequence", "mark_price", "index_price", "open_interest"],
    ...["funding_rate", "next_funding_time"],
  ],
  candles: [
    ...BASE_COLUMNS,
    ...["interval", "open_time", "open", "high", "low", "close", "volume"],
    "closed",
  ],
  book_snapshots: [
    ...BASE_COLUMNS,
    "bids",
    "asks",
    "sequence",
    "first_sequence",
  ],
  book_deltas: [...BASE_COLUMNS, "bids", "asks", "sequence", "first_sequence"],
  orders: [
    ...BASE_COLUMNS,
    ...["order_id", "client_order_id", "status", "side", "order_type"],
    ...["price", "size", "filled_size", "avg_price", "exec_id", "exec_price"],
    ...["exec_size", "fee", "fee_currency", "liquidity", "category"],
  ],
  balances: [
    ...BASE_COLUMNS,
    ...["account", "coin", "free", "locked", "total", "entry_price"],
    ...["mark_price", "unrealised_pnl", "category"],
  ],
  status_events: [...BASE_COLUMNS, "state", "detail", "connection"],
};

/**
 * npm:postgres `types` option: timestamps go to the server as the ISO
 * strings {@link pgTimestamp} made (its default would cut them to
 * milliseconds).
 *
 * @example Usage
 * ```ts
 * const sql = postgres(url, { types: ROW_TYPES });
 * ```
 */
export const ROW_TYPES = {
  timestamptz: {
    to: 1184,
    from: [1184],
    serialize: (x: unknown): string =>
      typeof x === "string" ? x : new Date(x as number).toISOString(),
    parse: (x: string): string => x,
  },
};

/** Rows of one batch grouped by table, tables in {@link SINK_TABLES} order. */
export type RowGroups = Array<{ table: SinkTable; rows: Row[] }>;

/**
 * Formats epoch milliseconds (fraction = microseconds) as an ISO 8601 UTC
 * timestamp with six fractional digits; `null` when absent or not finite.
 *
 * @example Usage
 * ```ts
 * pgTimestamp(1700000000123.456); // "2023-11-14T22:13:20.123456Z"
 * ```
 */
export function pgTimestamp(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const us = Math.round(ms * 1000);
  const whole = Math.floor(us / 1000);
  const date = new Date(whole);
  if (Number.isNaN(date.getTime())) return null;
  const frac = us - whole * 1000;
  const iso = date.toISOString(); // …ss.mmmZ
  return iso.slice(0, -1) + String(frac).padStart(3, "0") + "Z";
}

/** A decimal string, or `null` when absent or empty. */
export function dec(v: string | undefined): string | null {
  return v === undefined || v === "" ? null : v;
}

function txt(v: string | undefined): string | null {
  return v === undefined ? null : v;
}

function int(v: number | undefined): number | null {
  return v === undefined ? null : v;
}

/**
 * The table an event goes to.
 *
 * @example Usage
 * ```ts
 * tableOf(event); // "trades" for a trade, "book_deltas" for a book delta
 * ```
 */
export function tableOf(event: NormalizedEvent): SinkTable {
  switch (event.kind) {
    case "trade":
      return "trades";
    case "ticker":
      return "tickers";
    case "candle":
      return "candles";
    case "book":
      return event.type === "snapshot" ? "book_snapshots" : "book_deltas";
    case "order":
      return "orders";
    case "balance":
      return "balances";
    case "status":
      return "status_events";
    default:
      throw new TypeError(
        `unknown event kind "${String((event as { kind: unknown }).kind)}"`,
      );
  }
}

/**
 * Maps one event to its row (every column of its table present).
 *
 * @example Usage
 * ```ts
 * const row = eventRow(trade);
 * // { id, venue, symbol, native_symbol, exchange_ts, received_ts,
 * //   trade_id, price, size, side }
 * ```
 */
export function eventRow(e: NormalizedEvent): Row {
  const row: Row = {
    id: e.id,
    venue: e.venue,
    symbol: e.symbol,
    native_symbol: e.nativeSymbol,
    exchange_ts: pgTimestamp(e.exchangeTs),
    received_ts: pgTimestamp(e.receivedTs),
  };
  switch (e.kind) {
    case "trade":
      row.trade_id = txt(e.tradeId);
      row.price = dec(e.price);
      row.size = dec(e.size);
      row.side = txt(e.side);
      break;
    case "ticker":
      row.bid = dec(e.bid);
      row.bid_size = dec(e.bidSize);
      row.ask = dec(e.ask);
      row.ask_size = dec(e.askSize);
      row.last = dec(e.last);
      row.volume_24h = dec(e.volume24h);
      row.open_24h = dec(e.open24h);
      row.high_24h = dec(e.high24h);
      row.low_24h = dec(e.low24h);
      row.volume_30d = dec(e.volume30d);
      row.last_size = dec(e.lastSize);
      row.sequence = int(e.sequence);
      row.mark_price = dec(e.markPrice);
      row.index_price = dec(e.indexPrice);
      row.open_interest = dec(e.openInterest);
      row.funding_rate = dec(e.fundingRate);
      row.next_funding_time = pgTimestamp(e.nextFundingTime);
      break;
    case "candle":
      row.interval = txt(e.interval);
      row.open_time = pgTimestamp(e.openTime);
      row.open = dec(e.open);
      row.high = dec(e.high);
      row.low = dec(e.low);
      row.close = dec(e.close);
      row.volume = dec(e.volume);
      row.closed = e.closed === undefined ? null : e.closed;
      break;
    case "book":
      row.bids = e.bids ?? [];
      row.asks = e.asks ?? [];
      row.sequence = int(e.sequence);
      row.first_sequence = int(e.firstSequence);
      break;
    case "order":
      row.order_id = txt(e.orderId);
      row.client_order_id = txt(e.clientOrderId);
      row.status = txt(e.status);
      row.side = txt(e.side);
      row.order_type = txt(e.orderType);
      row.price = dec(e.price);
      row.size = dec(e.size);
      row.filled_size = dec(e.filledSize);
      row.avg_price = dec(e.avgPrice);
      row.exec_id = txt(e.execId);
      row.exec_price = dec(e.execPrice);
      row.exec_size = dec(e.execSize);
      row.fee = dec(e.fee);
      row.fee_currency = txt(e.feeCurrency);
      row.liquidity = txt(e.liquidity);
      row.category = txt(e.category);
      break;
    case "balance":
      row.account = txt(e.account);
      row.coin = txt(e.coin);
      row.free = dec(e.free);
      row.locked = dec(e.locked);
      row.total = dec(e.total);
      row.entry_price = dec(e.entryPrice);
      row.mark_price = dec(e.markPrice);
      row.unrealised_pnl = dec(e.unrealisedPnl);
      row.category = txt(e.category);
      break;
    case "status":
      row.state = txt(e.state);
      row.detail = txt(e.detail);
      row.connection = txt(e.connection);
      break;
    default:
      tableOf(e); // throws for an unknown kind
  }
  return row;
}

/**
 * Maps a batch to rows grouped by table, in {@link SINK_TABLES} order (so
 * concurrent writers lock tables in the same order); within a table, rows
 * keep the batch order. Throws `TypeError` for an unknown kind.
 *
 * @example Usage
 * ```ts
 * for (const { table, rows } of groupRows(batch)) insert(table, rows);
 * ```
 */
export function groupRows(batch: readonly NormalizedEvent[]): RowGroups {
  const byTable = new Map<SinkTable, Row[]>();
  for (let i = 0; i < batch.length; i++) {
    const e = batch[i]!;
    const table = tableOf(e);
    let rows = byTable.get(table);
    if (rows === undefined) {
      rows = [];
      byTable.set(table, rows);
    }
    rows.push(eventRow(e));
  }
  const groups: RowGroups = [];
  for (const table of SINK_TABLES) {
    const rows = byTable.get(table);
    if (rows !== undefined) groups.push({ table, rows });
  }
  return groups;
}
