/**
 * The HTTP webhook sink's `envelope` format: one normalized event as the
 * ingestion-API event envelope (`event_type`, `event_id`, `title`,
 * `message`, `severity`, `timestamp`, `source`, `payload`), and the request
 * body for a batch in either format. Pure: no I/O, no clock.
 *
 * Prices stay the exchange's decimal strings; a ticker's `spread` is
 * computed exactly (`ask − bid` on decimal strings, never floats).
 *
 * @module
 */

import { isPlainDecimal, subtractDecimal } from "../core/decimal.ts";
import type {
  EventKind,
  NormalizedEvent,
  StatusState,
  TickerEvent,
  TradeEvent,
} from "../core/events.ts";
import { VERSION } from "../version.ts";
import { eventText, tickerText } from "./webhook_text.ts";

/** How an envelope rates its event: only status events are above `info`. */
export type WebhookSeverity = "info" | "warning" | "error";

/** Formats the HTTP webhook sink can send (`format=`); the first is the default. */
export const WEBHOOK_FORMATS = ["envelope", "canonical"] as const;

/** One of {@link WEBHOOK_FORMATS}. */
export type WebhookFormat = typeof WEBHOOK_FORMATS[number];

/** Where an envelope's event came from. */
export interface WebhookSource {
  service: "tickgate";
  /** `${venue}/${kind}`, e.g. `coinbase/ticker`. */
  endpoint: string;
  method: "websocket";
  /** The tickgate version. */
  version: string;
  /** The sink's `environment=` option (default `production`). */
  environment: string;
}

/** A ticker's payload; a field the venue did not give is `null`. */
export interface WebhookTickerPayload {
  product_id: string;
  /** Last trade price. */
  price: string | null;
  volume_24h: string | null;
  last_trade_id: string | null;
  best_bid: string | null;
  best_ask: string | null;
  /** `best_ask − best_bid`, exact; `null` when either side is missing. */
  spread: string | null;
}

/** A trade's payload. */
export interface WebhookTradePayload {
  product_id: string;
  trade_id: string;
  price: string;
  size: string;
  /** The taker's side. */
  side: "buy" | "sell";
  /** ISO 8601 of the exchange time. */
  time: string;
}

/** One event as the ingestion API's event envelope. */
export interface WebhookEnvelope {
  /** The event kind, e.g. `ticker`. */
  event_type: EventKind;
  /** Stable and unique: the ingestion API's idempotency key. */
  event_id: string;
  title: string;
  message: string;
  severity: WebhookSeverity;
  /** ISO 8601 of the exchange time (microseconds kept when given). */
  timestamp: string;
  source: WebhookSource;
  /** Tickers and trades: their own payload; other kinds: the canonical event. */
  payload: WebhookTickerPayload | WebhookTradePayload | NormalizedEvent;
}

const STATUS_SEVERITY: Record<StatusState, WebhookSeverity> = {
  connected: "info",
  disconnected: "warning",
  gap: "warning",
  resync: "warning",
  error: "error",
};

/**
 * ISO 8601 (UTC) of an epoch-ms time; a microsecond fraction is kept as
 * three more digits.
 *
 * @example Usage
 * ```ts
 * isoTimestamp(1415348367028.459); // "2014-11-07T08:19:27.028459Z"
 * isoTimestamp(1415348367028); // "2014-11-07T08:19:27.028Z"
 * ```
 */
