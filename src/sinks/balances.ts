/**
 * Account balances as current state: the latest balance event per venue,
 * account and coin (positions of derivatives included, as accounts
 * `position:<category>`), served by `GET /api/v1/balances`.
 *
 * @module
 */

import type {
  BalanceEvent,
  EventSink,
  NormalizedEvent,
} from "../core/events.ts";

/** One current balance. */
export interface BalanceEntry {
  venue: string;
  account: string;
  coin: string;
  symbol: string;
  free: string;
  locked: string;
  total: string;
  /** The venue's time of the latest update, epoch ms. */
  updatedTs: number;
  /** Positions only. */
  entryPrice?: string;
  markPrice?: string;
  unrealisedPnl?: string;
}

/**
 * Keeps the latest balance per venue/account/coin; an older update (by
 * exchange time) never replaces a newer one.
 *
 * @example Usage
 * ```ts
 * const balances = new BalanceStore();
 * balances.write(events);
 * balances.list(); // [{ venue: "bybit", account: "UNIFIED", coin: "USDT", … }]
 * ```
 */
export class BalanceStore implements EventSink {
  readonly #latest = new Map<string, BalanceEvent>();

  write(events: readonly NormalizedEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.kind !== "balance") continue;
      const key = `${e.venue}\n${e.account}\n${e.coin}`;
      const had = this.#latest.get(key);
      if (had === undefined || had.exchangeTs <= e.exchangeTs) {
        this.#latest.set(key, e);
      }
    }
  }

  /** Current balances, by venue, account and coin; `venue` filters. */
  list(venue?: string): BalanceEntry[] {
    const out: BalanceEntry[] = [];
    for (const e of this.#latest.values()) {
      if (venue !== undefined && e.venue !== venue) continue;
      const entry: BalanceEntry = {
        venue: e.venue,
        account: e.account,
        coin: e.coin,
        symbol: e.symbol,
        free: e.free,
        locked: e.locked,
        total: e.total,
        updatedTs: e.exchangeTs,
      };
      if (e.entryPrice !== undefined) entry.entryPrice = e.entryPrice;
      if (e.markPrice !== undefined) entry.markPrice = e.markPrice;
      if (e.unrealisedPnl !== undefined) entry.unrealisedPnl = e.unrealisedPnl;
      out.push(entry);
    }
    return out.sort((a, b) =>
      a.venue.localeCompare(b.venue) || a.account.localeCompare(b.account) ||
      a.coin.localeCompare(b.coin)
    );
  }
}
