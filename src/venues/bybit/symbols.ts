/**
 * Bybit native symbols → unified symbols. Spot pairs split at a known quote
 * (`BTCUSDT` → `BTC-USDT`); perpetuals add `-PERP` so they never collide
 * with spot (`BTCUSDT` linear → `BTC-USDT-PERP`, `BTCPERP` → `BTC-USDC-PERP`,
 * `BTCUSD` inverse → `BTC-USD-PERP`); dated futures keep their expiry
 * (`BTC-26DEC25` → `BTC-USDC-26DEC25`, `BTCUSDH26` → `BTC-USD-H26`). A symbol
 * no rule recognises stays as Bybit writes it.
 *
 * @module
 */

import { guessSymbol } from "../../discovery/binance_symbols.ts";

const INVERSE_FUTURE = /^([A-Z0-9]+)USD([FGHJKMNQUVXZ]\d{2})$/;

/**
 * The unified symbol of a Bybit symbol of `category`.
 *
 * @example Usage
 * ```ts
 * unifiedSymbol("ETHUSDT", "spot"); // "ETH-USDT"
 * unifiedSymbol("ETHUSDT", "linear"); // "ETH-USDT-PERP"
 * ```
 */
export function unifiedSymbol(native: string, category: string): string {
  const n = native.toUpperCase();
  if (category === "spot") return guessSymbol(n)?.symbol ?? n;
  const dash = n.indexOf("-");
  if (dash > 0) {
    // USDC-settled futures (`BTC-26DEC25`) or USDT ones (`BTCUSDT-26DEC25`).
    const head = n.slice(0, dash);
    const pair = guessSymbol(head)?.symbol ?? `${head}-USDC`;
    return `${pair}-${n.slice(dash + 1)}`;
  }
  if (n.endsWith("PERP") && n.length > 4) return `${n.slice(0, -4)}-USDC-PERP`;
  const future = category === "inverse" ? INVERSE_FUTURE.exec(n) : null;
  if (future) return `${future[1]}-USD-${future[2]}`;
  // Inverse contracts are quoted in USD, a quote no spot market has.
  const pair = guessSymbol(n)?.symbol ??
    (n.endsWith("USD") && n.length > 3 ? `${n.slice(0, -3)}-USD` : undefined);
  return pair === undefined ? n : `${pair}-PERP`;
}
