/**
 * A protocol-faithful Coinbase Exchange ws-feed simulator: `Deno.serve` plus
 * `Deno.upgradeWebSocket` over a {@link CoinbaseMarket}, with the public
 * channels (`heartbeat`, `ticker`, `matches`, `level2_batch`, `status`), the
 * subscribe deadline, `subscriptions` acks, `error` frames and fault
 * injection. The market keeps trading whether or not clients are connected.
 *
 * @module
 */
import { errorText } from "../core/error_text.ts";
import { CoinbaseMarket, type TradeBatch } from "./coinbase_market.ts";
import { type Frame, isRecord, parseChannels } from "./coinbase_subscribe.ts";
import { Prng } from "./prng.ts";

/** Options of {@link CoinbaseSimulator.start}. */
export interface CoinbaseSimulatorOptions {
  /** TCP port; 0 (default) picks an ephemeral one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  hostname?: string;
  /** Products traded (default `["BTC-USD", "ETH-USD"]`). */
  products?: string[];
  /** Trades per second per product (default 5); fractions accumulate. */
  tradesPerSecond?: number;
  /** Market seed (default 1). */
  seed?: number;
  /** Close clients that send no subscribe within this time (default 5000). */
  subscribeDeadlineMs?: number;
  /** Heartbeat cadence per subscribed product (default 1000). */
  heartbeatIntervalMs?: number;
  /** `level2_batch` batching interval (default 50). */
  l2BatchIntervalMs?: number;
  /**
   * Keep at most this many {@link CoinbaseSimulator.sent} records (default
   * 500 000); beyond it the oldest quarter is discarded, so a long-running
   * simulator does not grow without bound.
   */
  maxSent?: number;
  /**
   * Periodic faults for demos; each `*EveryMs` enables one fault (skip
   * skips 3 trades per product; a stall lasts `stallMs`, default 1000).
   */
  faults?: {
    dropEveryMs?: number;
    malformedEveryMs?: number;
    skipEveryMs?: number;
    stallEveryMs?: number;
    stallMs?: number;
  };
}

/** A frame actually sent to a client; `connection` is its 1-based serial. */
export interface SentFrame {
  connection: number;
  frame: Record<string, unknown>;
}

type Timer = ReturnType<typeof setTimeout>;
interface Client {
  id: number;
  socket: WebSocket;
  subs: Map<string, Set<string>>;
  deadline: Timer | undefined;
}

const TICK_MS = 10;
const MALFORMED = '{"type":"match","trade_id":42,"sequence":'; // truncated
const STATUS_EVERY_MS = 10_000;
/**
 * The simulator. Start with {@link CoinbaseSimulator.start}; always
 * {@link CoinbaseSimulator.close} it.
 *
 * @example Usage
 * ```ts
 * const sim = await CoinbaseSimulator.start({ products: ["BTC-USD"] });
 * const ws = new WebSocket(sim.url);
 * ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", product_ids: ["BTC-USD"], channels: ["matches"] }));
 * // ...
 * await sim.close();
 * ```
 */
export class CoinbaseSimulator {
  /** The bound TCP port. */
  readonly port: number;
  /** `ws://<hostname>:<port>`, e.g. `ws://127.0.0.1:53211`. */
  readonly url: string;
  /**
   * Every JSON frame actually sent, in send order: matches, tickers, l2,
   * heartbeats, status, acks, errors and injected unknown-type frames
   * (malformed text is not recorded). Frame objects are shared: read only.
   */
  readonly sent: SentFrame[] = [];
  /** Every JSON frame received from clients, in arrival order, with the client's number. */
  readonly received: { client: number; frame: unknown }[] = [];
  #server: Deno.HttpServer<Deno.NetAddr>;
  #market: CoinbaseMarket;
  #products: ReadonlySet<string>;
  #options: CoinbaseSimulatorOptions;
  #clients = new Set<Client>();
  #total = 0;
  #timers: Timer[] = [];
  #pending = new Map<string, number>(); // fractional trades per product
  #skip = new Map<string, number>();
  #lastTick = performance.now();
  #stalledUntil = 0;
  #paused = false;
  #closed = false;

