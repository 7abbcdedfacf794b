/**
 * The connection side of the Bybit simulator: accepted WebSockets, their
 * records, topic subscriptions (one subscriber set per topic, shared by the
 * feeds) and fan-out, the 10-minute idle cut, drops and shutdown. The
 * control protocols live in `bybit_public_ws.ts` and `bybit_private_ws.ts`.
 *
 * The idle rule: a connection that neither sent a ping nor was sent any
 * data for `idleMs` (by `now()`) is closed by {@link ConnHub.closeIdle}
 * with code 1000 and reason "idle timeout" (code and reason UNVERIFIED).
 *
 * @module
 */
import type { BybitCategory } from "./bybit_symbols.ts";

/** One accepted connection, as recorded (live: fields change while it is open). */
export interface BybitClientRecord {
  /** 1-based, in accept order. */
  readonly id: number;
  /** Request path, e.g. `/v5/public/spot`. */
  readonly path: string;
  /** The public category, or `"private"`. */
  readonly category: BybitCategory | "private";
  /** Current topics in subscription order. */
  topics: string[];
  /** Every frame sent to the client (when recording). */
  readonly received: string[];
  /** Every frame the client sent (when recording). */
  readonly sent: string[];
  /** `now()` when accepted. */
  readonly openedAt: number;
  /** Whether the socket is closed. */
  closed: boolean;
  /** Whether a private connection authenticated. */
  authenticated: boolean;
}

/** A live connection. */
export interface BybitConn {
  readonly record: BybitClientRecord;
  /** The `conn_id` of its replies. */
  readonly connId: string;
  /** Subscribed topic names. */
  readonly topics: Set<string>;
  /** `now()` of the last ping received or frame sent. */
  lastActive: number;
  readonly socket: WebSocket;
}

/** Settings of a {@link ConnHub}. */
export interface ConnHubOptions {
  now: () => number;
  record: boolean;
  /** Beyond this many entries a history drops its oldest quarter. */
  maxRecorded: number;
  /** @default {600000} */
  idleMs?: number;
}

/**
 * Connections and subscriptions. Topic keys are `category|topic` (public)
 * and `private|topic`.
 *
 * @example Usage
 * ```ts ignore
 * const hub = new ConnHub({ now: Date.now, record: true, maxRecorded: 1e5 });
 * Deno.serve((req) => hub.accept(req, "/v5/public/spot", "spot", id, onText));
 * hub.fanout("spot|publicTrade.BTCUSDT", frame);
 * ```
 */
export class ConnHub {
  /** Every connection ever accepted. */
  readonly records: BybitClientRecord[] = [];
  #o: ConnHubOptions;
  #conns = new Set<BybitConn>();
  #subs = new Map<string, Set<BybitConn>>();
  #closing = false;

  constructor(options: ConnHubOptions) {
    this.#o = options;
  }

