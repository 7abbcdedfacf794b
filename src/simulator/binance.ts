/**
 * A protocol-faithful Binance Spot market-data simulator on one port:
 * WebSocket streams (`/stream?streams=a/b` combined, `/ws/<stream>` raw) with
 * live `SUBSCRIBE`/`UNSUBSCRIBE`/`LIST_SUBSCRIPTIONS`/`SET_PROPERTY`/
 * `GET_PROPERTY`, acks and the documented error frames, Binance's limits
 * (see `binance_hub.ts`: 5 messages/s, 1024 streams, 24 h, pings through
 * Deno's `idleTimeout`), REST depth and exchangeInfo, CoinGecko
 * `coins/markets`, and fault injection, over a {@link BinanceMarket} that
 * trades whether or not clients are connected.
 *
 * Unknown symbols and stream names are accepted silently and deliver
 * nothing (documented as UNVERIFIED Binance behaviour); so do symbols whose
 * status is not `TRADING`.
 *
 * @module
 */
import {
  type CoinSpec,
  DEFAULT_MARKETS,
  defaultCoins,
  type MarketSpec,
} from "./binance_assets.ts";
import { type BinanceClientRecord, StreamHub } from "./binance_hub.ts";
import {
  BinanceMarket,
  type DepthSnapshot,
  type TradePayload,
} from "./binance_market.ts";
import { type CoingeckoFault, restResponse } from "./binance_rest.ts";
import type { StreamSpec } from "./binance_streams.ts";
import { Prng } from "./prng.ts";

export { syntheticMarkets } from "./binance_assets.ts";
export type { CoinSpec, MarketSpec } from "./binance_assets.ts";
export type { BinanceClientRecord } from "./binance_hub.ts";
export type { CoingeckoFault } from "./binance_rest.ts";

/** Options of {@link BinanceSimulator.start}; every field is optional. */
export interface BinanceSimulatorOptions {
  /** TCP port; 0 picks a free one. @default {0} */
  port?: number;
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** Default: majors vs USDT, 4 BTC-quoted, `MATICUSDT` in `BREAK`. */
  markets?: MarketSpec[];
  /** Trades per second per symbol; fractions accumulate. @default {5} */
  tradesPerSecond?: number;
  /** @default {1} */
  seed?: number;
  /** CoinGecko coins; default: the markets' bases plus coins without one. */
  coins?: CoinSpec[];
  /** Ping a silent client after this long (0: no pings). @default {20000} */
  pingIntervalMs?: number;
  /** @default {86400000} */
  maxConnectionAgeMs?: number;
  /** Clock of connection age, rate limit, `clients`. @default {Date.now} */
  now?: () => number;
  /** @default {5} */
  maxMessagesPerSecond?: number;
  /** @default {1024} */
  maxStreamsPerConnection?: number;
  /** Keep truth histories (`trades`, `clients[].received`). @default {true} */
  record?: boolean;
  /** Per history; beyond it the oldest quarter goes. @default {100000} */
  maxRecorded?: number;
  /** Periodic faults for demos (each enabled by its period). */
  faults?: {
    dropEveryMs?: number;
    malformedEveryMs?: number;
    depthGapEveryMs?: number;
    shutdownEveryMs?: number;
  };
}

interface Sym {
  symbol: string;
  pending: number;
  names: [string, string, string]; // trade, aggTrade, bookTicker
  trades: TradePayload[];
}

/**
 * The simulator. Start with {@link BinanceSimulator.start}; always
 * {@link BinanceSimulator.close} it.
 *
 * @example Usage
 * ```ts ignore
 * const sim = await BinanceSimulator.start({ tradesPerSecond: 20 });
 * const ws = new WebSocket(`${sim.url}/stream?streams=btcusdt@trade/btcusdt@depth@100ms`);
 * ws.onmessage = (e) => console.log(JSON.parse(e.data).stream);
 * const res = await fetch(`${sim.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=5`);
 * console.log(await res.json()); // { lastUpdateId, bids, asks }
 * ws.close();
 * await sim.close();
 * ```
 */
