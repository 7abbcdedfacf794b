/**
 * Exact position and trade-value arithmetic of the simulated Bybit account,
 * in {@link Amount}s (10⁻⁸ units of the settle coin): linear contracts
 * settle in the quote (value = price × size), inverse ones in the base
 * (value = size ÷ price, truncated to 8 decimals).
 *
 * @module
 */
import type { BybitSide } from "./bybit_book.ts";
import {
  type Amount,
  divAmount,
  formatAmount,
  mulAmount,
  toAmount,
} from "./bybit_decimal.ts";
import type { SymbolSpec } from "./bybit_symbols.ts";

/** Leverage of every simulated position and order. */
export const LEVERAGE = 10n;

/** An open (or flat) position of one derivatives symbol. */
export interface PositionState {
  /** Signed size in steps: positive long, negative short, 0 flat. */
  size: number;
  /** Entry value of `|size|` (settle-coin amount). */
  value: Amount;
  /** Realised PnL since the position was created. */
  realised: Amount;
  /** Realised PnL of the latest fill. */
  lastRealised: Amount;
  seq: number;
  created: number;
  updated: number;
}

/** Value of `qty` steps at `price` units in the settle coin (spot: the quote). */
export function tradeValue(
  spec: SymbolSpec,
  price: number,
  qty: number,
): Amount {
  if (spec.category !== "inverse") {
    return toAmount(
      BigInt(price) * BigInt(qty),
      spec.priceDecimals + spec.qtyDecimals,
    );
  }
  const num = BigInt(qty) * 10n ** BigInt(spec.priceDecimals + 8);
  return num / (BigInt(price) * 10n ** BigInt(spec.qtyDecimals));
}

/**
 * Average price of `qty` steps worth `value`: value ÷ size (linear, spot)
 * or size ÷ value (inverse), truncated to 8 decimals; `""` for no size.
 */
export function averagePrice(
  spec: SymbolSpec,
  qty: number,
  value: Amount,
): string {
  if (qty === 0 || value === 0n) return "";
  const size = toAmount(qty, spec.qtyDecimals);
  return formatAmount(
    spec.category === "inverse"
      ? divAmount(size, value)
      : divAmount(value, size),
  );
}

/**
 * Applies a fill of `qty` steps at `price` to `pos`, returning the PnL it
 * realised (before fees): reducing closes a proportional part of the entry
 * value, crossing zero opens the rest at `price`.
 */
export function applyFill(
  pos: PositionState,
  spec: SymbolSpec,
  side: BybitSide,
  qty: number,
  price: number,
): Amount {
  const dir = side === "Buy" ? 1 : -1;
  let pnl = 0n;
  let left = qty;
  if (pos.size !== 0 && Math.sign(pos.size) !== dir) {
    const held = Math.abs(pos.size);
    const closed = Math.min(held, qty);
    const portion = closed === held
      ? pos.value
      : pos.value * BigInt(closed) / BigInt(held);
    pnl = pnlOf(spec, pos.size > 0, portion, tradeValue(spec, price, closed));
    pos.value -= portion;
    pos.size += dir * closed;
    left -= closed;
  }
  if (left > 0) {
    pos.value += tradeValue(spec, price, left);
    pos.size += dir * left;
  }
  pos.realised += pnl;
  pos.lastRealised = pnl;
  return pnl;
}

/** Unrealised PnL of `pos` at `mark` price units. */
export function unrealised(
  pos: PositionState,
  spec: SymbolSpec,
  mark: number,
): Amount {
  if (pos.size === 0) return 0n;
  const now = tradeValue(spec, mark, Math.abs(pos.size));
  return pnlOf(spec, pos.size > 0, pos.value, now);
}

/** Initial margin of an entry value. */
export function initialMargin(value: Amount): Amount {
  return value / LEVERAGE;
}

/** `fee = value × rate` (rate an {@link Amount}, e.g. 0.00055 = 55000n), truncated. */
export function fee(value: Amount, rate: Amount): Amount {
  return mulAmount(value, rate);
}

function pnlOf(
  spec: SymbolSpec,
  long: boolean,
  entry: Amount,
  exit: Amount,
): Amount {
  const gain = spec.category === "inverse" ? entry - exit : exit - entry;
  return long ? gain : -gain;
}
