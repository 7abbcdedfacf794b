/**
 * A pure, deterministic model of a Coinbase Exchange market (no timers, no
 * sockets) that renders the public ws-feed frames. Per product it keeps a
 * ~50-level book per side, a drifting fair price, 24 h statistics and the
 * product's single sequence line. The simulator server and benchmarks both
 * drive it.
 *
 * @module
 */
import {
  type CoinbaseMarketOptions,
  FIAT,
  KNOWN,
  type MatchFrame,
  ProductMarket,
  type TradeBatch,
} from "./coinbase_product.ts";

export type {
  CoinbaseMarketOptions,
  MatchFrame,
  Side,
  TickerFrame,
  TradeBatch,
} from "./coinbase_product.ts";
export { formatSize, isoMicros } from "./coinbase_product.ts";

/**
 * The deterministic market. The same options and call sequence (including
 * `nowMs`) give byte-identical frames; products are independent, so the
 * interleaving of calls across products changes no product's stream.
 *
 * @example Generate frames without a server
 * ```ts
 * const market = new CoinbaseMarket({ products: ["BTC-USD", "ABC-USD"] });
 * const frames = market.nextTrades("ABC-USD", 3, Date.now()); // 3 match + 1 ticker
 * ```
 */
export class CoinbaseMarket {
  #products = new Map<string, ProductMarket>();
  #trades = 0;

  /** @throws {Error} on a malformed or duplicate product id */
  constructor(options: CoinbaseMarketOptions) {
    for (const id of options.products) {
      if (!/^[A-Z0-9]+-[A-Z0-9]+$/.test(id) || this.#products.has(id)) {
        throw new Error(`Invalid or duplicate product id "${id}"`);
      }
      const us = (options.startMs ?? 1.7e12) * 1000;
      this.#products.set(id, new ProductMarket(id, options.seed ?? 1, us));
    }
  }

  /** Product ids in construction order. */
  get products(): string[] {
    return [...this.#products.keys()];
  }

  /** Trades generated since construction, over all products. */
  get tradesGenerated(): number {
    return this.#trades;
  }

  /** The product's current sequence number. */
  sequence(product: string): number {
    return this.#get(product).sequence;
  }

  /** The product's most recent trade id. */
  lastTradeId(product: string): number {
    return this.#get(product).tradeId;
  }

  /**
   * Advances `product` by `count` trades (one cascade): before each trade the
   * sequence moves 1..4 for unseen `full`-channel messages (which also change
   * the book); each match takes the next sequence and trade id; one ticker
   * repeats the last match's sequence and trade id. `count` 0 yields nothing.
   */
  trades(product: string, count: number, nowMs: number): TradeBatch {
    const p = this.#get(product);
    const matches: MatchFrame[] = [];
    for (let i = 0; i < count; i++) matches.push(p.trade(p.stamp(nowMs)));
    this.#trades += matches.length;
    const last = matches.at(-1);
    return { matches, ticker: last ? p.ticker(last) : null };
  }

  /** {@link trades} as JSON strings: the matches, then the ticker. */
  nextTrades(product: string, count: number, nowMs: number): string[] {
    const { matches, ticker } = this.trades(product, count, nowMs);
    return [...matches, ...(ticker ? [ticker] : [])].map((f) =>
      JSON.stringify(f)
    );
  }

  /** The most recent trade as a `last_match` frame (JSON). */
  lastMatch(product: string): string {
    return JSON.stringify({ ...this.#get(product).last, type: "last_match" });
  }

  /** A `heartbeat` with the current sequence and last trade id (JSON). */
  heartbeat(product: string, nowMs: number): string {
    const p = this.#get(product);
    const time = p.stamp(nowMs);
    return JSON.stringify({
      type: "heartbeat",
      sequence: p.sequence,
      last_trade_id: p.tradeId,
      product_id: p.id,
      time,
    });
  }

  /** The whole current book as a level2 `snapshot` (JSON). */
  snapshot(product: string): string {
    const p = this.#get(product);
    return JSON.stringify({
      type: "snapshot",
      product_id: p.id,
      bids: p.levels("buy"),
      asks: p.levels("sell"),
    });
  }

  /**
   * Drains the book changes since the previous call into one `l2update`
   * (JSON; latest size per level, `time` of the most recent change), or
   * null when nothing changed. Changes accumulate until drained. `_nowMs`
   * is accepted for call-site symmetry and ignored.
   */
  l2Batch(product: string, _nowMs?: number): string | null {
    const p = this.#get(product);
    const batch = p.drain();
    return batch &&
      JSON.stringify({ type: "l2update", product_id: p.id, ...batch });
  }

  /** A `status` frame listing every product and currency (JSON). */
  status(): string {
    const all = [...this.#products.values()];
    const products = all.map((p) => ({
      id: p.id,
      base_currency: p.base,
      quote_currency: p.quote,
      base_increment: "0.00000001",
      quote_increment: p.price(1),
      display_name: `${p.base}/${p.quote}`,
      status: "online",
      status_message: "",
      min_market_funds: "1",
      post_only: false,
      limit_only: false,
      cancel_only: false,
      fx_stablecoin: false,
    }));
    const codes = new Set(all.flatMap((p) => [p.base, p.quote]));
    const currencies = [...codes].map((id) => {
      const fiat = FIAT.has(id);
      const name = KNOWN[id]?.[1] ??
        (id === "USD" ? "United States Dollar" : id);
      const network = fiat ? "" : name.toLowerCase();
      return {
        id,
        name,
        min_size: fiat ? "0.01" : "0.00000001",
        status: "online",
        status_message: "",
        max_precision: fiat ? "0.01" : "0.00000001",
        convertible_to: [],
        default_network: network,
        supported_networks: fiat
          ? []
          : [{ id: network, name, status: "online" }],
      };
    });
    return JSON.stringify({ type: "status", products, currencies });
  }

  #get(product: string): ProductMarket {
    const p = this.#products.get(product);
    if (!p) throw new Error(`Unknown product "${product}"`);
    return p;
  }
}
