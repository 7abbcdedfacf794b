/**
 * The simulated Bybit unified account behind the private stream and REST:
 * exact balances per coin, orders placed, filled and cancelled on demand,
 * and derivatives positions. Every change returns the private events to
 * push (`order`, `execution`, `wallet`, `position`).
 *
 * Model (simplified, documented): spot orders lock the quote (buy: size ×
 * limit price, market buys at the best ask then) or the base (sell) in
 * `locked`; fills move the balances and release the lock pro rata; spot
 * fees (0.1 %) are taken in the received coin. Linear and inverse orders
 * lock nothing in `locked` (as on Bybit, `locked` is for spot) but count as
 * `totalOrderIM` at 10× leverage; fills update the position and book
 * realised PnL minus fees (maker 0.02 % for limit orders, taker 0.055 % for
 * market orders) to the settle coin. All keys share this one account.
 *
 * @module
 */
import { type Amount, formatAmount, toAmount } from "./bybit_decimal.ts";
import { Ledger, type MarketLookup } from "./bybit_ledger.ts";
import {
  bestPrice,
  BybitOrderError,
  newOrder,
  type PlaceOrderRequest,
  positiveUnits,
} from "./bybit_orders.ts";
import type { SymbolMarket } from "./bybit_market.ts";
import { initialMargin, tradeValue } from "./bybit_position.ts";
import {
  executionPayload,
  type Fill,
  orderPayload,
  type OrderRecord,
  positionPayload,
  type PrivatePayload,
  walletPayload,
} from "./bybit_private_payloads.ts";
import type { BybitCategory } from "./bybit_symbols.ts";
import type { PrivateFamily } from "./bybit_topics.ts";
import { hashString, Prng } from "./prng.ts";

export { BybitOrderError } from "./bybit_orders.ts";
export type { PlaceOrderRequest } from "./bybit_orders.ts";

/** Private payloads of one topic family to push (category null: wallet). */
export interface PrivateEvent {
  family: PrivateFamily;
  category: BybitCategory | null;
  /** The envelope `id`. */
  id: string;
  data: PrivatePayload[];
}

/** One coin as {@link BybitAccount.wallet} reports it. */
export interface BybitWalletCoin {
  coin: string;
  walletBalance: string;
  locked: string;
  equity: string;
}

/** What the account reads from the simulator. */
export interface AccountDeps {
  market: MarketLookup;
  now(): number;
  seed: number;
  /** Starting balances by coin (decimal strings). */
  balances: Record<string, string>;
}

const SPOT_FEE = 100_000n; // 0.001
const MAKER_FEE = 20_000n; // 0.0002
const TAKER_FEE = 55_000n; // 0.00055

/**
 * The account.
 *
 * @example Usage
 * ```ts ignore
 * const account = new BybitAccount({ market, now: Date.now, seed: 1, balances: { USDT: "1000" } });
 * const { orderId } = account.place({ symbol: "BTCUSDT", side: "Buy", qty: "0.001", price: "60000" });
 * const events = account.fill(orderId); // execution, order, wallet
 * ```
 */
export class BybitAccount {
  #deps: AccountDeps;
  #rng: Prng;
  #ledger: Ledger;
  #orders = new Map<string, OrderRecord>();

  /** @throws {BybitDecimalError} on a malformed starting balance */
  constructor(deps: AccountDeps) {
    this.#deps = deps;
    this.#rng = new Prng(hashString("bybit-account") ^ deps.seed);
    this.#ledger = new Ledger(deps.balances, deps.market);
  }

