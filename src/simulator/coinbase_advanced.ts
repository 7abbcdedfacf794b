/**
 * A protocol-faithful Coinbase Advanced Trade WebSocket simulator:
 * `Deno.serve` plus `Deno.upgradeWebSocket` over simulated products, with
 * the public channels (`heartbeats`, `candles`, `market_trades`, `ticker`,
 * `ticker_batch`, `level2` as `l2_data`, `status`), the envelope with its
 * per-connection `sequence_num`, `subscriptions` acks, JWT checks, the
 * subscribe deadline, the idle close without `heartbeats`, and faults.
 * Every timer and timestamp comes from the injected {@link Clock}.
 *
 * @module
 */
import { type Clock, systemClock, type TimerId } from "../core/clock.ts";
import { AdvancedJwtVerifier } from "./coinbase_advanced_auth.ts";
import type { Candle } from "./coinbase_advanced_candles.ts";
import {
  AdvancedClient,
  type ClientInfo,
  closeClients,
} from "./coinbase_advanced_client.ts";
import {
  heartbeatTime,
  snapshotEvents,
  subscriptionsEvent,
} from "./coinbase_advanced_feeds.ts";
import { AdvancedGenerator } from "./coinbase_advanced_generator.ts";
import type { AdvancedTrade } from "./coinbase_advanced_market.ts";
import {
  type Frame,
  parseAdvancedRequest,
  parseJsonObject,
  WIRE_CHANNEL,
} from "./coinbase_advanced_subscribe.ts";

import type {
  CoinbaseAdvancedSimulatorOptions,
  SentFrame,
} from "./coinbase_advanced_options.ts";

export type { AdvancedApiKey } from "./coinbase_advanced_auth.ts";
export type {
  CoinbaseAdvancedSimulatorOptions,
  SentFrame,
} from "./coinbase_advanced_options.ts";
export type { Candle } from "./coinbase_advanced_candles.ts";
export type { ClientInfo } from "./coinbase_advanced_client.ts";
export type { AdvancedTrade as Trade } from "./coinbase_advanced_market.ts";

const TICK_MS = 250;
const SECOND_MS = 1000;
const TICKER_BATCH_MS = 5000;
const DEFAULT_PRODUCTS = ["BTC-USD", "ETH-USD"];
const AUTH_FAILURE = "authentication failure";

/**
 * The simulator. Start with {@link CoinbaseAdvancedSimulator.start}; always
 * {@link CoinbaseAdvancedSimulator.close} it.
 *
 * @example Usage
 * ```ts ignore
 * const sim = await CoinbaseAdvancedSimulator.start({ products: ["BTC-USD"] });
 * const ws = new WebSocket(sim.url);
 * ws.onopen = () =>
 *   ws.send(JSON.stringify({ type: "subscribe", channel: "market_trades", product_ids: ["BTC-USD"] }));
 * // ...
 * await sim.close();
 * ```
 */
export class CoinbaseAdvancedSimulator {
  /** The bound TCP port. */
  readonly port: number;
  /** `ws://<hostname>:<port>`; the upgrade works on any path. */
  readonly url: string;
  /** Every JSON frame sent, in send order (lost messages excluded). Read only. */
  readonly sent: SentFrame[] = [];
  #server: Deno.HttpServer<Deno.NetAddr>;
  #options: CoinbaseAdvancedSimulatorOptions;
  #clock: Clock;
  #startMs: number;
  #market: AdvancedGenerator;
  #productIds: ReadonlySet<string>;
  #clients: AdvancedClient[] = [];
  #verifier: AdvancedJwtVerifier;
  #tickTimer: TimerId | undefined;
  #ticks = 0;
  #closed = false;

