/**
 * Balances and positions of the simulated Bybit account, exact in
 * {@link Amount}s: what spot and derivatives fills do to them, and the
 * per-coin wallet rows (locked, order and position margin, unrealised PnL,
 * USD price) the `wallet` payloads are rendered from.
 *
 * @module
 */
import { type Amount, parseAmount, toAmount } from "./bybit_decimal.ts";
import type { SymbolMarket } from "./bybit_market.ts";
import {
  applyFill,
  fee,
  initialMargin,
  type PositionState,
  tradeValue,
  unrealised,
} from "./bybit_position.ts";
import type { CoinRow, Fill, OrderRecord } from "./bybit_private_payloads.ts";
import { type BybitCategory, usdOf } from "./bybit_symbols.ts";

/** Looks up a served market. */
export type MarketLookup = (
  category: BybitCategory,
  symbol: string,
) => SymbolMarket | undefined;

interface CoinState {
  wallet: Amount;
  locked: Amount;
  realised: Amount;
}

const STABLE = new Set(["USDT", "USDC", "USD"]);

/**
 * The ledger.
 *
 * @example Usage
 * ```ts ignore
 * const ledger = new Ledger({ USDT: "1000" }, lookup);
 * ledger.spotFill(order, fill, true);
 * const rows = ledger.rows(openOrders);
 * ```
 */
export class Ledger {
  #market: MarketLookup;
  #coins = new Map<string, CoinState>();
  #positions = new Map<string, { pos: PositionState; market: SymbolMarket }>();

  /** @throws {BybitDecimalError} on a malformed balance */
  constructor(balances: Record<string, string>, market: MarketLookup) {
    this.#market = market;
    for (const [coin, balance] of Object.entries(balances)) {
      this.coin(coin).wallet = parseAmount(balance);
    }
  }

  /** The state of `coin` (created empty on first use). */
  coin(coin: string): CoinState {
    let c = this.#coins.get(coin);
    if (!c) this.#coins.set(coin, c = { wallet: 0n, locked: 0n, realised: 0n });
    return c;
  }

  /** The position of a derivatives market (created flat on first use). */
  position(market: SymbolMarket): PositionState {
    const key = `${market.spec.category}:${market.spec.symbol}`;
    let entry = this.#positions.get(key);
    if (!entry) {
      const pos = {
        size: 0,
        value: 0n,
        realised: 0n,
        lastRealised: 0n,
        seq: 0,
        created: 0,
        updated: 0,
      };
      this.#positions.set(key, entry = { pos, market });
    }
    return entry.pos;
  }

  /** What `coin` has free: wallet − locked − order and position margin. */
  free(coin: string, orders: Iterable<OrderRecord>): Amount {
    const row = this.rows(orders).find((r) => r.coin === coin);
    return row ? row.wallet - row.locked - row.orderIM - row.positionIM : 0n;
  }

  /**
   * A spot fill: releases the lock (all of it on the `last` fill, else pro
   * rata), moves base and quote, and takes the fee in the received coin.
   */
  spotFill(o: OrderRecord, x: Fill, last: boolean): void {
    const s = o.spec;
    const share = o.lockTotal * BigInt(x.qty) / BigInt(o.qty);
    const release = last || share > o.locked ? o.locked : share;
    o.locked -= release;
    this.coin(o.lockCoin).locked -= release;
    const size = toAmount(x.qty, s.qtyDecimals);
    const [base, quote] = [this.coin(s.base), this.coin(s.quote)];
    if (o.side === "Buy") {
      x.fee = fee(size, x.feeRate);
      quote.wallet -= x.value;
      base.wallet += size - x.fee;
    } else {
      x.fee = fee(x.value, x.feeRate);
      base.wallet -= size;
      quote.wallet += x.value - x.fee;
    }
  }

  /**
   * A linear or inverse fill: updates the position and books the realised
   * PnL minus the fee (`x.pnl`) to the settle coin.
   */
  derivativeFill(o: OrderRecord, x: Fill, market: SymbolMarket): void {
    const s = o.spec;
    const pos = this.position(market);
    const before = pos.size;
    x.closedSize = before !== 0 && (before > 0) !== (o.side === "Buy")
      ? Math.min(Math.abs(before), x.qty)
      : 0;
    x.fee = fee(x.value, x.feeRate);
    x.pnl = applyFill(pos, s, o.side, x.qty, x.price) - x.fee;
    pos.realised -= x.fee;
    pos.lastRealised -= x.fee;
    pos.seq = x.seq;
    pos.updated = x.time;
    if (before === 0) pos.created = x.time;
    const coin = this.coin(s.settle);
    coin.wallet += x.pnl;
    coin.realised += x.pnl;
  }

  /** One row per coin; `orders` adds the margin of open derivatives orders. */
  rows(orders: Iterable<OrderRecord>): CoinRow[] {
    const rows = new Map<string, CoinRow>();
    for (const [coin, c] of this.#coins) {
      rows.set(coin, {
        coin,
        wallet: c.wallet,
        locked: c.locked,
        orderIM: 0n,
        positionIM: 0n,
        unrealised: 0n,
        realised: c.realised,
        usd: this.#usd(coin),
      });
    }
    for (const o of orders) {
      const open = o.status === "New" || o.status === "PartiallyFilled";
      const row = rows.get(o.spec.settle);
      if (!open || o.spec.category === "spot" || !row) continue;
      const leaves = o.qty - o.cumQty;
      row.orderIM += initialMargin(tradeValue(o.spec, o.refPrice, leaves));
    }
    for (const { pos, market } of this.#positions.values()) {
      const row = rows.get(market.spec.settle);
      if (!row) continue;
      row.positionIM += initialMargin(pos.value);
      row.unrealised += unrealised(pos, market.spec, market.mark);
    }
    return [...rows.values()];
  }

  /** USD price of one `coin`: 1 for stablecoins, else its last USDT (or USD) trade. */
  #usd(coin: string): Amount {
    if (STABLE.has(coin)) return 100_000_000n;
    const m = this.#market("spot", `${coin}USDT`) ??
      this.#market("linear", `${coin}USDT`) ??
      this.#market("inverse", `${coin}USD`);
    return m
      ? toAmount(m.last, m.spec.priceDecimals)
      : BigInt(Math.round(usdOf(coin) * 1e8));
  }
}
