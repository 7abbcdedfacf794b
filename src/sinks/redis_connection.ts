/**
 * One RESP2 connection to Redis over `Deno.connect` / `Deno.connectTls`, for
 * the Redis Streams sink: a handshake (AUTH, SELECT, CLIENT SETNAME, PING),
 * then pipelines written as one buffer whose replies are read in order. No
 * reconnect loop: after a connection-level failure it is unusable and the
 * owner opens a new one.
 *
 * @module
 */

import { errorText } from "../core/error_text.ts";
import { REDIS_TIMEOUT_MS } from "./redis_client.ts";
import {
  INCOMPLETE,
  RedisReplyError,
  type Reply,
  RespReader,
} from "./resp_reader.ts";
import { RespWriter } from "./resp_writer.ts";
import type { RedisConnectionOptions } from "./redis_connection_options.ts";

/** AUTH refusals that only mean the server has no password set. */
const NO_PASSWORD = /no password is set|without any password configured/i;

/** A connection-level failure; the message never holds credentials. */
export class RedisConnectionError extends Error {
  /**
   * @param address `host:port` of the server
   * @param message what failed
   */
  constructor(readonly address: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RedisConnectionError";
  }
}

interface Pending {
  count: number;
  replies: Reply[];
  resolve: (replies: Reply[]) => void;
  reject: (error: Error) => void;
}

const READ_BUFFER = 64 * 1024;

/** Opens the TCP or TLS socket, giving up when `signal` aborts. */
async function connectSocket(
  o: RedisConnectionOptions,
  signal: AbortSignal,
): Promise<Deno.Conn> {
  if (o.tls === undefined) {
    return await Deno.connect({ hostname: o.host, port: o.port, signal });
  }
  // connectTls takes no signal: race it, and close a socket that comes late.
  const connecting = Deno.connectTls({ hostname: o.host, port: o.port });
  const aborted = new Promise<never>((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });
  try {
    return await Promise.race([connecting, aborted]);
  } catch (e) {
    connecting.then((c) => c.close(), () => {});
    throw e;
  }
}

/**
 * A RESP2 connection that runs one pipeline at a time.
 *
 * @example Usage
 * ```ts
 * const conn = await RedisConnection.open({ host: "127.0.0.1", port: 6379, db: 0 });
 * const [id] = await conn.pipeline([["XADD", "k", "*", "f", "v"]]);
 * await conn.close();
 * ```
 */
export class RedisConnection {
  readonly #conn: Deno.Conn;
  readonly #address: string;
  readonly #reader = new RespReader();
  readonly #writer = new RespWriter(4096);
  #pending: Pending | undefined;
  #failure: RedisConnectionError | undefined;
  #closed = false;

  private constructor(conn: Deno.Conn, address: string) {
    this.#conn = conn;
    this.#address = address;
    void this.#readLoop();
  }

  /**
   * Connects and runs the handshake; rejects with
   * {@link RedisConnectionError} (reply errors of AUTH and SELECT included).
   */
  static async open(options: RedisConnectionOptions): Promise<RedisConnection> {
    const address = `${options.host}:${options.port}`;
    const ms = options.connectTimeoutMs ?? REDIS_TIMEOUT_MS;
    const signal = AbortSignal.timeout(ms);
    let conn: Deno.Conn;
    try {
      conn = await connectSocket(options, signal);
    } catch (e) {
      const why = signal.aborted ? `timed out after ${ms} ms` : errorText(e);
      throw new RedisConnectionError(address, `connect ${address}: ${why}`, e);
    }
    if (options.tls === undefined) (conn as Deno.TcpConn).setNoDelay(true);
    const connection = new RedisConnection(conn, address);
    const timer = setTimeout(
      () => connection.#fail(`handshake timed out after ${ms} ms`),
      ms,
    );
    try {
      await connection.#handshake(options);
    } catch (e) {
      connection.#fail(errorText(e));
      throw e instanceof RedisConnectionError
        ? e
        : new RedisConnectionError(address, errorText(e), e);
    } finally {
      clearTimeout(timer);
    }
    return connection;
  }

  /** `host:port` of the server. */
  get address(): string {
    return this.#address;
  }

  /** False after a connection-level failure or {@link close}. */
  get usable(): boolean {
    return this.#failure === undefined && !this.#closed;
  }

