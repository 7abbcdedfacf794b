/**
 * The WebSocket side of the Binance simulator: accepting `/stream` and `/ws`
 * connections, control requests, per-connection subscriptions, Binance's
 * limits, and fan-out of each payload (serialized once, wrapped once) to
 * every subscribed connection.
 *
 * Limits and their simulated form:
 * - More than `maxMessagesPerSecond` incoming text/binary messages within
 *   any 1 s (by `now()`) closes the connection (1008, "too many messages").
 *   Binance also counts ping and pong frames; Deno's server socket does not
 *   expose them, so they are not counted here.
 * - At most `maxStreamsPerConnection` streams. The docs do not say what
 *   happens beyond it; here streams are added in order up to the cap, the
 *   excess is not subscribed, and instead of the `result:null` ack the
 *   client gets `{"code":2,"msg":"Invalid request: too many streams: ...","id":...}`
 *   (`id` null for streams named in the URL).
 * - Connections older than `maxConnectionAgeMs` by `now()` are closed
 *   (1000, "connection age limit reached") by {@link StreamHub.checkAges}.
 * - Pings are Deno's: `Deno.upgradeWebSocket(req, { idleTimeout })`
 *   (seconds) sends a ping after `idleTimeout / 2` without an incoming
 *   message or pong, and closes the socket (1001, "No response from ping
 *   frame.") when nothing arrives within another `idleTimeout / 2`. The hub
 *   passes `idleTimeout = 2 * pingIntervalMs`: a silent client is pinged
 *   every `pingIntervalMs` and must answer within `pingIntervalMs` (Binance:
 *   every 20 s, answer within 1 min). A client that keeps sending messages
 *   is not pinged at all, unlike on Binance.
 *
 * @module
 */
import {
  type ErrorFrame,
  parseControl,
  parseStream,
  type RequestId,
  type StreamSpec,
} from "./binance_streams.ts";

/** One accepted connection, as recorded (live: fields change while it is open). */
export interface BinanceClientRecord {
  /** 1-based, in accept order. */
  readonly id: number;
  /** Request path and query, e.g. `/stream?streams=btcusdt@trade`. */
  readonly path: string;
  /** Current streams in subscription order (the last ones, once closed). */
  streams: readonly string[];
  /** `now()` when accepted. */
  readonly openedAt: number;
  /** Every text frame sent to it (when recording), with `now()`. */
  readonly received: { at: number; text: string }[];
  /** Set once closed: the close the simulator sent, else the one it got. */
  closed?: { code: number; reason: string };
}

/** Settings of a {@link StreamHub}. */
export interface HubOptions {
  now: () => number;
  maxMessagesPerSecond: number;
  maxStreamsPerConnection: number;
  maxConnectionAgeMs: number;
  /** 0 disables pings. */
  pingIntervalMs: number;
  record: boolean;
  /** Beyond this many `received` entries the oldest quarter is dropped. */
  maxRecorded: number;
  /** Whether a parsed stream delivers anything (known, trading symbol). */
  serves(spec: StreamSpec): boolean;
  /** A stream got its first subscriber (`open`) or lost its last one. */
  onStream(name: string, spec: StreamSpec, open: boolean): void;
}

/** A stream with at least one subscriber. `skip` drops that many next events. */
export interface StreamEntry {
  readonly name: string;
  readonly spec: StreamSpec;
  skip: number;
}

interface Conn {
  record: BinanceClientRecord;
  socket: WebSocket;
  streams: Set<string>;
  combined: boolean;
  times: number[];
}
interface Entry extends StreamEntry {
  conns: Set<Conn>;
}

/**
 * Connections and subscriptions of the simulator.
 *
 * @example Usage
 * ```ts ignore
 * const hub = new StreamHub(options);
 * Deno.serve((req) => hub.accept(req, new URL(req.url)));
 * for (const entry of hub.streams.values()) hub.emit(entry, payload);
 * ```
 */
export class StreamHub {
  /** Every connection ever accepted. */
  readonly records: BinanceClientRecord[] = [];
  /** Streams with subscribers, by name. */
  readonly streams: ReadonlyMap<string, StreamEntry>;
  #o: HubOptions;
  #entries = new Map<string, Entry>();
  #conns = new Set<Conn>();
  #closing = false;

  constructor(options: HubOptions) {
    this.#o = options;
    this.streams = this.#entries;
  }

  /** Open connections. */
  get open(): number {
    return this.#conns.size;
  }

  /** Upgrades `/stream?streams=a/b` (combined) or `/ws/<a>/<b>` (raw); 404 otherwise. */
  accept(req: Request, url: URL): Response {
    const raw = url.pathname === "/ws" || url.pathname.startsWith("/ws/");
    if (!raw && url.pathname !== "/stream") {
      return new Response("Not found", { status: 404 });
    }
    let list = url.searchParams.get("streams") ?? "";
    try {
      if (raw) list = decodeURIComponent(url.pathname.slice(4));
    } catch {
      return new Response("Malformed URL", { status: 400 });
    }
    const names = list.split("/").filter(Boolean);
    const ping = this.#o.pingIntervalMs;
    const { socket, response } = Deno.upgradeWebSocket(req, {
      idleTimeout: ping > 0 ? (2 * ping) / 1000 : 0,
    });
    const record: BinanceClientRecord = {
      id: this.records.length + 1,
      path: url.pathname + url.search,
      streams: [],
      openedAt: this.#o.now(),
      received: [],
    };
    this.records.push(record);
    const c: Conn = {
      record,
      socket,
      streams: new Set(),
      combined: !raw,
      times: [],
    };
    socket.onopen = () => {
      if (this.#closing) {
        return this.#close(c, 1001, "simulator shutting down");
      }
      this.#conns.add(c);
      const refused = this.#subscribe(c, names);
      if (refused > 0) this.#reply(c, this.#tooMany(refused, null));
    };
    socket.onmessage = (e) => this.#onMessage(c, e.data);
    socket.onclose = (e) => {
      c.record.closed ??= { code: e.code, reason: e.reason };
      this.#detach(c);
    };
    socket.onerror = () => {};
    return response;
  }