  private constructor(options: CoinbaseAdvancedSimulatorOptions) {
    this.#options = options;
    const clock = this.#clock = options.clock ?? systemClock;
    this.#startMs = clock.now();
    this.#market = new AdvancedGenerator({
      products: options.products ?? DEFAULT_PRODUCTS,
      seed: options.seed ?? 1,
      startMs: this.#startMs,
      tradesPerSecond: options.tradesPerSecond ?? 5,
      publish: (channel, product, events) =>
        this.#fanout(channel, product, events),
    });
    this.#productIds = new Set(this.#market.products.keys());
    this.#verifier = new AdvancedJwtVerifier(
      options.apiKeys ?? [],
      () => clock.now(),
    );
    this.#server = Deno.serve({
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
      onListen: () => {},
    }, (req) => this.#accept(req));
    this.port = this.#server.addr.port;
    const host = this.#server.addr.hostname;
    this.url = `ws://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
    this.#scheduleTick();
  }

  /** Starts the market and the server (rejects if the port cannot be bound). */
  static start(
    options: CoinbaseAdvancedSimulatorOptions = {},
  ): Promise<CoinbaseAdvancedSimulator> {
    return new Promise((resolve) =>
      resolve(new CoinbaseAdvancedSimulator(options))
    );
  }

  /** Every connection since start, closed ones included. */
  clients(): ClientInfo[] {
    return this.#clients.map((c) => c.info());
  }

  /** Every bucket with trades, oldest first; the newest may still be open. */
  candles(product: string): Candle[] {
    return this.#market.product(product).candles.all();
  }

  /** Every trade generated since start, oldest first. */
  trades(product: string): AdvancedTrade[] {
    return this.#market.product(product).trades();
  }

  /** The current book, best first per side, as `[price, size]`. */
  book(
    product: string,
  ): { bids: [string, string][]; asks: [string, string][] } {
    return this.#market.product(product).book();
  }

  /** The current `ticker` object as it would be sent. */
  ticker(product: string): Record<string, string> {
    return this.#market.product(product).ticker();
  }

  /** The next `count` messages of each open connection consume sequence numbers but are not sent. */
  loseMessages(count: number): void {
    for (const c of this.#clients) if (c.open) c.messagesToLose += count;
  }

  /** Closes every client socket now (code 1011, "simulated drop"). */
  dropConnections(): void {
    for (const c of this.#clients) c.close(this.#clock, 1011, "simulated drop");
  }

  /** Stops trades, book changes, candle and ticker updates (after sending pending candle and batch updates). */
  pause(): void {
    this.#market.pause();
  }

  /** Restarts generation (no catch-up burst for the paused time). */
  resume(): void {
    this.#market.resume(this.#clock.now());
  }

  /** Stops timers, closes every socket (waiting at most 2 s) and shuts the server down. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#tickTimer !== undefined) {
      this.#clock.clearTimeout(this.#tickTimer);
    }
    const reason = "simulator shutting down";
    await closeClients(this.#clients, this.#clock, 1001, reason, 2000);
    await this.#server.shutdown();
  }

  /**
   * One timer drives everything, so simultaneous work has a fixed order:
   * trades first, then (every second) heartbeats and candles, then (every
   * 5 s) ticker_batch.
   */
  #scheduleTick(): void {
    this.#tickTimer = this.#clock.setTimeout(() => {
      if (this.#closed) return;
      this.#scheduleTick();
      const ticks = ++this.#ticks;
      this.#market.tick(this.#clock.now());
      if (ticks % (SECOND_MS / TICK_MS) === 0) {
        this.#heartbeats();
        this.#market.sendCandles(false);
      }
      if (ticks % (TICKER_BATCH_MS / TICK_MS) === 0) {
        this.#market.sendTickerBatch();
      }
    }, TICK_MS);
  }

  #accept(req: Request): Response {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json({
        venue: "coinbase_advanced",
        url: this.url,
        products: [...this.#productIds],
      });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const client = new AdvancedClient(this.#clients.length + 1, socket);
    this.#clients.push(client);
    const deadline = this.#options.subscribeDeadlineMs ?? 5000;
    client.deadlineTimer = this.#clock.setTimeout(() => {
      client.close(this.#clock, 1008, `no subscribe within ${deadline} ms`);
    }, deadline);
    socket.onopen = () => {
      if (this.#closed) client.close(this.#clock, 1001, "shutting down");
    };
    socket.onmessage = (e) => {
      client.queue = client.queue
        .then(() => this.#onMessage(client, e.data))
        .catch(() => {});
    };
    socket.onclose = (e) => client.markClosed(this.#clock, e);
    socket.onerror = () => {};
    return response;
  }

  async #onMessage(client: AdvancedClient, data: unknown): Promise<void> {
    if (client.closed) return;
    const received = parseJsonObject(data);
    if (received) client.received.push(received);
    const request = parseAdvancedRequest(data, this.#productIds);
    if (typeof request === "string") return this.#error(client, request);
    const { type, channel, productIds, jwt } = request;
    const subscribe = type === "subscribe";
    if (subscribe && (jwt !== undefined || this.#options.requireAuth)) {
      const verdict = jwt === undefined || !this.#verifier.hasKeys
        ? null
        : await this.#verifier.verify(jwt);
      // UNVERIFIED: the docs say an expired JWT makes requests
      // unauthenticated; the feed is known to answer "authentication
      // failure". The simulator refuses the whole subscribe.
      if (!verdict?.accepted) return this.#error(client, AUTH_FAILURE);
      client.authenticated = true;
    }
    if (client.closed) return;
    const added = client.apply(subscribe, channel, productIds);
    if (subscribe) {
      client.clearDeadline(this.#clock);
      const products = added.map((id) => this.#market.product(id));
      const events = snapshotEvents(channel, products, this.#clock.now());
      if (events) this.#send(client, WIRE_CHANNEL[channel] ?? channel, events);
    }
    this.#send(client, "subscriptions", [
      subscriptionsEvent(client.subscriptions),
    ]);
    const idleMs = this.#options.idleCloseMs ?? 90_000;
    client.armIdleClose(this.#clock, idleMs, () => {
      const reason = `idle for ${idleMs} ms without a heartbeats subscription`;
      client.close(this.#clock, 1000, reason);
    });
  }

  #error(client: AdvancedClient, message: string): void {
    this.#deliver(client, { type: "error", message });
  }

  /** Sends one enveloped message (unless a simulated loss swallows it). */
  #send(client: AdvancedClient, channel: string, events: Frame[]): void {
    if (!client.open) return;
    const frame = client.envelope(channel, events, this.#clock.now());
    if (frame) this.#deliver(client, frame);
  }

  /** The single exit for every frame: sends and records it. */
  #deliver(client: AdvancedClient, frame: Frame): void {
    if (!client.open) return;
    client.socket.send(JSON.stringify(frame));
    this.sent.push({ connection: client.id, frame });
    const max = this.#options.maxSent ?? 500_000;
    if (this.sent.length > max) this.sent.splice(0, Math.ceil(max / 4));
  }

  /** Sends `events` to every client subscribed to `channel` for `product`. */
  #fanout(channel: string, product: string, events: Frame[]): void {
    const wire = WIRE_CHANNEL[channel] ?? channel;
    for (const c of this.#clients) {
      if (c.subscriptions.get(channel)?.has(product)) {
        this.#send(c, wire, events);
      }
    }
  }

  #heartbeats(): void {
    const now = this.#clock.now();
    for (const c of this.#clients) {
      if (!c.open || !c.subscriptions.has("heartbeats")) continue;
      const time = heartbeatTime(now, this.#startMs);
      this.#send(c, "heartbeats", [c.heartbeatEvent(time)]);
    }
  }
}