  /** Places an order: the `order` (New) and `wallet` events, plus `position` on derivatives. */
  place(req: PlaceOrderRequest): { orderId: string; events: PrivateEvent[] } {
    const category = req.category ?? "spot";
    const market = this.#deps.market(category, req.symbol);
    if (!market) {
      throw new BybitOrderError(
        "unknown-symbol",
        `Unknown ${category} symbol "${req.symbol}"`,
      );
    }
    const spec = market.spec;
    const order = newOrder(req, market, this.#rng.uuid(), this.#deps.now());
    const { qty, refPrice } = order;
    if (spec.category === "spot") {
      const buy = req.side === "Buy";
      const lock = buy
        ? tradeValue(spec, refPrice, qty)
        : toAmount(qty, spec.qtyDecimals);
      this.#require(buy ? spec.quote : spec.base, lock);
      order.lockCoin = buy ? spec.quote : spec.base;
      order.locked = order.lockTotal = lock;
      this.#ledger.coin(order.lockCoin).locked += lock;
    } else {
      this.#require(
        spec.settle,
        initialMargin(tradeValue(spec, refPrice, qty)),
      );
    }
    this.#orders.set(order.orderId, order);
    return { orderId: order.orderId, events: this.#after(order, []) };
  }

  /**
   * Fills `qty` (default: all that is left) of an open order at its limit
   * price (as maker) or the best opposite price (market, as taker).
   */
  fill(orderId: string, qty?: string | number): PrivateEvent[] {
    const o = this.#open(orderId);
    const s = o.spec;
    const market = this.#deps.market(s.category, s.symbol) as SymbolMarket;
    const leaves = o.qty - o.cumQty;
    const q = qty === undefined
      ? leaves
      : positiveUnits(qty, s.qtyDecimals, "bad-qty");
    if (q > leaves) {
      throw new BybitOrderError(
        "bad-qty",
        `Fill ${qty} exceeds the ${leaves} steps left`,
      );
    }
    const price = o.price ?? bestPrice(market, o.side);
    const value = tradeValue(s, price, q);
    const isMaker = o.orderType === "Limit";
    const rate = s.category === "spot"
      ? SPOT_FEE
      : isMaker
      ? MAKER_FEE
      : TAKER_FEE;
    const now = this.#deps.now();
    const x: Fill = {
      execId: this.#rng.uuid(),
      price,
      qty: q,
      value,
      fee: 0n,
      feeRate: rate,
      isMaker,
      pnl: 0n,
      closedSize: 0,
      seq: market.nextSeq(),
      time: now,
      mark: market.mark,
    };
    if (s.category === "spot") this.#ledger.spotFill(o, x, q === leaves);
    else this.#ledger.derivativeFill(o, x, market);
    o.cumQty += q;
    o.cumValue += value;
    o.cumFee += x.fee;
    o.closedPnl += x.pnl;
    o.status = o.cumQty === o.qty ? "Filled" : "PartiallyFilled";
    o.updatedTime = now;
    const execution: PrivateEvent = {
      family: "execution",
      category: s.category,
      id: `${hashString(o.orderId)}_${s.symbol}_${x.seq}`,
      data: [executionPayload(o, x)],
    };
    return this.#after(o, [execution]);
  }

  /** Cancels an open order, releasing what it locked. */
  cancel(orderId: string): PrivateEvent[] {
    const o = this.#open(orderId);
    if (o.locked > 0n) this.#ledger.coin(o.lockCoin).locked -= o.locked;
    o.locked = 0n;
    o.status = o.cumQty > 0 && o.spec.category === "spot"
      ? "PartiallyFilledCanceled"
      : "Cancelled";
    o.updatedTime = this.#deps.now();
    return this.#after(o, []);
  }

  /** Current `order` payload per order id, in placement order. */
  orders(): Map<string, PrivatePayload> {
    return new Map([...this.#orders].map(([id, o]) => [id, orderPayload(o)]));
  }

  /** Current balances per coin. */
  wallet(): BybitWalletCoin[] {
    return this.#ledger.rows(this.#orders.values()).map((c) => ({
      coin: c.coin,
      walletBalance: formatAmount(c.wallet),
      locked: formatAmount(c.locked),
      equity: formatAmount(c.wallet + c.unrealised),
    }));
  }

  /** The `wallet` payload now (also the REST list element); `coins` filters. */
  walletPayload(coins?: readonly string[]): PrivatePayload {
    const rows = this.#ledger.rows(this.#orders.values());
    return walletPayload(
      coins ? rows.filter((r) => coins.includes(r.coin)) : rows,
    );
  }

  /** The events after a change of `o`: `extra`, order, wallet, position. */
  #after(o: OrderRecord, extra: PrivateEvent[]): PrivateEvent[] {
    const s = o.spec;
    const events: PrivateEvent[] = [
      ...extra,
      {
        family: "order",
        category: s.category,
        id: this.#rng.uuid(),
        data: [orderPayload(o)],
      },
      {
        family: "wallet",
        category: null,
        id: this.#rng.uuid(),
        data: [this.walletPayload()],
      },
    ];
    if (s.category !== "spot") {
      const market = this.#deps.market(s.category, s.symbol) as SymbolMarket;
      const pos = this.#ledger.position(market);
      events.push({
        family: "position",
        category: s.category,
        id: this.#rng.uuid(),
        data: [positionPayload(pos, s, market.mark)],
      });
    }
    return events;
  }

  /** Throws unless `coin` has `amount` free (not locked or used as margin). */
  #require(coin: string, amount: Amount): void {
    const free = this.#ledger.free(coin, this.#orders.values());
    if (free < amount) {
      throw new BybitOrderError(
        "insufficient-balance",
        `Insufficient ${coin}: ${formatAmount(free)} free, ${
          formatAmount(amount)
        } needed`,
      );
    }
  }

  #open(orderId: string): OrderRecord {
    const o = this.#orders.get(orderId);
    if (!o) {
      throw new BybitOrderError("unknown-order", `Unknown order "${orderId}"`);
    }
    if (o.status !== "New" && o.status !== "PartiallyFilled") {
      throw new BybitOrderError(
        "not-open",
        `Order "${orderId}" is ${o.status}`,
      );
    }
    return o;
  }
}