  /** Sends `payload` to every subscriber of `entry`: JSON built once, wrapped once. */
  emit(entry: StreamEntry, payload: unknown): void {
    const data = JSON.stringify(payload);
    let wrapped: string | undefined;
    for (const c of (entry as Entry).conns) {
      const text = c.combined
        ? wrapped ??= `{"stream":"${entry.name}","data":${data}}`
        : data;
      this.#send(c, text);
    }
  }

  /** Sends `text(combined)` to every open connection. */
  broadcast(text: (combined: boolean) => string): void {
    for (const c of this.#conns) this.#send(c, text(c.combined));
  }

  /** Closes every open connection with `code` and `reason`. */
  closeAll(code: number, reason: string): void {
    for (const c of this.#conns) this.#close(c, code, reason);
  }

  /** Closes connections older than `maxConnectionAgeMs`. */
  checkAges(): void {
    const now = this.#o.now();
    for (const c of this.#conns) {
      if (now - c.record.openedAt >= this.#o.maxConnectionAgeMs) {
        this.#close(c, 1000, "connection age limit reached");
      }
    }
  }

  /** Refuses new connections and closes open ones, waiting up to 2 s for them. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    const closing = [...this.#conns].map((c) =>
      new Promise<void>((resolve) => {
        c.socket.addEventListener("close", () => resolve(), { once: true });
        this.#close(c, 1001, "simulator shutting down");
      })
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise((resolve) => timer = setTimeout(resolve, 2000));
    await Promise.race([Promise.all(closing), limit]);
    clearTimeout(timer);
  }

  #onMessage(c: Conn, data: unknown): void {
    const now = this.#o.now();
    c.times.push(now);
    while ((c.times[0] as number) <= now - 1000) c.times.shift();
    if (c.times.length > this.#o.maxMessagesPerSecond) {
      return this.#close(c, 1008, "too many messages");
    }
    const req = typeof data === "string"
      ? parseControl(data)
      : { code: 3, msg: "Invalid JSON: expected value at line 1 column 1" };
    if ("code" in req) return this.#reply(c, req);
    const { id } = req;
    switch (req.method) {
      case "SUBSCRIBE": {
        const refused = this.#subscribe(c, req.params);
        return this.#reply(
          c,
          refused ? this.#tooMany(refused, id) : { result: null, id },
        );
      }
      case "UNSUBSCRIBE":
        for (const name of req.params) {
          if (c.streams.delete(name)) this.#unlink(c, name);
        }
        c.record.streams = [...c.streams];
        return this.#reply(c, { result: null, id });
      case "LIST_SUBSCRIPTIONS":
        return this.#reply(c, { result: [...c.streams], id });
      case "SET_PROPERTY":
        c.combined = req.value;
        return this.#reply(c, { result: null, id });
      case "GET_PROPERTY":
        return this.#reply(c, { result: c.combined, id });
    }
  }

  #tooMany(refused: number, id: RequestId): ErrorFrame {
    const max = this.#o.maxStreamsPerConnection;
    return {
      code: 2,
      msg:
        `Invalid request: too many streams: at most ${max} per connection; ${refused} not subscribed`,
      id,
    };
  }

  /** Adds streams in order up to the cap; returns how many were refused. */
  #subscribe(c: Conn, names: string[]): number {
    let refused = 0;
    for (const name of names) {
      if (c.streams.has(name)) continue;
      if (c.streams.size >= this.#o.maxStreamsPerConnection) {
        refused++;
        continue;
      }
      c.streams.add(name);
      const spec = parseStream(name);
      if (!spec || !this.#o.serves(spec)) continue;
      let entry = this.#entries.get(name);
      if (!entry) {
        entry = { name, spec, conns: new Set(), skip: 0 };
        this.#entries.set(name, entry);
        this.#o.onStream(name, spec, true);
      }
      entry.conns.add(c);
    }
    c.record.streams = [...c.streams];
    return refused;
  }

  #unlink(c: Conn, name: string): void {
    const entry = this.#entries.get(name);
    if (!entry?.conns.delete(c) || entry.conns.size > 0) return;
    this.#entries.delete(name);
    this.#o.onStream(name, entry.spec, false);
  }

  #detach(c: Conn): void {
    if (!this.#conns.delete(c)) return;
    for (const name of c.streams) this.#unlink(c, name);
  }

  #close(c: Conn, code: number, reason: string): void {
    c.record.closed ??= { code, reason };
    this.#detach(c);
    if (c.socket.readyState < WebSocket.CLOSING) c.socket.close(code, reason);
  }

  #reply(c: Conn, frame: unknown): void {
    this.#send(c, JSON.stringify(frame));
  }

  #send(c: Conn, text: string): void {
    if (c.socket.readyState !== WebSocket.OPEN) return;
    c.socket.send(text);
    if (!this.#o.record) return;
    const received = c.record.received;
    received.push({ at: this.#o.now(), text });
    const max = this.#o.maxRecorded;
    if (received.length > max) received.splice(0, Math.ceil(max / 4));
  }
}
