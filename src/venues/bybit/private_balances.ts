/**
 * Bybit `wallet` and `position` data items → balance events. A wallet gives
 * one balance per coin of an account; a derivative position is reported as
 * the balance of account `position:<category>` in coin `<native symbol>`,
 * its size signed by side (short = negative), with its entry and mark price
 * and unrealised PnL.
 *
 * @module
 */

import {
  isPlainDecimal,
  isZeroDecimal,
  negateDecimal,
  subtractDecimal,
} from "../../core/decimal.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import type { Json } from "../fields.ts";
import {
  categoryOf,
  filled,
  isRecord,
  msOf,
  type PrivateContext,
} from "./private_item.ts";

/**
 * A `wallet` item → a balance event per `coin[]` entry: total =
 * `walletBalance`, locked = `locked` (`"0"` when empty), free = `free` where
 * the entry has one (classic spot), else `walletBalance − locked`. A bad
 * coin entry is skipped and makes the item invalid (false).
 */
export function walletItem(
  d: Json,
  c: PrivateContext,
  out: NormalizedEvent[],
): boolean {
  const account = d.accountType;
  if (!filled(account) || !Array.isArray(d.coin)) return false;
  let ok = true;
  for (const e of d.coin) {
    const locked = isRecord(e) && e.locked !== undefined && e.locked !== ""
      ? e.locked
      : "0";
    if (
      !isRecord(e) || !filled(e.coin) || !isPlainDecimal(e.walletBalance) ||
      !isPlainDecimal(locked)
    ) {
      ok = false;
      continue;
    }
    out.push({
      id: `bybit:${e.coin}:balance:${account}:${c.creationTime}`,
      kind: "balance",
      venue: "bybit",
      symbol: e.coin,
      nativeSymbol: e.coin,
      exchangeTs: c.creationTime,
      receivedTs: c.receivedTs,
      account,
      coin: e.coin,
      free: isPlainDecimal(e.free)
        ? e.free
        : subtractDecimal(e.walletBalance, locked),
      locked,
      total: e.walletBalance,
    });
  }
  return ok;
}

/**
 * A `position` item → a balance event: total = free = size, negative when
 * `Sell`; an empty position (side `""` or `None`) must have size zero and
 * has total `"0"`. The id ends with `seq` (the cross sequence that ties a
 * position update to its fills), or `updatedTime` when there is none.
 */
export function positionItem(
  d: Json,
  c: PrivateContext,
  out: NormalizedEvent[],
): boolean {
  const category = categoryOf(d, c);
  const size = d.size;
  if (
    category === undefined || !filled(d.symbol) || !isPlainDecimal(size) ||
    !Number.isInteger(d.positionIdx)
  ) return false;
  let total: string;
  if (d.side === "Buy") total = size;
  else if (d.side === "Sell") total = negateDecimal(size);
  else if ((d.side === "" || d.side === "None") && isZeroDecimal(size)) {
    total = "0";
  } else return false;
  const ts = msOf(d.updatedTime) ?? c.creationTime;
  const mark = typeof d.seq === "number" && d.seq >= 0 ? d.seq : ts;
  const symbol = c.unify(d.symbol, category);
  out.push({
    id: `bybit:${symbol}:position:${category}:${d.positionIdx}:${mark}`,
    kind: "balance",
    venue: "bybit",
    symbol,
    nativeSymbol: d.symbol,
    exchangeTs: ts,
    receivedTs: c.receivedTs,
    account: `position:${category}`,
    coin: d.symbol,
    free: total,
    locked: "0",
    total,
    entryPrice: filled(d.entryPrice)
      ? d.entryPrice
      : filled(d.avgPrice)
      ? d.avgPrice
      : undefined,
    markPrice: filled(d.markPrice) ? d.markPrice : undefined,
    unrealisedPnl: filled(d.unrealisedPnl) ? d.unrealisedPnl : undefined,
    category,
  });
  return true;
}
