/**
 * A protocol-faithful Bybit v5 WebSocket simulator on one port: the public
 * streams `/v5/public/{spot|linear|inverse}` (topics `publicTrade`,
 * `orderbook.{1|50|200|1000}`, `tickers`, `kline`; see `bybit_public.ts`,
 * `bybit_feeds.ts` and the control protocol in `bybit_public_ws.ts`), the
 * private stream `/v5/private` (auth, `order`/`execution`/`wallet`/
 * `position`; `bybit_private_ws.ts`, `bybit_account.ts`), and the signed
 * REST `GET /v5/account/wallet-balance` (`bybit_rest.ts`), with fault
 * injection. The markets tick whether or not clients are connected.
 *
 * Anything marked UNVERIFIED in those modules is a guess where the Bybit
 * docs are silent.
 *
 * @module
 */
import {
  BybitAccount,
  type BybitWalletCoin,
  type PlaceOrderRequest,
} from "./bybit_account.ts";
import { DEFAULT_API_KEYS } from "./bybit_auth.ts";
import type { BybitBookView } from "./bybit_feeds.ts";
import { type BybitClientRecord, ConnHub } from "./bybit_hub.ts";
import type { KlineInterval, KlinePayload } from "./bybit_kline.ts";
import type { BybitTrade, TickerData } from "./bybit_market.ts";
import type { PrivatePayload } from "./bybit_private_payloads.ts";
import { type BybitPrivateFrame, PrivateProtocol } from "./bybit_private_ws.ts";
import {
  type FaultTarget,
  randomActivity,
  randomReset,
} from "./bybit_faults.ts";
import { PublicMarkets } from "./bybit_public.ts";
import { route } from "./bybit_router.ts";
import type { BybitSimulatorOptions } from "./bybit_options.ts";
import { type BybitCategory, DEFAULT_SYMBOLS } from "./bybit_symbols.ts";
import type { BookDepth } from "./bybit_topics.ts";
import { Prng } from "./prng.ts";

export { BybitOrderError } from "./bybit_account.ts";
export type { BybitWalletCoin, PlaceOrderRequest } from "./bybit_account.ts";
export { DEFAULT_API_KEYS } from "./bybit_auth.ts";
export type { BybitApiKey } from "./bybit_auth.ts";
export type { BybitBookView } from "./bybit_feeds.ts";
export type { BybitClientRecord } from "./bybit_hub.ts";
export type { KlineInterval, KlinePayload } from "./bybit_kline.ts";
export type { BybitSide } from "./bybit_book.ts";
export type { BybitTrade, TickDirection, TickerData } from "./bybit_market.ts";
export type { PrivatePayload } from "./bybit_private_payloads.ts";
export type { BybitPrivateFrame } from "./bybit_private_ws.ts";
export type { BybitCategory, BybitSymbols } from "./bybit_symbols.ts";
export type { BookDepth } from "./bybit_topics.ts";
export type { BybitSimulatorOptions } from "./bybit_options.ts";

const MALFORMED = '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":';

/**
 * The simulator. Start with {@link BybitSimulator.start}; always
 * {@link BybitSimulator.close} it.
 *
 * @example Usage
 * ```ts ignore
 * const sim = await BybitSimulator.start({ tradesPerSecond: 20 });
 * const ws = new WebSocket(`${sim.url}/v5/public/linear`);
 * ws.onopen = () => ws.send(JSON.stringify({ op: "subscribe", args: ["orderbook.50.BTCUSDT"] }));
 * ws.onmessage = (e) => console.log(JSON.parse(e.data));
 * await sim.close();
 * ```
 */
export class BybitSimulator {
  /** The bound TCP port. */
  readonly port: number;
  /** `ws://<host>:<port>`; append `/v5/public/{category}` or `/v5/private`. */
  readonly url: string;
  /** `http://<host>:<port>` (REST). */
  readonly restUrl: string;
  #now: () => number;
  #hub: ConnHub;
  #markets: PublicMarkets;
  #account: BybitAccount;
  #private: PrivateProtocol;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #rng: Prng;
  #timers: ReturnType<typeof setInterval>[] = [];
  #lastTick = performance.now();
  #paused = false;
  #pong = true;
  #closed = false;

