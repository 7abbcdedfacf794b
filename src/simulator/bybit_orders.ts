/**
 * Order requests of the simulated Bybit account: validation of sizes and
 * prices against the instrument (exact decimals, tick grid) and the new
 * {@link OrderRecord}.
 *
 * @module
 */
import type { BybitSide } from "./bybit_book.ts";
import { parseUnits } from "./bybit_decimal.ts";
import type { SymbolMarket } from "./bybit_market.ts";
import type { OrderRecord } from "./bybit_private_payloads.ts";
import type { BybitCategory } from "./bybit_symbols.ts";

/** Thrown by the account for a request it cannot carry out. */
export class BybitOrderError extends Error {
  /** What went wrong. */
  readonly code:
    | "unknown-symbol"
    | "unknown-order"
    | "bad-qty"
    | "bad-price"
    | "insufficient-balance"
    | "not-open";

  constructor(code: BybitOrderError["code"], message: string) {
    super(message);
    this.name = "BybitOrderError";
    this.code = code;
  }
}

/** An order to place on the simulated account. */
export interface PlaceOrderRequest {
  /** @default {"spot"} */
  category?: BybitCategory;
  symbol: string;
  side: BybitSide;
  /** Size as a decimal string (or number) with at most the symbol's decimals. */
  qty: string | number;
  /** Limit price; required unless `orderType` is `Market`. */
  price?: string | number;
  /** @default {"Limit" with a price, else "Market"} */
  orderType?: "Limit" | "Market";
  orderLinkId?: string;
}

/**
 * A new order (status `New`, nothing locked yet) for `req` on `market`.
 *
 * @throws {BybitOrderError} on a malformed or non-positive size or price, or a price off the tick grid
 */
export function newOrder(
  req: PlaceOrderRequest,
  market: SymbolMarket,
  orderId: string,
  nowMs: number,
): OrderRecord {
  const spec = market.spec;
  const qty = positiveUnits(req.qty, spec.qtyDecimals, "bad-qty");
  const orderType = req.orderType ??
    (req.price === undefined ? "Market" : "Limit");
  let price: number | null = null;
  if (orderType === "Limit") {
    price = positiveUnits(req.price ?? "", spec.priceDecimals, "bad-price");
    if (price % spec.tick !== 0) {
      throw new BybitOrderError(
        "bad-price",
        `Price not on the tick grid: ${req.price}`,
      );
    }
  }
  return {
    orderId,
    orderLinkId: req.orderLinkId ?? "",
    spec,
    side: req.side,
    orderType,
    price,
    refPrice: price ?? bestPrice(market, req.side),
    qty,
    cumQty: 0,
    cumValue: 0n,
    cumFee: 0n,
    closedPnl: 0n,
    status: "New",
    lockCoin: "",
    locked: 0n,
    lockTotal: 0n,
    feeCurrency: spec.category !== "spot"
      ? spec.settle
      : req.side === "Buy"
      ? spec.base
      : spec.quote,
    createdTime: nowMs,
    updatedTime: nowMs,
  };
}

/** The best opposite price a `side` taker would get now (price units). */
export function bestPrice(market: SymbolMarket, side: BybitSide): number {
  const level = side === "Buy" ? market.book.asks[0] : market.book.bids[0];
  return level?.price ?? market.last;
}

/**
 * `value` as a positive integer number of units with `decimals` decimals.
 *
 * @throws {BybitOrderError} with `code` when malformed, too precise or not positive
 */
export function positiveUnits(
  value: string | number,
  decimals: number,
  code: "bad-qty" | "bad-price",
): number {
  let units: bigint;
  try {
    units = parseUnits(String(value), decimals);
  } catch (e) {
    throw new BybitOrderError(code, (e as Error).message);
  }
  if (units <= 0n) {
    throw new BybitOrderError(code, `Must be positive: ${value}`);
  }
  return Number(units);
}
