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

/** The latest entry of one venue and symbol, and its book when it has one. */
interface Slot {
  /** Everything but `lastTrade`, which is built from `trade` when read. */
  entry: LatestEntry;
  /** The latest trade event, kept as it is (no copy per trade). */
  trade: TradeEvent | undefined;
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
      const entry = slot.entry;
      if (e.kind === "trade") {
        slot.trade = e;
      } else if (e.kind === "ticker") {
        if (e.bid === "" && e.ask === "") continue;
        entry.bid = e.bid;
        entry.bidSize = e.bidSize;
        entry.ask = e.ask;
        entry.askSize = e.askSize;
        entry.quoteTs = e.exchangeTs;
        entry.quoteSource = "ticker";
      } else {
        const book = slot.book ??= new OrderBook();
        book.apply(e.type, e.bids, e.asks);
        slot.bookSequence = e.sequence;
        const bid = book.bestBid();
        const ask = book.bestAsk();
        entry.bid = bid?.[0] ?? null;
        entry.bidSize = bid?.[1] ?? null;
        entry.ask = ask?.[0] ?? null;
        entry.askSize = ask?.[1] ?? null;
        entry.quoteTs = e.exchangeTs;
        entry.quoteSource = "book";
      }
    }
  }

  /** The slot of `e`'s venue and symbol, created on first use. */
  #slot(e: TradeEvent | TickerEvent | BookEvent): Slot {
    let symbols = this.#venues.get(e.venue);
    if (symbols === undefined) this.#venues.set(e.venue, symbols = new Map());
    let slot = symbols.get(e.symbol);
    if (slot === undefined) {
      const entry: LatestEntry = {
        venue: e.venue,
        symbol: e.symbol,
        nativeSymbol: e.nativeSymbol,
        lastTrade: null,
        bid: null,
        bidSize: null,
        ask: null,
        askSize: null,
        quoteTs: null,
        quoteSource: null,
      };
      slot = {
        entry,
        trade: undefined,
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
      for (const { entry: e, trade: t } of bySymbol.values()) {
        if (
          wanted === undefined || wanted.has(e.symbol) ||
          wanted.has(e.nativeSymbol)
        ) {
          const copy = structuredClone(e);
          if (t !== undefined) {
            copy.lastTrade = {
              tradeId: t.tradeId,
              price: t.price,
              size: t.size,
              side: t.side,
              exchangeTs: t.exchangeTs,
            };
          }
          out.push(copy);
        }
      }
    }
    return out.sort((a, b) =>
      a.symbol === b.symbol
        ? a.venue.localeCompare(b.venue)
        : a.symbol.localeCompare(b.symbol)
    );
  }
}
