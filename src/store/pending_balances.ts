/**
 * Balances on their way to the store, coalesced to the latest per venue,
 * account and coin: {@link PendingBalances} holds the balance events the
 * writer has not yet written, {@link latestPerKey} reduces a batch to one
 * row per key (an upsert may not touch a row twice).
 *
 * @module
 */

import type { BalanceEvent } from "../core/events.ts";
import { type BalanceEntry, balanceEntry } from "../sinks/balances.ts";

/**
 * Balance events waiting to be written, the latest (by `exchangeTs`) per
 * venue/account/coin; a flush that fails puts back those not superseded
 * meanwhile.
 *
 * @example Usage
 * ```ts
 * const pending = new PendingBalances();
 * pending.add(event);
 * pending.size; // 1
 * await pending.flush((entries) => store.saveBalances(entries));
 * ```
 */
export class PendingBalances {
  #waiting = new Map<string, BalanceEvent>();
  #inflight = 0;

  /** Balances waiting, not counting those being written. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Balances waiting plus those being written. */
  get pending(): number {
    return this.#waiting.size + this.#inflight;
  }

  /** Keeps `e` unless a newer update of its venue/account/coin waits. */
  add(e: BalanceEvent): void {
    const key = keyOf(e);
    const had = this.#waiting.get(key);
    if (had === undefined || had.exchangeTs <= e.exchangeTs) {
      this.#waiting.set(key, e);
    }
  }

  /**
   * Hands every waiting balance to `write`; when it rejects, puts back
   * those no newer update replaced meanwhile and rethrows.
   */
  async flush(
    write: (entries: BalanceEntry[]) => Promise<void>,
  ): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    this.#inflight = batch.size;
    try {
      await write(Array.from(batch.values(), balanceEntry));
    } catch (e) {
      for (const [key, b] of batch) {
        const now = this.#waiting.get(key);
        if (now === undefined || now.exchangeTs < b.exchangeTs) {
          this.#waiting.set(key, b);
        }
      }
      throw e;
    } finally {
      this.#inflight = 0;
    }
  }
}

/**
 * Keeps the latest entry (by `updatedTs`; the later one on a tie) per
 * venue/account/coin.
 *
 * @example Usage
 * ```ts
 * latestPerKey([usdt1, usdt2, btc]); // [usdt2, btc] when usdt2 is newer
 * ```
 */
export function latestPerKey(
  balances: readonly BalanceEntry[],
): BalanceEntry[] {
  const latest = new Map<string, BalanceEntry>();
  for (const b of balances) {
    const key = keyOf(b);
    const had = latest.get(key);
    if (had === undefined || had.updatedTs <= b.updatedTs) latest.set(key, b);
  }
  return [...latest.values()];
}

function keyOf(b: { venue: string; account: string; coin: string }): string {
  return `${b.venue}\n${b.account}\n${b.coin}`;
}