  /**
   * Sends commands as one write; resolves with their replies in order
   * (error replies as {@link RedisReplyError} values). Rejects with
   * {@link RedisConnectionError} on a connection-level failure (the
   * connection is then unusable), or when a pipeline is already running.
   */
  pipeline(commands: readonly (readonly string[])[]): Promise<Reply[]> {
    // The writer's buffer may still be being written by the running one.
    const busy = this.#busy();
    if (busy !== undefined) return Promise.reject(busy);
    const w = this.#writer;
    w.reset();
    for (let i = 0; i < commands.length; i++) w.command(commands[i]!);
    return this.send(w.bytes(), commands.length);
  }

  /**
   * Writes `count` commands already encoded (by a {@link RespWriter}) and
   * resolves with their replies, like {@link pipeline}. `bytes` must not
   * change until the promise settles.
   */
  send(bytes: Uint8Array, count: number): Promise<Reply[]> {
    const busy = this.#busy();
    if (busy !== undefined) return Promise.reject(busy);
    if (count === 0) return Promise.resolve([]);
    const { promise, resolve, reject } = Promise.withResolvers<Reply[]>();
    this.#pending = { count, replies: new Array<Reply>(), resolve, reject };
    this.#writeAll(bytes).catch((e) => this.#fail(`write: ${errorText(e)}`, e));
    return promise;
  }

  /** Why no pipeline can start now, if so. */
  #busy(): RedisConnectionError | undefined {
    if (this.#failure !== undefined) return this.#failure;
    if (this.#closed) return this.#error("connection closed");
    if (this.#pending !== undefined) {
      return this.#error("a pipeline is already running");
    }
    return undefined;
  }

  /** Sends QUIT (best effort, briefly awaited) and closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.usable && this.#pending === undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          this.pipeline([["QUIT"]]),
          new Promise((r) => timer = setTimeout(r, 1000)),
        ]);
      } catch {
        // closing anyway
      } finally {
        clearTimeout(timer);
      }
    }
    this.#closed = true;
    this.#fail("connection closed");
  }

  /** Closes the socket at once (no QUIT); a running pipeline rejects. */
  abort(): void {
    this.#closed = true;
    this.#fail("connection aborted");
  }

  async #handshake(o: RedisConnectionOptions): Promise<void> {
    const commands: string[][] = [];
    if (o.password !== undefined) {
      commands.push(
        o.username === undefined
          ? ["AUTH", o.password]
          : ["AUTH", o.username, o.password],
      );
    }
    if (o.db !== 0) commands.push(["SELECT", String(o.db)]);
    if (o.connectionName !== undefined) {
      commands.push(["CLIENT", "SETNAME", o.connectionName]);
    }
    commands.push(["PING"]);
    const replies = await this.pipeline(commands);
    // Only AUTH and SELECT errors matter: SETNAME may be refused by an ACL,
    // and an error reply to PING (e.g. NOPERM) still proves Redis answers.
    let i = 0;
    if (o.password !== undefined) {
      const auth = replies[i++];
      // A password given to a Redis that has none: Redis refuses AUTH but
      // serves the connection; ioredis (and so `tickgate tail`) carries on.
      if (
        !(auth instanceof RedisReplyError && NO_PASSWORD.test(auth.message))
      ) {
        this.#check("AUTH", auth);
      }
    }
    if (o.db !== 0) this.#check(`SELECT ${o.db}`, replies[i++]);
  }

  #check(what: string, reply: Reply | undefined): void {
    if (reply instanceof RedisReplyError) {
      throw this.#error(`${what}: ${reply.message}`);
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      at += await this.#conn.write(at === 0 ? bytes : bytes.subarray(at));
    }
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(READ_BUFFER);
    for (;;) {
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } catch (e) {
        this.#fail(`read: ${errorText(e)}`, e);
        return;
      }
      if (n === null) {
        this.#fail("connection closed by the server");
        return;
      }
      if (this.#failure !== undefined) return;
      this.#reader.push(buf.subarray(0, n));
      try {
        this.#deliver();
      } catch (e) {
        this.#fail(errorText(e), e);
        return;
      }
    }
  }

  /** Hands complete replies to the running pipeline. */
  #deliver(): void {
    const p = this.#pending;
    if (p === undefined) throw this.#error("reply without a command");
    const replies = p.replies;
    while (replies.length < p.count) {
      const r = this.#reader.next();
      if (r === INCOMPLETE) return;
      replies.push(r);
    }
    if (this.#reader.buffered > 0) {
      throw this.#error("more replies than commands");
    }
    this.#pending = undefined;
    p.resolve(replies);
  }

  /** Makes the connection unusable, rejects the pipeline, closes the socket. */
  #fail(message: string, cause?: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = this.#error(message, cause);
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(this.#failure);
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  #error(message: string, cause?: unknown): RedisConnectionError {
    return new RedisConnectionError(this.#address, message, cause);
  }
}
