/**
 * The `data` elements of Bybit's private topics (`order`, `execution`,
 * `position`, `wallet`), with the field sets of the Bybit v5 docs, rendered
 * from the simulated account's exact state.
 *
 * @module
 */
import type { BybitSide } from "./bybit_book.ts";
import {
  type Amount,
  fixed,
  formatAmount,
  mulAmount,
} from "./bybit_decimal.ts";
import {
  averagePrice,
  initialMargin,
  LEVERAGE,
  type PositionState,
  tradeValue,
  unrealised,
} from "./bybit_position.ts";
import type { BybitCategory, SymbolSpec } from "./bybit_symbols.ts";

/** Bybit order statuses the simulator produces. */
export type BybitOrderStatus =
  | "New"
  | "PartiallyFilled"
  | "Filled"
  | "Cancelled"
  | "PartiallyFilledCanceled";

/** One simulated order (sizes in steps, prices in units, amounts exact). */
export interface OrderRecord {
  orderId: string;
  orderLinkId: string;
  spec: SymbolSpec;
  side: BybitSide;
  orderType: "Limit" | "Market";
  /** Limit price; null for market orders. */
  price: number | null;
  /** Price used for locking and margin (the limit, else the best price then). */
  refPrice: number;
  qty: number;
  cumQty: number;
  cumValue: Amount;
  cumFee: Amount;
  closedPnl: Amount;
  status: BybitOrderStatus;
  /** Spot: coin and amount still locked, and the total locked at placement. */
  lockCoin: string;
  locked: Amount;
  lockTotal: Amount;
  feeCurrency: string;
  createdTime: number;
  updatedTime: number;
}

/** A payload object of a private topic. */
export type PrivatePayload = Record<string, unknown>;

/** One coin of the wallet, exact. */
export interface CoinRow {
  coin: string;
  wallet: Amount;
  locked: Amount;
  orderIM: Amount;
  positionIM: Amount;
  unrealised: Amount;
  realised: Amount;
  /** USD price of one coin. */
  usd: Amount;
}

const f = formatAmount;

/** An `order` topic element. */
export function orderPayload(o: OrderRecord): PrivatePayload {
  const s = o.spec;
  const leaves = o.qty - o.cumQty;
  const open = o.status === "New" || o.status === "PartiallyFilled";
  const derivative = s.category !== "spot";
  return {
    category: s.category,
    symbol: s.symbol,
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    blockTradeId: "",
    side: o.side,
    positionIdx: 0,
    orderStatus: o.status,
    cancelType: o.status.endsWith("Canceled") || o.status === "Cancelled"
      ? "CancelByUser"
      : "UNKNOWN",
    rejectReason: "EC_NoError",
    timeInForce: o.orderType === "Market" ? "IOC" : "GTC",
    isLeverage: derivative ? "" : "0",
    price: o.price === null ? "0" : fixed(o.price, s.priceDecimals),
    qty: fixed(o.qty, s.qtyDecimals),
    avgPrice: averagePrice(s, o.cumQty, o.cumValue),
    leavesQty: fixed(open ? leaves : 0, s.qtyDecimals),
    leavesValue: f(open ? tradeValue(s, o.refPrice, leaves) : 0n),
    cumExecQty: fixed(o.cumQty, s.qtyDecimals),
    cumExecValue: f(o.cumValue),
    cumExecFee: f(o.cumFee),
    orderType: o.orderType,
    stopOrderType: "",
    orderIv: "",
    triggerPrice: "0",
    takeProfit: "0",
    stopLoss: "0",
    triggerBy: "",
    tpTriggerBy: "",
    slTriggerBy: "",
    triggerDirection: 0,
    placeType: "",
    lastPriceOnCreated: fixed(o.refPrice, s.priceDecimals),
    closeOnTrigger: false,
    reduceOnly: false,
    smpGroup: 0,
    smpType: "None",
    smpOrderId: "",
    tpslMode: derivative ? "UNKNOWN" : "",
    createType: "CreateByUser",
    marketUnit: "",
    createdTime: String(o.createdTime),
    updatedTime: String(o.updatedTime),
    feeCurrency: o.feeCurrency,
    closedPnl: f(o.closedPnl),
  };
}

/** The facts of one fill. */
export interface Fill {
  execId: string;
  price: number;
  qty: number;
  value: Amount;
  fee: Amount;
  feeRate: Amount;
  isMaker: boolean;
  pnl: Amount;
  closedSize: number;
  seq: number;
  time: number;
  mark: number;
}

