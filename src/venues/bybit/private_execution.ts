/**
 * Bybit `execution` and `execution.fast` data items (fills) → order events
 * that describe the fill: the order's fields as far as the item gives them,
 * plus `execId`, `execPrice`, `execSize`, `fee`, `feeCurrency` and
 * `liquidity`. Ids are `bybit:<symbol>:execution:<execId>` (and
 * `execution_fast:` for the fast stream, whose events carry less, so that
 * neither stream's event hides the other's).
 *
 * @module
 */

import {
  isPlainDecimal,
  isZeroDecimal,
  subtractDecimal,
} from "../../core/decimal.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import { isDecimal, type Json } from "../fields.ts";
import {
  categoryOf,
  filled,
  msOf,
  type PrivateContext,
  sideOf,
  snake,
  text,
} from "./private_item.ts";

/**
 * An `execution` item → an order event describing the fill. A `Trade` fill
 * is `filled` once nothing of the order is left, else `partially_filled`;
 * when the item does not say what is left (`execution.fast`) the status is
 * `trade`, as for other exec types (`Funding` → `funding`). The filled size
 * is `orderQty − leavesQty`, `""` when either is unknown.
 */
export function executionItem(
  d: Json,
  c: PrivateContext,
  out: NormalizedEvent[],
): boolean {
  const category = categoryOf(d, c);
  const side = sideOf(d.side);
  const execType = c.fast && d.execType === undefined ? "Trade" : d.execType;
  const clientOrderId = text(d.orderLinkId);
  const orderType = text(d.orderType);
  const price = text(d.orderPrice);
  const size = text(d.orderQty);
  if (
    category === undefined || side === undefined || !filled(d.symbol) ||
    !filled(d.execId) || !filled(d.orderId) || !filled(execType) ||
    !isDecimal(d.execPrice) || !isDecimal(d.execQty) ||
    clientOrderId === undefined || orderType === undefined ||
    price === undefined || size === undefined
  ) return false;
  const leaves = isPlainDecimal(d.leavesQty) ? d.leavesQty : undefined;
  const status = execType !== "Trade" || leaves === undefined
    ? snake(execType)
    : isZeroDecimal(leaves)
    ? "filled"
    : "partially_filled";
  const symbol = c.unify(d.symbol, category);
  const stream = c.fast ? "execution_fast" : "execution";
  out.push({
    id: `bybit:${symbol}:${stream}:${d.execId}`,
    kind: "order",
    venue: "bybit",
    symbol,
    nativeSymbol: d.symbol,
    exchangeTs: msOf(d.execTime) ?? c.creationTime,
    receivedTs: c.receivedTs,
    orderId: d.orderId,
    clientOrderId,
    status,
    side,
    orderType: orderType.toLowerCase(),
    price,
    size,
    filledSize: leaves !== undefined && isPlainDecimal(size)
      ? subtractDecimal(size, leaves)
      : "",
    avgPrice: "",
    execId: d.execId,
    execPrice: d.execPrice,
    execSize: d.execQty,
    fee: isDecimal(d.execFee) ? d.execFee : undefined,
    feeCurrency: filled(d.feeCurrency) ? d.feeCurrency : undefined,
    liquidity: typeof d.isMaker === "boolean"
      ? (d.isMaker ? "maker" : "taker")
      : undefined,
    category,
  });
  return true;
}