  /** Upgrades `req`; `onText` gets every text frame the client sends. */
  accept(
    req: Request,
    path: string,
    category: BybitCategory | "private",
    connId: string,
    onText: (conn: BybitConn, text: string) => void,
  ): Response {
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
    const now = this.#o.now();
    const record: BybitClientRecord = {
      id: this.records.length + 1,
      path,
      category,
      topics: [],
      received: [],
      sent: [],
      openedAt: now,
      closed: false,
      authenticated: false,
    };
    this.records.push(record);
    const conn: BybitConn = {
      record,
      connId,
      topics: new Set(),
      lastActive: now,
      socket,
    };
    socket.onopen = () => {
      if (this.#closing) return this.#close(conn, 1001, "shutting down");
      this.#conns.add(conn);
    };
    socket.onmessage = (e) => {
      const text = typeof e.data === "string"
        ? e.data
        : new TextDecoder().decode(e.data);
      this.#keep(record.sent, text);
      onText(conn, text);
    };
    socket.onclose = () => this.#detach(conn);
    socket.onerror = () => {};
    return response;
  }

  /** Open connections. */
  get open(): number {
    return this.#conns.size;
  }

  /** Whether topic `key` has a subscriber. */
  has(key: string): boolean {
    return (this.#subs.get(key)?.size ?? 0) > 0;
  }

  /** Subscribes `conn` to `topic` under `key`; false when it already was. */
  link(conn: BybitConn, key: string, topic: string): boolean {
    if (conn.topics.has(topic)) return false;
    conn.topics.add(topic);
    conn.record.topics = [...conn.topics];
    let set = this.#subs.get(key);
    if (!set) this.#subs.set(key, set = new Set());
    set.add(conn);
    return true;
  }

  /** Unsubscribes `conn` from `topic` under `key`. */
  unlink(conn: BybitConn, key: string, topic: string): void {
    if (!conn.topics.delete(topic)) return;
    conn.record.topics = [...conn.topics];
    const set = this.#subs.get(key);
    set?.delete(conn);
    if (set?.size === 0) this.#subs.delete(key);
  }

  /** Subscribers of `key` accepted by `filter`. */
  subscribers(key: string, filter?: (c: BybitConn) => boolean): BybitConn[] {
    const all = [...this.#subs.get(key) ?? []];
    return filter ? all.filter(filter) : all;
  }

  /** Sends `text` to every subscriber of `key`; returns how many got it. */
  fanout(key: string, text: string): number {
    const set = this.#subs.get(key);
    if (!set) return 0;
    for (const conn of set) this.send(conn, text);
    return set.size;
  }

  /** Sends `text` to every open connection. */
  broadcast(text: string): void {
    for (const conn of this.#conns) this.send(conn, text);
  }

  /** Sends `text` to `conn` (if open), records it and counts it as activity. */
  send(conn: BybitConn, text: string): void {
    if (conn.socket.readyState !== WebSocket.OPEN) return;
    conn.socket.send(text);
    conn.lastActive = this.#o.now();
    this.#keep(conn.record.received, text);
  }

  /** Counts a ping from `conn` as activity. */
  touch(conn: BybitConn): void {
    conn.lastActive = this.#o.now();
  }

  /** Closes connections idle for `idleMs` (see the module doc). */
  closeIdle(): void {
    const now = this.#o.now();
    const idleMs = this.#o.idleMs ?? 600_000;
    for (const conn of this.#conns) {
      if (now - conn.lastActive >= idleMs) {
        this.#close(conn, 1000, "idle timeout");
      }
    }
  }

  /** Closes every open connection (of `path`, if given) with 1001. */
  drop(path?: string): void {
    for (const conn of this.#conns) {
      if (path === undefined || conn.record.path === path) {
        this.#close(conn, 1001, "simulated drop");
      }
    }
  }

  /** Refuses new connections and closes open ones, waiting up to 2 s. */
  async shutdown(): Promise<void> {
    this.#closing = true;
    const closing = [...this.#conns].map((conn) =>
      new Promise<void>((resolve) => {
        conn.socket.addEventListener("close", () => resolve(), { once: true });
        this.#close(conn, 1001, "simulator shutting down");
      })
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise((resolve) => timer = setTimeout(resolve, 2000));
    await Promise.race([Promise.all(closing), limit]);
    clearTimeout(timer);
  }

  #close(conn: BybitConn, code: number, reason: string): void {
    this.#detach(conn);
    if (conn.socket.readyState < WebSocket.CLOSING) {
      conn.socket.close(code, reason);
    }
  }

  #detach(conn: BybitConn): void {
    conn.record.closed = true;
    if (!this.#conns.delete(conn)) return;
    for (const [key, set] of this.#subs) {
      set.delete(conn);
      if (set.size === 0) this.#subs.delete(key);
    }
  }

  #keep(list: string[], text: string): void {
    if (!this.#o.record) return;
    list.push(text);
    if (list.length > this.#o.maxRecorded) {
      list.splice(0, Math.ceil(this.#o.maxRecorded / 4));
    }
  }
}