  private constructor(options: CoinbaseSimulatorOptions) {
    this.#options = options;
    const products = options.products ?? ["BTC-USD", "ETH-USD"];
    const rng = new Prng(options.seed ?? 1);
    this.#market = new CoinbaseMarket({
      products,
      seed: options.seed ?? 1,
      startMs: Date.now(),
    });
    this.#products = new Set(products);
    for (const p of products) this.#pending.set(p, rng.next());
    this.#server = Deno.serve({
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
      onListen: () => {},
    }, (req) => this.#handle(req));
    this.port = this.#server.addr.port;
    const host = this.#server.addr.hostname;
    this.url = `ws://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
    const every = (ms: number | undefined, fn: () => void) => {
      if (ms !== undefined && ms > 0) this.#timers.push(setInterval(fn, ms));
    };
    every(TICK_MS, () => this.#tick());
    every(options.heartbeatIntervalMs ?? 1000, () => this.#heartbeats());
    every(options.l2BatchIntervalMs ?? 50, () => this.#l2Batches());
    every(
      STATUS_EVERY_MS,
      () => this.#fanout("status", null, [this.#market.status()]),
    );
    const faults = options.faults ?? {};
    every(faults.dropEveryMs, () => this.dropConnections());
    every(faults.malformedEveryMs, () => this.sendMalformed());
    every(faults.skipEveryMs, () => this.skipSequences(3));
    every(faults.stallEveryMs, () => this.stall(faults.stallMs ?? 1000));
  }

  /** Starts the market and the HTTP/WebSocket server (rejects if the port cannot be bound). */
  static start(
    options: CoinbaseSimulatorOptions = {},
  ): Promise<CoinbaseSimulator> {
    // Inside the executor, a bind failure becomes a rejection.
    return new Promise((resolve) => resolve(new CoinbaseSimulator(options)));
  }

  /** Currently open client sockets. */
  get connections(): number {
    return this.#clients.size;
  }

  /** Client sockets accepted since start. */
  get totalConnections(): number {
    return this.#total;
  }

  /** Forgets the recorded {@link sent} frames. */
  clearSent(): void {
    this.sent.length = 0;
  }

  /** Closes every client socket now with code 1011 ("simulated drop"). */
  dropConnections(): void {
    for (const c of this.#clients) this.#closeClient(c, 1011, "simulated drop");
  }

  /** Generates the next `count` trades per product without sending their match/ticker frames. */
  skipSequences(count: number): void {
    for (const p of this.#products) {
      this.#skip.set(p, (this.#skip.get(p) ?? 0) + count);
    }
  }

  /** Sends truncated JSON to every client. */
  sendMalformed(): void {
    for (const c of this.#clients) this.#send(c, null, MALFORMED);
  }

  /** Sends a valid JSON frame with an unknown `type` to every client. */
  sendUnknownType(): void {
    const frame = {
      type: "simulator_unknown",
      message: "clients must ignore unknown types",
    };
    for (const c of this.#clients) this.#send(c, frame);
  }

  /** Sends nothing to anyone for `ms` (frames produced meanwhile are lost). */
  stall(ms: number): void {
    this.#stalledUntil = Math.max(this.#stalledUntil, performance.now() + ms);
  }

  /** Stops trading: no new trades or tickers until {@link resume} (heartbeats go on). */
  pause(): void {
    this.#paused = true;
  }

  /** Trades again after {@link pause}. */
  resume(): void {
    this.#paused = false;
    this.#lastTick = performance.now();
  }

  /** Stops timers, closes every socket and shuts the server down. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    const closing = [...this.#clients].map((c) =>
      new Promise<void>((resolve) => {
        c.socket.addEventListener("close", () => resolve(), { once: true });
        this.#closeClient(c, 1001, "simulator shutting down");
      })
    );
    let timer: Timer | undefined;
    const limit = new Promise<void>((resolve) =>
      timer = setTimeout(resolve, 2000)
    );
    await Promise.race([Promise.all(closing), limit]);
    clearTimeout(timer);
    await this.#server.shutdown();
  }

  #handle(req: Request): Response {
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return this.#accept(req);
    }
    const url = new URL(req.url);
    const num = (name: string, fallback: number) =>
      Number(url.searchParams.get(name) ?? fallback) || fallback;
    if (req.method === "GET" && url.pathname === "/") {
      return Response.json({
        venue: "coinbase",
        url: this.url,
        products: [...this.#products],
        connections: this.connections,
        totalConnections: this.#total,
        tradesGenerated: this.#market.tradesGenerated,
      });
    }
    if (req.method === "GET" && url.pathname === "/products") {
      return Response.json([...this.#products].map((id) => {
        const [base, quote] = id.split("-");
        return {
          id,
          base_currency: base,
          quote_currency: quote,
          status: "online",
        };
      }));
    }
    const faults: Record<string, () => void> = {
      "/faults/drop": () => this.dropConnections(),
      "/faults/stall": () => this.stall(num("ms", 1000)),
      "/faults/skip": () => this.skipSequences(num("count", 10)),
      "/faults/malformed": () => this.sendMalformed(),
      "/faults/unknown": () => this.sendUnknownType(),
    };
    const fault = faults[url.pathname];
    if (!fault) return Response.json({ error: "not found" }, { status: 404 });
    if (req.method !== "POST") {
      return Response.json({ error: "use POST" }, { status: 405 });
    }
    fault();
    return Response.json({ ok: true, fault: url.pathname.slice(8) });
  }

  #accept(req: Request): Response {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const client: Client = {
      id: ++this.#total,
      socket,
      subs: new Map(),
      deadline: undefined,
    };
    socket.onopen = () => {
      if (this.#closed) {
        return this.#closeClient(client, 1001, "simulator shutting down");
      }
      this.#clients.add(client);
      const ms = this.#options.subscribeDeadlineMs ?? 5000;
      client.deadline = setTimeout(() => {
        this.#closeClient(client, 1008, `no subscribe message within ${ms} ms`);
      }, ms);
    };
    socket.onmessage = (e) => this.#onMessage(client, e.data);
    socket.onclose = () => {
      clearTimeout(client.deadline);
      this.#clients.delete(client);
    };
    socket.onerror = () => {};
    return response;
  }

  #closeClient(client: Client, code: number, reason: string): void {
    clearTimeout(client.deadline);
    this.#clients.delete(client);
    if (client.socket.readyState < WebSocket.CLOSING) {
      client.socket.close(code, reason);
    }
  }

  #onMessage(client: Client, data: unknown): void {
    let msg: unknown;
    try {
      if (typeof data !== "string") {
        throw new Error("binary frames are not supported");
      }
      msg = JSON.parse(data);
      this.received.push({ client: client.id, frame: msg });
    } catch (e) {
      return this.#error(
        client,
        "Malformed JSON",
        errorText(e),
      );
    }
    const type = isRecord(msg) ? msg["type"] : undefined;
    if (!isRecord(msg) || (type !== "subscribe" && type !== "unsubscribe")) {
      return this.#error(
        client,
        "Unsupported message type",
        `type ${JSON.stringify(type)} is not subscribe or unsubscribe`,
      );
    }
    const subscribe = type === "subscribe";
    if (subscribe) clearTimeout(client.deadline);
    if (!subscribe && msg["channels"] === undefined) {
      msg["channels"] = [...client.subs.keys()].filter((c) => c !== "status");
    }
    const parsed = parseChannels(msg, this.#products, subscribe);
    if (typeof parsed === "string") {
      return this.#error(client, `Failed to ${type}`, parsed);
    }
    const added: [string, string][] = [];
    for (const [channel, ids] of parsed) {
      const current = client.subs.get(channel) ?? new Set<string>();
      if (subscribe) {
        if (!client.subs.has(channel)) added.push([channel, ""]);
        for (const id of ids) if (!current.has(id)) added.push([channel, id]);
        ids.forEach((id) => current.add(id));
        client.subs.set(channel, current);
      } else {
        ids.forEach((id) => current.delete(id));
        if (ids.length === 0 || current.size === 0) client.subs.delete(channel);
      }
    }
    const channels = [...client.subs].map(([name, ids]) => ({
      name,
      product_ids: [...ids],
    }));
    this.#send(client, { type: "subscriptions", channels });
    for (const [channel, id] of added) {
      if (channel === "matches" && id) {
        this.#send(client, JSON.parse(this.#market.lastMatch(id)));
      }
      if (channel === "level2_batch" && id) {
        this.#send(client, JSON.parse(this.#market.snapshot(id)));
      }
      if (channel === "status" && !id) {
        this.#send(client, JSON.parse(this.#market.status()));
      }
    }
  }

  #error(client: Client, message: string, reason: string): void {
    this.#send(client, { type: "error", message, reason });
  }

  /** The single exit for every frame: honours stalls and records JSON frames. */
  #send(client: Client, frame: Frame | null, text?: string): void {
    if (performance.now() < this.#stalledUntil) return;
    if (client.socket.readyState !== WebSocket.OPEN) return;
    client.socket.send(text ?? JSON.stringify(frame));
    if (!frame) return;
    this.sent.push({ connection: client.id, frame });
    const max = this.#options.maxSent ?? 500_000;
    if (this.sent.length > max) this.sent.splice(0, Math.ceil(max / 4));
  }

  /** Sends JSON `texts` to every client subscribed to `channel` (and `product`). */
  #fanout(
    channel: string,
    product: string | null,
    texts: (string | Frame)[],
  ): void {
    const targets = [...this.#clients].filter((c) => {
      const ids = c.subs.get(channel);
      return ids !== undefined && (product === null || ids.has(product));
    });
    if (targets.length === 0 || texts.length === 0) return;
    for (const item of texts) {
      const text = typeof item === "string" ? item : JSON.stringify(item);
      const frame: Frame = typeof item === "string" ? JSON.parse(item) : item;
      for (const c of targets) this.#send(c, frame, text);
    }
  }

  #tick(): void {
    if (this.#paused) return;
    const now = performance.now();
    const elapsed = Math.min(now - this.#lastTick, 1000);
    this.#lastTick = now;
    const rate = this.#options.tradesPerSecond ?? 5;
    for (const [product, pending] of this.#pending) {
      const due = pending + (rate * elapsed) / 1000;
      const count = Math.floor(due);
      this.#pending.set(product, due - count);
      if (count > 0) {
        this.#publish(
          product,
          this.#market.trades(product, count, performance.timeOrigin + now),
        );
      }
    }
  }

  #publish(product: string, batch: TradeBatch): void {
    const skip = Math.min(this.#skip.get(product) ?? 0, batch.matches.length);
    if (skip > 0) {
      this.#skip.set(product, (this.#skip.get(product) ?? 0) - skip);
    }
    const matches = batch.matches.slice(skip);
    if (matches.length === 0 || !batch.ticker) return;
    this.#fanout("matches", product, matches);
    this.#fanout("ticker", product, [batch.ticker]);
  }

  #heartbeats(): void {
    const now = performance.timeOrigin + performance.now();
    for (const product of this.#products) {
      this.#fanout("heartbeat", product, [
        this.#market.heartbeat(product, now),
      ]);
    }
  }

  #l2Batches(): void {
    for (const product of this.#products) {
      const batch = this.#market.l2Batch(product);
      if (batch) this.#fanout("level2_batch", product, [batch]);
    }
  }
}
