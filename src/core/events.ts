/**
 * The normalized event model: every venue adapter produces these, every sink
 * consumes them. Prices and sizes are the exchange's own decimal strings, so
 * nothing is lost to floating point; timestamps are epoch milliseconds, with
 * microseconds kept as a fraction where the venue gives them.
 *
 * @module
 */

/** Venues tickgate knows by name (the `venue` field of every event). */
export const VENUE_NAMES = [
  "coinbase",
  "coinbase-advanced",
  "binance",
  "bybit",
] as const;

/** One of {@link VENUE_NAMES}. */
export type VenueName = typeof VENUE_NAMES[number];

/** Event kinds, the `kind` field of every event. */
export const EVENT_KINDS = [
  "trade",
  "ticker",
  "book",
  "candle",
  "order",
  "balance",
  "status",
] as const;

/** One of {@link EVENT_KINDS}. */
export type EventKind = typeof EVENT_KINDS[number];

/** A decimal number kept exactly as the exchange wrote it, e.g. `"400.23"`. */
export type Decimal = string;

/** The taker's side of a trade, or an order's side. */
export type Side = "buy" | "sell";

/** Fields every event carries. */
export interface EventBase {
  /** Stable across reconnects and replays; the idempotency key for sinks. */
  id: string;
  venue: VenueName;
  /** Unified `BASE-QUOTE` symbol, e.g. `BTC-USDT`; `*` when not symbol-specific. */
  symbol: string;
  /** The venue's own symbol, e.g. `BTCUSDT`; `*` when not symbol-specific. */
  nativeSymbol: string;
  /** The venue's event time, epoch ms (fraction = microseconds). */
  exchangeTs: number;
  /** When tickgate read the frame, epoch ms. */
  receivedTs: number;
}

/** One executed trade. */
export interface TradeEvent extends EventBase {
  kind: "trade";
  tradeId: string;
  price: Decimal;
  size: Decimal;
  /** The taker's side: `buy` lifted an ask, `sell` hit a bid. */
  side: Side;
}

/**
 * Best bid/ask, last price and 24 h statistics. A field the venue's message
 * does not carry (a book ticker has no last price, a mini ticker no bid) is
 * the empty string, so every ticker has the same shape.
 */
export interface TickerEvent extends EventBase {
  kind: "ticker";
  bid: Decimal;
  bidSize: Decimal;
  ask: Decimal;
  askSize: Decimal;
  last: Decimal;
  volume24h: Decimal;
  open24h?: Decimal | undefined;
  high24h?: Decimal | undefined;
  low24h?: Decimal | undefined;
  volume30d?: Decimal | undefined;
  lastSize?: Decimal | undefined;
  /** The id of the last trade the ticker reflects, where the venue gives it. */
  lastTradeId?: string | undefined;
  /** The venue's sequence number for this update, where it has one. */
  sequence?: number | undefined;
  /** Derivatives: mark and index price, open interest, funding. */
  markPrice?: Decimal | undefined;
  indexPrice?: Decimal | undefined;
  openInterest?: Decimal | undefined;
  fundingRate?: Decimal | undefined;
  /** Derivatives: the next funding time, epoch ms. */
  nextFundingTime?: number | undefined;
}

/** One `[price, size]` level; size `0` (in any spelling) removes the level. */
export type BookLevel = [price: Decimal, size: Decimal];

/** An order-book snapshot (replaces the book) or delta (updates levels). */
export interface BookEvent extends EventBase {
  kind: "book";
  type: "snapshot" | "delta";
  bids: BookLevel[];
  asks: BookLevel[];
  /** The venue's (last) update id or sequence, where it has one. */
  sequence?: number | undefined;
  /** The first update id a delta covers, where the venue says (Binance `U`). */
  firstSequence?: number | undefined;
}

/** One OHLCV candle; `closed` is true once its interval has ended. */
export interface CandleEvent extends EventBase {
  kind: "candle";
  /** e.g. `1m`, `5m`, `1h`. */
  interval: string;
  /** Start of the candle's interval, epoch ms. */
  openTime: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
  closed: boolean;
}

/** An order update from a private stream. */
export interface OrderEvent extends EventBase {
  kind: "order";
  orderId: string;
  clientOrderId: string;
  status: string;
  side: Side;
  orderType: string;
  price: Decimal;
  size: Decimal;
  filledSize: Decimal;
  avgPrice: Decimal;
  /** Execution (fill) id, on events that describe one fill. */
  execId?: string | undefined;
  /** Price of this fill. */
  execPrice?: Decimal | undefined;
  /** Size of this fill. */
  execSize?: Decimal | undefined;
  /** Fee charged for this fill (negative for a rebate), in `feeCurrency`. */
  fee?: Decimal | undefined;
  /** Coin the fee is charged in, e.g. `USDT`. */
  feeCurrency?: string | undefined;
  /** Whether this fill added liquidity (`maker`) or took it (`taker`). */
  liquidity?: "maker" | "taker" | undefined;
  /** The venue's market category of the symbol, e.g. `spot`, `linear`. */
  category?: string | undefined;
}

/** A balance update from a private stream. */
export interface BalanceEvent extends EventBase {
  kind: "balance";
  account: string;
  coin: string;
  free: Decimal;
  locked: Decimal;
  total: Decimal;
  /** Average entry price, for a derivative position reported as a balance. */
  entryPrice?: Decimal | undefined;
  /** Mark price of a derivative position. */
  markPrice?: Decimal | undefined;
  /** Unrealised profit and loss of a derivative position. */
  unrealisedPnl?: Decimal | undefined;
  /** The venue's market category of a position, e.g. `linear`, `inverse`. */
  category?: string | undefined;
}

/** What a {@link StatusEvent} reports. */
export type StatusState =
  | "connected"
  | "disconnected"
  | "gap"
  | "resync"
  | "error";

/** Connection up/down, a sequence gap, a book resync, a venue error. */
export interface StatusEvent extends EventBase {
  kind: "status";
  state: StatusState;
  detail: string;
  /** The connection the status concerns, e.g. `coinbase-0`. */
  connection: string;
}

/** Any normalized event. */
export type NormalizedEvent =
  | TradeEvent
  | TickerEvent
  | BookEvent
  | CandleEvent
  | OrderEvent
  | BalanceEvent
  | StatusEvent;

/** Where events go: the router, each sink's queue and test collectors implement it. */
export interface EventSink {
  /**
   * Takes the events (not the array: callers reuse it, so keep the items,
   * never the array). Must not block or throw.
   */
  write(events: readonly NormalizedEvent[]): void;
}

/**
 * Builds a status event. Status events that concern a whole connection use
 * the symbol `*`.
 *
 * @example Usage
 * ```ts
 * const e = statusEvent({
 *   venue: "coinbase", connection: "coinbase-0", state: "connected",
 *   detail: "subscribed", symbol: "*", nativeSymbol: "*", ts: Date.now(),
 * });
 * ```
 */
export function statusEvent(init: {
  venue: VenueName;
  connection: string;
  state: StatusState;
  detail: string;
  symbol: string;
  nativeSymbol: string;
  ts: number;
}): StatusEvent {
  return {
    id:
      `${init.venue}:${init.symbol}:status:${init.state}:${init.connection}:${init.ts}`,
    kind: "status",
    venue: init.venue,
    symbol: init.symbol,
    nativeSymbol: init.nativeSymbol,
    exchangeTs: init.ts,
    receivedTs: init.ts,
    state: init.state,
    detail: init.detail,
    connection: init.connection,
  };
}
