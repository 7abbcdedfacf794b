/**
 * The in-memory latest-state store behind `GET /api/v1/latest`: last trade
 * and best bid/ask per venue and symbol, from tickers or a local book.
 *
 * @module
 */

import type {
  BookEvent,
  BookLevel,
  EventSink,
  NormalizedEvent,
  Side,
  TickerEvent,
  TradeEvent,
  VenueName,
} from "../core/events.ts";
import { OrderBook } from "../core/order_book.ts";

/** The last trade of a symbol. */
export interface LastTrade {
  tradeId: string;
  price: string;
  size: string;
  side: Side;
  exchangeTs: number;
}

/** What tickgate last saw for one venue and symbol. */
export interface LatestEntry {
  venue: VenueName;
  symbol: string;
  nativeSymbol: string;
  lastTrade: LastTrade | null;
  bid: string | null;
  bidSize: string | null;
  ask: string | null;
  askSize: string | null;
  /** Event time of the best bid/ask, epoch ms. */
  quoteTs: number | null;
  /** Where the best bid/ask came from. */
  quoteSource: "ticker" | "book" | null;
}

/** A copy of a local book. */
export interface LocalBook {
  /** The venue's update id of the latest book event, where it has one. */
  sequence: number | undefined;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** A best bid/ask as the latest ticker or book gave it. */
interface Quote {
  bid: string | null;
  bidSize: string | null;
  ask: string | null;
  askSize: string | null;
  ts: number;
  source: "ticker" | "book";
}

/**
 * The latest state of one venue and symbol, and its book when it has one;
 * {@link LatestStore.query} builds the entry from it. A slot lives long (in
 * V8's old generation) and what an event brings is young, so each store of
 * a value into the slot costs a write barrier: a trade or a ticker costs one
 * store here, of itself or of a fresh quote.
 */
interface Slot {
  venue: VenueName;
  symbol: string;
  nativeSymbol: string;
  /** The latest trade event, kept as it is (no copy per trade). */
  trade: TradeEvent | undefined;
  /** The latest quote, a new object each time. */
  quote: Quote | undefined;
  book: OrderBook | undefined;
  /** The `sequence` of the latest book event applied. */
  bookSequence: number | undefined;
}

/**
 * Keeps the latest state per venue and symbol.
 *
 * @example Usage
 * ```ts
 * const latest = new LatestStore();
 * router = new Router([{ filter: {}, sink: latest }]);
 * latest.query(["BTC-USD"]);
 * ```
 */
export class LatestStore implements EventSink {
  /** venue → symbol → state: two lookups, no key string built. */
  readonly #venues = new Map<VenueName, Map<string, Slot>>();
  /**
   * The slot of the last event: a feed sends a symbol's trades and ticker
   * in a row, and comparing two strings (the same object, as parsers give
   * one symbol string per symbol) costs less than two map lookups.
   */
  #lastVenue = "";
  #lastSymbol = "";
  #last: Slot | undefined;

  write(events: readonly NormalizedEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.kind !== "trade" && e.kind !== "ticker" && e.kind !== "book") {
        continue;
      }
      let slot = this.#last;
      if (
        slot === undefined || e.symbol !== this.#lastSymbol ||
        e.venue !== this.#lastVenue
      ) {
        slot = this.#slot(e);
        this.#last = slot;
        this.#lastSymbol = e.symbol;
        this.#lastVenue = e.venue;
      }
      if (e.kind === "trade") {
        slot.trade = e;
      } else if (e.kind === "ticker") {
        if (e.bid === "" && e.ask === "") continue;
        slot.quote = {
          bid: e.bid,
          bidSize: e.bidSize,
          ask: e.ask,
          askSize: e.askSize,
          ts: e.exchangeTs,
          source: "ticker",
        };
      } else {
        const book = slot.book ??= new OrderBook();
        book.apply(e.type, e.bids, e.asks);
        slot.bookSequence = e.sequence;
        const bid = book.bestBid();
        const ask = book.bestAsk();
        slot.quote = {
          bid: bid?.[0] ?? null,
          bidSize: bid?.[1] ?? null,
          ask: ask?.[0] ?? null,
          askSize: ask?.[1] ?? null,
          ts: e.exchangeTs,
          source: "book",
        };
      }
    }
  }

  /** The slot of `e`'s venue and symbol, created on first use. */
  #slot(e: TradeEvent | TickerEvent | BookEvent): Slot {
    let symbols = this.#venues.get(e.venue);
    if (symbols === undefined) this.#venues.set(e.venue, symbols = new Map());
    let slot = symbols.get(e.symbol);
    if (slot === undefined) {
      slot = {
        venue: e.venue,
        symbol: e.symbol,
        nativeSymbol: e.nativeSymbol,
        trade: undefined,
        quote: undefined,
        book: undefined,
        bookSequence: undefined,
      };
      symbols.set(e.symbol, slot);
    }
    return slot;
  }

  /**
   * The local book of `venue`/`symbol` (unified), best levels first, at most
   * `depth` per side; `undefined` when no book event was seen.
   */
  book(
    venue: string,
    symbol: string,
    depth = Infinity,
  ): LocalBook | undefined {
    const slot = this.#venues.get(venue as VenueName)?.get(symbol);
    if (slot?.book === undefined) return undefined;
    return {
      sequence: slot.bookSequence,
      bids: slot.book.bids.top(depth),
      asks: slot.book.asks.top(depth),
    };
  }

  /**
   * Entries whose unified or native symbol is in `symbols` (all when
   * omitted), sorted by symbol then venue.
   */
  query(symbols?: readonly string[]): LatestEntry[] {
    const wanted = symbols && new Set(symbols.map((s) => s.toUpperCase()));
    const out: LatestEntry[] = [];
    for (const bySymbol of this.#venues.values()) {
      for (const slot of bySymbol.values()) {
        if (
          wanted === undefined || wanted.has(slot.symbol) ||
          wanted.has(slot.nativeSymbol)
        ) out.push(entryOf(slot));
      }
    }
    return out.sort((a, b) =>
      a.symbol === b.symbol
        ? a.venue.localeCompare(b.venue)
        : a.symbol.localeCompare(b.symbol)
    );
  }
}

/** The entry a slot stands for, a fresh object. */
function entryOf(slot: Slot): LatestEntry {
  const t = slot.trade;
  const q = slot.quote;
  return {
    venue: slot.venue,
    symbol: slot.symbol,
    nativeSymbol: slot.nativeSymbol,
    lastTrade: t === undefined ? null : {
      tradeId: t.tradeId,
      price: t.price,
      size: t.size,
      side: t.side,
      exchangeTs: t.exchangeTs,
    },
    bid: q?.bid ?? null,
    bidSize: q?.bidSize ?? null,
    ask: q?.ask ?? null,
    askSize: q?.askSize ?? null,
    quoteTs: q?.ts ?? null,
    quoteSource: q?.source ?? null,
  };
}