  private constructor(options: BybitSimulatorOptions) {
    const now = this.#now = options.now ?? Date.now;
    const seed = options.seed ?? 1;
    const record = options.record ?? true;
    const maxRecorded = options.maxRecorded ?? 100_000;
    this.#rng = new Prng(seed ^ 0x5bd1e995);
    this.#hub = new ConnHub({ now, record, maxRecorded });
    const symbols = { ...DEFAULT_SYMBOLS, ...options.symbols };
    this.#markets = new PublicMarkets({
      symbols,
      seed,
      now,
      klineMinuteMs: options.klineMinuteMs ?? 60_000,
      tradesPerSecond: options.tradesPerSecond ?? 5,
      record,
      maxRecorded,
      hub: this.#hub,
    });
    const keys = options.accounts ?? [...DEFAULT_API_KEYS];
    this.#account = new BybitAccount({
      market: (c, s) => this.#markets.market(c, s),
      now,
      seed,
      balances: options.balances ?? { USDT: "100000", BTC: "2" },
    });
    this.#private = new PrivateProtocol({
      hub: this.#hub,
      keys,
      now,
      pong: () => this.#pong,
      record,
      maxRecorded,
    });
    this.#server = Deno.serve({
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
      onListen: () => {},
    }, (req) =>
      route(req, {
        hub: this.#hub,
        markets: this.#markets,
        account: this.#account,
        private: this.#private,
        rng: this.#rng,
        keys,
        now,
        pong: () => this.#pong,
      }));
    const { hostname, port } = this.#server.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    this.port = port;
    this.url = `ws://${host}:${port}`;
    this.restUrl = `http://${host}:${port}`;
    const every = (ms: number | undefined, fn: () => void) => {
      if (ms !== undefined && ms > 0) this.#timers.push(setInterval(fn, ms));
    };
    every(options.tickMs ?? 100, () => this.#tick());
    const f = options.faults ?? {};
    every(f.dropEveryMs, () => this.dropConnections());
    every(f.malformedEveryMs, () => this.sendMalformed());
    const target: FaultTarget = {
      rng: this.#rng,
      markets: this.#markets,
      placeOrder: (req) => this.placeOrder(req),
      fillOrder: (id, qty) => this.fillOrder(id, qty),
    };
    every(f.resetEveryMs, () => randomReset(target));
    every(f.privateActivityEveryMs, () => randomActivity(target));
  }

  /** Starts the markets and the server (rejects if the port cannot be bound). */
  static start(options: BybitSimulatorOptions = {}): Promise<BybitSimulator> {
    return new Promise((resolve) => resolve(new BybitSimulator(options)));
  }

  /** Every connection ever accepted, in accept order (ids from 1). */
  get clients(): readonly BybitClientRecord[] {
    return this.#hub.records;
  }

  /** Currently open connections. */
  get connections(): number {
    return this.#hub.open;
  }

  /** Every trade pushed to at least one client, in order. */
  trades(
    symbol: string,
    category: BybitCategory = "spot",
  ): readonly BybitTrade[] {
    return this.#markets.trades(category, symbol);
  }

  /** The book of `orderbook.{depth}.{symbol}` as a client that applied every push holds it. */
  book(
    symbol: string,
    depth: BookDepth,
    category: BybitCategory = "spot",
  ): BybitBookView | undefined {
    return this.#markets.book(category, symbol, depth);
  }

  /** The full merged ticker as of the last push to `tickers.{symbol}`. */
  ticker(
    symbol: string,
    category: BybitCategory = "spot",
  ): TickerData | undefined {
    return this.#markets.ticker(category, symbol);
  }

  /** Every kline payload pushed for `kline.{interval}.{symbol}`. */
  klines(
    symbol: string,
    interval: KlineInterval,
    category: BybitCategory = "spot",
  ): readonly KlinePayload[] {
    return this.#markets.klines(category, symbol, interval);
  }

  /** Stops generating trades and book changes (klines and level-1 re-pushes go on). */
  pause(): void {
    this.#paused = true;
  }

  /** Resumes generation after {@link pause}. */
  resume(): void {
    this.#paused = false;
  }

  /** Whether pings are answered (false: silent, for stale-connection tests). */
  setPong(enabled: boolean): void {
    this.#pong = enabled;
  }

  /** Closes every open connection (of `path`, e.g. `/v5/private`) with code 1001. */
  dropConnections(path?: string): void {
    this.#hub.drop(path);
  }

  /** Sends a truncated JSON frame to every client. */
  sendMalformed(): void {
    this.#hub.broadcast(MALFORMED);
  }

  /** Simulates a service restart: the next push of every depth topic of the symbol is a snapshot with `u=1`. */
  resetBook(symbol: string, category: BybitCategory = "spot"): void {
    this.#markets.resetBook(category, symbol);
  }

  /** Generates `n` trades in one match (one `seq`) and pushes them now, ≤1024 per frame. */
  burst(
    symbol: string,
    n: number,
    category: BybitCategory = "spot",
  ): readonly BybitTrade[] {
    return this.#markets.burst(category, symbol, n);
  }

  /**
   * Places an order on the account; pushes `order` and `wallet` (and
   * `position` on linear/inverse).
   *
   * @throws {BybitOrderError} on an unknown symbol, a malformed size or price, or too little balance
   */
  placeOrder(req: PlaceOrderRequest): string {
    const { orderId, events } = this.#account.place(req);
    this.#private.emit(events);
    return orderId;
  }

  /**
   * Fills `qty` (default: all left) of an open order; pushes `execution`,
   * `order`, `wallet` (and `position` on linear/inverse).
   *
   * @throws {BybitOrderError} for an unknown or closed order or a bad size
   */
  fillOrder(orderId: string, qty?: string | number): void {
    this.#private.emit(this.#account.fill(orderId, qty));
  }

  /**
   * Cancels an open order; pushes `order` (Cancelled) and `wallet`.
   *
   * @throws {BybitOrderError} for an unknown or closed order
   */
  cancelOrder(orderId: string): void {
    this.#private.emit(this.#account.cancel(orderId));
  }

  /** Current balances per coin. */
  wallet(): BybitWalletCoin[] {
    return this.#account.wallet();
  }

  /** Current `order` payload per order id. */
  orders(): Map<string, PrivatePayload> {
    return this.#account.orders();
  }

  /** Every private frame sent to at least one client, in order. */
  privateFrames(): readonly BybitPrivateFrame[] {
    return this.#private.frames;
  }

  /** Stops timers, closes every connection and shuts the server down. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.forEach(clearInterval);
    await this.#hub.shutdown();
    await this.#server.shutdown();
  }

  #tick(): void {
    const t = performance.now();
    const elapsed = Math.min(t - this.#lastTick, 1000);
    this.#lastTick = t;
    this.#markets.tick(elapsed, this.#paused);
    this.#hub.closeIdle();
  }
}
