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
 * The current-balance view of a balance event (what `GET /api/v1/balances`
 * serves and the store keeps): `updatedTs` is the event's `exchangeTs`;
 * the position fields only when the event has them.
 *
 * @example Usage
 * ```ts
 * balanceEntry(event); // { venue: "bybit", account: "UNIFIED", coin: "USDT", free: "10", … }
 * ```
 */
export function balanceEntry(e: BalanceEvent): BalanceEntry {
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
  return entry;
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
  readonly #latest = new Map<string, BalanceEntry>();

  write(events: readonly NormalizedEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.kind === "balance") this.#keep(balanceEntry(e));
    }
  }

  /**
   * Balances read back from the store at startup; a live update already
   * received (or a newer one later) wins.
   */
  restore(entries: readonly BalanceEntry[]): void {
    for (const e of entries) this.#keep(e);
  }

  /** Current balances, by venue, account and coin; `venue` filters. */
  list(venue?: string): BalanceEntry[] {
    const out: BalanceEntry[] = [];
    for (const e of this.#latest.values()) {
      if (venue === undefined || e.venue === venue) out.push({ ...e });
    }
    return out.sort((a, b) =>
      a.venue.localeCompare(b.venue) || a.account.localeCompare(b.account) ||
      a.coin.localeCompare(b.coin)
    );
  }

  #keep(entry: BalanceEntry): void {
    const key = `${entry.venue}\n${entry.account}\n${entry.coin}`;
    const had = this.#latest.get(key);
    if (had === undefined || had.updatedTs <= entry.updatedTs) {
      this.#latest.set(key, entry);
    }
  }
}