export function isoTimestamp(ms: number): string {
  let whole = Math.floor(ms);
  let micros = Math.round((ms - whole) * 1000);
  if (micros === 1000) {
    whole += 1;
    micros = 0;
  }
  const iso = new Date(whole).toISOString();
  if (micros === 0) return iso;
  return `${iso.slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}

/**
 * `ask − bid` exactly as a decimal string, or `null` when either side is
 * missing (`""`) or not a plain decimal.
 *
 * @example Usage
 * ```ts
 * tickerSpread("0.1", "0.3"); // "0.2"
 * tickerSpread("", "0.3"); // null
 * ```
 */
export function tickerSpread(bid: string, ask: string): string | null {
  if (!isPlainDecimal(bid) || !isPlainDecimal(ask)) return null;
  return subtractDecimal(ask, bid);
}

/**
 * The envelope's `event_id`: tickers `${venue}-${symbol}-${lastTradeId}`
 * (else the sequence, else the exchange time), trades
 * `${venue}-${symbol}-trade-${tradeId}`, other kinds the event id with `:` as `-`.
 *
 * @example Usage
 * ```ts
 * webhookEventId(trade); // "coinbase-BTC-USD-trade-10"
 * ```
 */
export function webhookEventId(e: NormalizedEvent): string {
  switch (e.kind) {
    case "ticker": {
      const tradeId = e.lastTradeId;
      const key = tradeId !== undefined && tradeId !== ""
        ? tradeId
        : e.sequence ?? e.exchangeTs;
      return `${e.venue}-${e.symbol}-${key}`;
    }
    case "trade":
      // Not `<venue>-<symbol>-<tradeId>`: that is the id of the ticker the
      // trade produced, and an ingestion API dedups on event_id.
      return `${e.venue}-${e.symbol}-trade-${e.tradeId}`;
    default:
      return e.id.replaceAll(":", "-");
  }
}

function orNull(v: string | undefined): string | null {
  return v === undefined || v === "" ? null : v;
}

function tickerPayload(e: TickerEvent): WebhookTickerPayload {
  return {
    product_id: e.symbol,
    price: orNull(e.last),
    volume_24h: orNull(e.volume24h),
    last_trade_id: orNull(e.lastTradeId),
    best_bid: orNull(e.bid),
    best_ask: orNull(e.ask),
    spread: tickerSpread(e.bid, e.ask),
  };
}

function tradePayload(e: TradeEvent): WebhookTradePayload {
  return {
    product_id: e.symbol,
    trade_id: e.tradeId,
    price: e.price,
    size: e.size,
    side: e.side,
    time: isoTimestamp(e.exchangeTs),
  };
}

/** Title, message and payload of one event. */
function describe(
  e: NormalizedEvent,
): [title: string, message: string, payload: WebhookEnvelope["payload"]] {
  switch (e.kind) {
    case "ticker": {
      const p = tickerPayload(e);
      return [...tickerText(e, p), p];
    }
    case "trade":
      return [...eventText(e), tradePayload(e)];
    default:
      return [...eventText(e), e];
  }
}

/**
 * One event as the ingestion-API envelope.
 *
 * @example Usage
 * ```ts
 * const env = toEnvelope(ticker, "staging");
 * // env.event_id === "coinbase-BTC-USD-370843401", env.payload.spread === "0.01"
 * ```
 */
export function toEnvelope(
  e: NormalizedEvent,
  environment: string,
): WebhookEnvelope {
  const [title, message, payload] = describe(e);
  return {
    event_type: e.kind,
    event_id: webhookEventId(e),
    title,
    message,
    severity: e.kind === "status" ? STATUS_SEVERITY[e.state] : "info",
    timestamp: isoTimestamp(e.exchangeTs),
    source: {
      service: "tickgate",
      endpoint: `${e.venue}/${e.kind}`,
      method: "websocket",
      version: VERSION,
      environment,
    },
    payload,
  };
}

/**
 * The JSON request body for a batch: one event is one JSON object, more are
 * a JSON array of them, each the envelope or the canonical event.
 *
 * @example Usage
 * ```ts
 * webhookBody([trade], "envelope", "production"); // '{"event_type":"trade",…}'
 * webhookBody([a, b], "canonical", "production"); // '[{"id":…},{"id":…}]'
 * ```
 */
export function webhookBody(
  batch: readonly NormalizedEvent[],
  format: WebhookFormat,
  environment: string,
): string {
  const envelope = format === "envelope";
  if (batch.length === 1) {
    const e = batch[0]!;
    return JSON.stringify(envelope ? toEnvelope(e, environment) : e);
  }
  let body = "[";
  for (let i = 0; i < batch.length; i++) {
    const e = batch[i]!;
    if (i > 0) body += ",";
    body += JSON.stringify(envelope ? toEnvelope(e, environment) : e);
  }
  return body + "]";
}