/** An `execution` topic element. */
export function executionPayload(o: OrderRecord, x: Fill): PrivatePayload {
  const s = o.spec;
  const p = (units: number) => fixed(units, s.priceDecimals);
  return {
    category: s.category,
    symbol: s.symbol,
    closedSize: fixed(x.closedSize, s.qtyDecimals),
    execFee: f(x.fee),
    execId: x.execId,
    execPrice: p(x.price),
    execQty: fixed(x.qty, s.qtyDecimals),
    execType: "Trade",
    execValue: f(x.value),
    feeRate: f(x.feeRate),
    tradeIv: "",
    markIv: "",
    blockTradeId: "",
    markPrice: s.category === "spot" ? "" : p(x.mark),
    indexPrice: "",
    underlyingPrice: "",
    leavesQty: fixed(o.qty - o.cumQty, s.qtyDecimals),
    orderId: o.orderId,
    orderLinkId: o.orderLinkId,
    orderPrice: o.price === null ? "0" : p(o.price),
    orderQty: fixed(o.qty, s.qtyDecimals),
    orderType: o.orderType,
    stopOrderType: "UNKNOWN",
    side: o.side,
    execTime: String(x.time),
    isLeverage: "0",
    isMaker: x.isMaker,
    seq: x.seq,
    marketUnit: "",
    execPnl: f(x.pnl),
    createType: "CreateByUser",
    extraFees: [],
    feeCurrency: o.feeCurrency,
  };
}

/** A `position` topic element (linear and inverse). */
export function positionPayload(
  pos: PositionState,
  spec: SymbolSpec,
  mark: number,
): PrivatePayload {
  const size = Math.abs(pos.size);
  const value = pos.value;
  return {
    category: spec.category,
    symbol: spec.symbol,
    side: pos.size > 0 ? "Buy" : pos.size < 0 ? "Sell" : "",
    size: fixed(size, spec.qtyDecimals),
    positionIdx: 0,
    tradeMode: 0,
    positionValue: f(value),
    riskId: 1,
    riskLimitValue: "2000000",
    entryPrice: averagePrice(spec, size, value) || "0",
    markPrice: fixed(mark, spec.priceDecimals),
    leverage: String(LEVERAGE),
    positionBalance: f(initialMargin(value)),
    autoAddMargin: 0,
    positionIM: f(initialMargin(value)),
    positionMM: f(value / 200n),
    liqPrice: "",
    bustPrice: "",
    tpslMode: "Full",
    takeProfit: "0",
    stopLoss: "0",
    trailingStop: "0",
    unrealisedPnl: f(unrealised(pos, spec, mark)),
    curRealisedPnl: f(pos.lastRealised),
    cumRealisedPnl: f(pos.realised),
    sessionAvgPrice: "",
    createdTime: String(pos.created),
    updatedTime: String(pos.updated),
    positionStatus: "Normal",
    adlRankIndicator: size > 0 ? 2 : 0,
    isReduceOnly: false,
    leverageSysUpdatedTime: "",
    mmrSysUpdatedTime: "",
    seq: pos.seq,
  };
}

/** A coin element of a `wallet` payload (also the REST coin element). */
export function coinPayload(c: CoinRow): PrivatePayload {
  const equity = c.wallet + c.unrealised;
  const free = c.wallet - c.locked - c.orderIM - c.positionIM;
  return {
    coin: c.coin,
    equity: f(equity),
    usdValue: f(mulAmount(equity, c.usd)),
    walletBalance: f(c.wallet),
    availableToWithdraw: f(free > 0n ? free : 0n),
    availableToBorrow: "",
    borrowAmount: "0",
    accruedInterest: "0",
    totalOrderIM: f(c.orderIM),
    totalPositionIM: f(c.positionIM),
    totalPositionMM: f(c.positionIM / 20n),
    unrealisedPnl: f(c.unrealised),
    cumRealisedPnl: f(c.realised),
    bonus: "0",
    collateralSwitch: true,
    marginCollateral: true,
    locked: f(c.locked),
    spotHedgingQty: "0",
    spotBorrow: "0",
  };
}

/** A `wallet` topic element (also the REST wallet-balance list element). */
export function walletPayload(coins: CoinRow[]): PrivatePayload {
  let equity = 0n;
  let wallet = 0n;
  let margin = 0n;
  let upl = 0n;
  for (const c of coins) {
    equity += mulAmount(c.wallet + c.unrealised, c.usd);
    wallet += mulAmount(c.wallet, c.usd);
    margin += mulAmount(c.orderIM + c.positionIM, c.usd);
    upl += mulAmount(c.unrealised, c.usd);
  }
  return {
    accountIMRate: "0",
    accountMMRate: "0",
    totalEquity: f(equity),
    totalWalletBalance: f(wallet),
    totalMarginBalance: f(equity),
    totalAvailableBalance: f(equity - margin),
    totalPerpUPL: f(upl),
    totalInitialMargin: f(margin),
    totalMaintenanceMargin: f(margin / 20n),
    coin: coins.map(coinPayload),
    accountLTV: "0",
    accountType: "UNIFIED",
  };
}

/** Whether a category has positions. */
export function hasPositions(category: BybitCategory): boolean {
  return category === "linear" || category === "inverse";
}
