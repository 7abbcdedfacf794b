/**
 * Periodic demo faults of the Bybit simulator that need randomness: order
 * book restarts of a random instrument and random private activity.
 *
 * @module
 */
import type { PublicMarkets } from "./bybit_public.ts";
import type { PlaceOrderRequest } from "./bybit_orders.ts";
import { CATEGORIES } from "./bybit_symbols.ts";
import type { Prng } from "./prng.ts";

/** What the faults drive. */
export interface FaultTarget {
  rng: Prng;
  markets: PublicMarkets;
  placeOrder(req: PlaceOrderRequest): string;
  fillOrder(orderId: string, qty?: string): void;
}

/** Restarts the book service of a random instrument (`u=1` snapshots next). */
export function randomReset(t: FaultTarget): void {
  const category = t.rng.pick(CATEGORIES);
  const symbols = t.markets.symbols(category);
  if (symbols.length > 0) t.markets.resetBook(category, t.rng.pick(symbols));
}

/**
 * Places a small (10-50 USD) limit order at the best opposite price of a
 * random instrument and fills it, in one or two parts; skipped when the
 * account cannot afford that side.
 */
export function randomActivity(t: FaultTarget): void {
  const category = t.rng.pick(CATEGORIES);
  const symbols = t.markets.symbols(category);
  if (symbols.length === 0) return;
  const market = t.markets.market(category, t.rng.pick(symbols));
  if (!market) return;
  const s = market.spec;
  const side = t.rng.chance(0.5) ? "Buy" : "Sell";
  const level = side === "Buy" ? market.book.asks[0] : market.book.bids[0];
  const stepUsd = category === "inverse" ? 1 : s.usd / 10 ** s.qtyDecimals;
  const steps = Math.max(2, Math.round(t.rng.int(10, 50) / stepUsd));
  try {
    const id = t.placeOrder({
      category,
      symbol: s.symbol,
      side,
      qty: market.qty(steps),
      price: market.price(level?.price ?? market.last),
    });
    if (t.rng.chance(0.5)) t.fillOrder(id, market.qty(Math.floor(steps / 2)));
    t.fillOrder(id);
  } catch {
    // too little balance for this side: skip this round
  }
}