export class BinanceSimulator {
  /** The bound TCP port. */
  readonly port: number;
  /** `ws://<host>:<port>`; append `/stream?streams=...` or `/ws/<stream>`. */
  readonly url: string;
  /** `http://<host>:<port>` (Binance REST). */
  readonly restUrl: string;
  /** `http://<host>:<port>` (CoinGecko `/api/v3/coins/markets`). */
  readonly coingeckoUrl: string;
  #o: BinanceSimulatorOptions;
  #market: BinanceMarket;
  #hub: StreamHub;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #syms = new Map<string, Sym>();
  #coins: CoinSpec[];
  #fault: CoingeckoFault = null;
  #timers: ReturnType<typeof setInterval>[] = [];
  #lastTick = performance.now();
  #beats = 0;
  #paused = false;
  #closed = false;

  private constructor(options: BinanceSimulatorOptions) {
    this.#o = options;
    const markets = options.markets ?? [...DEFAULT_MARKETS];
    this.#coins = options.coins ?? defaultCoins(markets);
    const seed = options.seed ?? 1;
    this.#market = new BinanceMarket({ markets, seed, startMs: Date.now() });
    const rng = new Prng(seed);
    for (const symbol of this.#market.symbols) {
      if (this.#market.info(symbol).status !== "TRADING") continue;
      const lower = symbol.toLowerCase();
      this.#syms.set(symbol, {
        symbol,
        pending: rng.next(),
        names: [`${lower}@trade`, `${lower}@aggTrade`, `${lower}@bookTicker`],
        trades: [],
      });
    }
    this.#hub = new StreamHub({
      now: options.now ?? Date.now,
      maxMessagesPerSecond: options.maxMessagesPerSecond ?? 5,
      maxStreamsPerConnection: options.maxStreamsPerConnection ?? 1024,
      maxConnectionAgeMs: options.maxConnectionAgeMs ?? 86_400_000,
      pingIntervalMs: options.pingIntervalMs ?? 20_000,
      record: options.record ?? true,
      maxRecorded: options.maxRecorded ?? 100_000,
      serves: (spec) => this.#syms.has(spec.symbol),
      onStream: (name, spec, open) => this.#onStream(name, spec, open),
    });
    this.#server = Deno.serve({
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
      onListen: () => {},
    }, (req) => this.#handle(req));
    const { hostname, port } = this.#server.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    this.port = port;
    this.url = `ws://${host}:${port}`;
    this.restUrl = this.coingeckoUrl = `http://${host}:${port}`;
    const every = (ms: number | undefined, fn: () => void) => {
      if (ms !== undefined && ms > 0) this.#timers.push(setInterval(fn, ms));
    };
    every(10, () => this.#tick());
    every(100, () => this.#beat());
    const f = options.faults ?? {};
    every(f.dropEveryMs, () => this.dropConnections());
    every(f.malformedEveryMs, () => this.sendMalformed());
    every(f.depthGapEveryMs, () => this.injectDepthGap());
    every(f.shutdownEveryMs, () => this.sendServerShutdown());
  }

  /** Starts the market and the server (rejects if the port cannot be bound). */
  static start(
    options: BinanceSimulatorOptions = {},
  ): Promise<BinanceSimulator> {
    return new Promise((resolve) => resolve(new BinanceSimulator(options)));
  }

  /** Every trade generated for `symbol` (truth, when recording), in order. */
  trades(symbol: string): readonly TradePayload[] {
    return this.#syms.get(symbol)?.trades ?? [];
  }

  /** The full current book of `symbol`: bids descending, asks ascending. */
  book(symbol: string): DepthSnapshot {
    return this.#market.book(symbol);
  }

  /** Every connection ever accepted, in accept order (ids from 1). */
  get clients(): readonly BinanceClientRecord[] {
    return this.#hub.records;
  }

  /** Currently open connections. */
  get connections(): number {
    return this.#hub.open;
  }

  /** Stops generating trades and book changes (periodic streams go on). */
  pause(): void {
    this.#paused = true;
  }

  /** Resumes generation after {@link pause}. */
  resume(): void {
    this.#paused = false;
  }

  /** Closes every connection now (1011 "simulated drop"; Deno cannot reset a TCP socket). */
  dropConnections(): void {
    this.#hub.closeAll(1011, "simulated drop");
  }

  /** Sends `serverShutdown`: wrapped on combined connections, bare on raw ones. */
  sendServerShutdown(): void {
    const data = JSON.stringify({ e: "serverShutdown", E: Date.now() });
    const wrapped = `{"stream":"!serverShutdown","data":${data}}`;
    this.#hub.broadcast((combined) => combined ? wrapped : data);
  }

  /**
   * The book goes on, but the next non-empty event of every subscribed
   * diff-depth stream (of `symbol`, if given) is not sent, so clients see
   * `U > previous u + 1` once. A client whose book comes from a REST
   * snapshot taken after that event's updates (before it was sent) already
   * holds them, and rightly sees no gap: inject once the client's book has
   * moved past its snapshot with a streamed diff.
   */
  injectDepthGap(symbol?: string): void {
    for (const e of this.#hub.streams.values()) {
      if (e.spec.kind === "depth" && (!symbol || e.spec.symbol === symbol)) {
        e.skip++;
      }
    }
  }

  /** Sends truncated JSON to every connection. */
  sendMalformed(): void {
    const raw = '{"e":"trade","E":';
    this.#hub.broadcast((combined) =>
      combined ? `{"stream":"btcusdt@trade","data":${raw}` : raw
    );
  }

  /** Makes CoinGecko answer 429 or 500 until called with null. */
  failCoingecko(mode: CoingeckoFault): void {
    this.#fault = mode;
  }

  /** Replaces the CoinGecko coin list (ranked by `marketCap`). */
  setCoins(coins: CoinSpec[]): void {
    this.#coins = [...coins];
  }

  /** Stops timers, closes every connection and shuts the server down. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.forEach(clearInterval);
    await this.#hub.shutdown();
    await this.#server.shutdown();
  }

  #handle(req: Request): Response {
    const url = new URL(req.url);
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return this.#hub.accept(req, url);
    }
    const rest = req.method === "GET" && restResponse(url, {
      market: this.#market,
      coins: this.#coins,
      coingeckoFault: this.#fault,
      now: Date.now(),
    });
    return rest ||
      Response.json({ code: -1, msg: "Not found" }, { status: 404 });
  }

  #onStream(name: string, spec: StreamSpec, open: boolean): void {
    if (spec.kind !== "depth") return;
    if (open) this.#market.openDepthFeed(spec.symbol, name);
    else this.#market.closeDepthFeed(spec.symbol, name);
  }

  #tick(): void {
    const t = performance.now();
    const elapsed = Math.min(t - this.#lastTick, 1000);
    this.#lastTick = t;
    if (this.#paused) return;
    const rate = this.#o.tradesPerSecond ?? 5;
    const now = Date.now();
    const streams = this.#hub.streams;
    for (const s of this.#syms.values()) {
      const due = s.pending + (rate * elapsed) / 1000;
      const count = Math.floor(due);
      s.pending = due - count;
      if (count === 0) continue;
      const step = this.#market.step(s.symbol, count, now);
      if (this.#o.record ?? true) {
        for (const trade of step.trades) s.trades.push(trade);
        const max = this.#o.maxRecorded ?? 100_000;
        if (s.trades.length > max) s.trades.splice(0, Math.ceil(max / 4));
      }
      const [trade, agg, top] = s.names.map((n) => streams.get(n));
      if (trade) { for (const p of step.trades) this.#hub.emit(trade, p); }
      if (agg) { for (const p of step.aggTrades) this.#hub.emit(agg, p); }
      if (top && step.bookTicker) this.#hub.emit(top, step.bookTicker);
    }
  }

  /** Every 100 ms: the periodic streams due; every second, connection ages. */
  #beat(): void {
    const beat = ++this.#beats;
    const now = Date.now();
    const m = this.#market;
    const emit = this.#hub.emit.bind(this.#hub);
    for (const e of this.#hub.streams.values()) {
      const spec = e.spec;
      if (spec.every === 0 || beat % (spec.every / 100) !== 0) continue;
      if (spec.kind === "depth") {
        const diff = m.depthUpdate(spec.symbol, e.name, now);
        if (diff && e.skip > 0) e.skip--;
        else if (diff) emit(e, diff);
      } else if (spec.kind === "partial") {
        emit(e, m.book(spec.symbol, spec.levels));
      } else if (spec.kind === "kline") {
        for (const k of m.klines(spec.symbol, spec.interval, now)) emit(e, k);
      } else if (spec.kind === "ticker") emit(e, m.ticker(spec.symbol, now));
      else if (spec.kind === "miniTicker") {
        emit(e, m.miniTicker(spec.symbol, now));
      }
    }
    if (beat % 10 === 0) this.#hub.checkAges();
  }
}
