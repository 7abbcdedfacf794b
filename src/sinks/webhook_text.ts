/**
 * The human-readable `title` and `message` of the HTTP webhook sink's
 * envelope, one sentence per event kind (`BTC-USD ticker 77302.99`,
 * `BTC-USD on coinbase: last …, bid/ask …/…, spread ….`). Pure: no I/O.
 *
 * @module
 */

import type { NormalizedEvent, TickerEvent } from "../core/events.ts";

/** An envelope's `title` and `message`. */
export type EventText = [title: string, message: string];

/** The ticker figures its text shows; `null` where the venue gave none. */
export interface TickerFigures {
  /** Last trade price. */
  price: string | null;
  best_bid: string | null;
  best_ask: string | null;
  /** `best_ask − best_bid`. */
  spread: string | null;
}

function shown(v: string | null): string {
  return v ?? "n/a";
}

/**
 * Title and message of a ticker, from the figures of its payload.
 *
 * @example Usage
 * ```ts
 * tickerText(ticker, { price: "100", best_bid: "99", best_ask: null, spread: null });
 * // ["BTC-USD ticker 100", "BTC-USD on coinbase: last 100, bid/ask 99/n/a, spread n/a."]
 * ```
 */
export function tickerText(e: TickerEvent, p: TickerFigures): EventText {
  return [
    p.price === null ? `${e.symbol} ticker` : `${e.symbol} ticker ${p.price}`,
    `${e.symbol} on ${e.venue}: last ${shown(p.price)}, bid/ask ${
      shown(p.best_bid)
    }/${shown(p.best_ask)}, spread ${shown(p.spread)}.`,
  ];
}

/**
 * Title and message of any event but a ticker (see {@link tickerText}).
 *
 * @example Usage
 * ```ts
 * eventText(trade);
 * // ["BTC-USD trade 100", "BTC-USD on coinbase: taker buy of 0.5 at 100 (trade 10)."]
 * ```
 */
export function eventText(
  e: Exclude<NormalizedEvent, TickerEvent>,
): EventText {
  switch (e.kind) {
    case "trade":
      return [
        `${e.symbol} trade ${e.price}`,
        `${e.symbol} on ${e.venue}: taker ${e.side} of ${e.size} at ${e.price} (trade ${e.tradeId}).`,
      ];
    case "status":
      return [
        `${e.venue} ${e.connection} ${e.state}`,
        `${e.venue} connection ${e.connection} ${e.state}${
          e.symbol === "*" ? "" : ` for ${e.symbol}`
        }${e.detail === "" ? "" : `: ${e.detail}`}.`,
      ];
    case "book":
      return [
        `${e.symbol} book ${e.type}`,
        `${e.symbol} on ${e.venue}: book ${e.type} with ${e.bids.length} bids and ${e.asks.length} asks.`,
      ];
    case "candle":
      return [
        `${e.symbol} ${e.interval} candle ${e.close}`,
        `${e.symbol} on ${e.venue}: ${e.interval} candle open ${e.open}, high ${e.high}, low ${e.low}, close ${e.close}, volume ${e.volume}${
          e.closed ? ", closed" : ""
        }.`,
      ];
    case "order":
      return [
        `${e.symbol} order ${e.status}`,
        `${e.symbol} on ${e.venue}: ${e.side} ${e.orderType} order ${e.orderId} ${e.status}, filled ${e.filledSize} of ${e.size}.`,
      ];
    case "balance":
      return [
        `${e.coin} balance ${e.total}`,
        `${e.venue} ${e.account} ${e.coin}: free ${e.free}, locked ${e.locked}, total ${e.total}.`,
      ];
  }
}
