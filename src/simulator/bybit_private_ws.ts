/**
 * The control protocol of Bybit's private stream (`/v5/private`): `auth`,
 * `subscribe`, `unsubscribe` and `ping` (research §4.5). Frames of one
 * connection are handled in order (auth is asynchronous: WebCrypto).
 *
 * - Auth success `{"success":true,"ret_msg":"","op":"auth","conn_id":…}`;
 *   a bad signature, an expired `expires` or malformed args →
 *   `"ret_msg":"Params Error"`; an unknown key → `"API key is invalid."`;
 *   a second auth after success → `"Repeat auth"` (all three failure texts
 *   UNVERIFIED).
 * - Subscribing before a successful auth → `"Request not authorized"`
 *   (UNVERIFIED), nothing subscribed.
 * - Mixing all-in-one (`order`) and categorised (`order.spot`) topics in
 *   one request fails, nothing subscribed (documented; the text
 *   `"error:all-in-one and categorised topics cannot be mixed"` is
 *   UNVERIFIED). Unknown topics fail like on the public streams.
 * - Ping → `{"req_id":…,"op":"pong","args":["<now ms>"],"conn_id":…}`
 *   (`req_id` only when sent).
 * - `req_id`, when sent, is echoed first in every reply.
 *
 * @module
 */
import type { PrivateEvent } from "./bybit_account.ts";
import { type BybitApiKey, verifyWsAuth } from "./bybit_auth.ts";
import type { BybitConn, ConnHub } from "./bybit_hub.ts";
import type { PrivatePayload } from "./bybit_private_payloads.ts";
import { handlerNotFound, parsePrivateTopic } from "./bybit_topics.ts";
import type { Prng } from "./prng.ts";

/** A private frame as sent: the `{id, topic, creationTime, data}` envelope. */
export interface BybitPrivateFrame {
  id: string;
  topic: string;
  creationTime: number;
  data: PrivatePayload[];
}

/** What the protocol needs from the simulator. */
export interface PrivateContext {
  hub: ConnHub;
  keys: readonly BybitApiKey[];
  now(): number;
  /** Whether pings are answered. */
  pong(): boolean;
  /** Keep {@link PrivateProtocol.frames}. */
  record: boolean;
  /** Beyond this many frames the oldest quarter is dropped. */
  maxRecorded: number;
}

const AUTH_ERRORS: Record<string, string> = {
  "bad-params": "Params Error",
  "expired": "Params Error",
  "bad-signature": "Params Error",
  "unknown-key": "API key is invalid.",
};

/**
 * Serializes the handling of each connection's frames.
 *
 * @example Usage
 * ```ts ignore
 * const handler = new PrivateProtocol(ctx);
 * hub.accept(req, "/v5/private", "private", connId, (c, t) => handler.handle(c, t));
 * ```
 */
export class PrivateProtocol {
  /** Every private frame sent to at least one client (when recording). */
  readonly frames: BybitPrivateFrame[] = [];
  #ctx: PrivateContext;
  #queues = new WeakMap<BybitConn, Promise<void>>();

  constructor(ctx: PrivateContext) {
    this.#ctx = ctx;
  }

  /** Queues one text frame from `conn`. */
  handle(conn: BybitConn, text: string): void {
    const before = this.#queues.get(conn) ?? Promise.resolve();
    this.#queues.set(
      conn,
      before.then(() => this.#handle(conn, text)).catch(() => {}),
    );
  }

  /**
   * Pushes account events: each to the subscribers of its all-in-one topic
   * (`order`) and of its categorised one (`order.spot`), as separate frames.
   */
  emit(events: readonly PrivateEvent[]): void {
    const ctx = this.#ctx;
    const now = ctx.now();
    for (const e of events) {
      const topics = e.category === null
        ? [e.family]
        : [e.family, `${e.family}.${e.category}`];
      for (const topic of topics) {
        const key = `private|${topic}`;
        if (!ctx.hub.has(key)) continue;
        const frame = { id: e.id, topic, creationTime: now, data: e.data };
        ctx.hub.fanout(key, JSON.stringify(frame));
        if (!ctx.record) continue;
        this.frames.push(frame);
        if (this.frames.length > ctx.maxRecorded) {
          this.frames.splice(0, Math.ceil(ctx.maxRecorded / 4));
        }
      }
    }
  }

  async #handle(conn: BybitConn, text: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.#reply(conn, false, "error:invalid op", "", undefined);
    }
    const req = typeof msg === "object" && msg !== null && !Array.isArray(msg)
      ? msg as Record<string, unknown>
      : {};
    const op = typeof req.op === "string" ? req.op : "";
    const reqId = req.req_id;
    const ctx = this.#ctx;
    switch (op) {
      case "ping": {
        ctx.hub.touch(conn);
        if (!ctx.pong()) return;
        const frame = {
          ...(reqId === undefined ? {} : { req_id: reqId }),
          op: "pong",
          args: [String(ctx.now())],
          conn_id: conn.connId,
        };
        return ctx.hub.send(conn, JSON.stringify(frame));
      }
      case "auth": {
        if (conn.record.authenticated) {
          return this.#reply(conn, false, "Repeat auth", op, reqId);
        }
        const result = await verifyWsAuth(ctx.keys, req.args, ctx.now());
        if (result === "ok") conn.record.authenticated = true;
        return this.#reply(
          conn,
          result === "ok",
          AUTH_ERRORS[result] ?? "",
          op,
          reqId,
        );
      }
      case "subscribe":
      case "unsubscribe":
        return this.#subscription(conn, op, req.args, reqId);
      default:
        return this.#reply(conn, false, "error:invalid op", op, reqId);
    }
  }

  #subscription(
    conn: BybitConn,
    op: "subscribe" | "unsubscribe",
    args: unknown,
    reqId: unknown,
  ): void {
    const hub = this.#ctx.hub;
    if (!conn.record.authenticated) {
      return this.#reply(conn, false, "Request not authorized", op, reqId);
    }
    if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) {
      return this.#reply(conn, false, "error:invalid args", op, reqId);
    }
    const names = args as string[];
    if (op === "unsubscribe") {
      for (const name of names) hub.unlink(conn, `private|${name}`, name);
      return this.#reply(conn, true, "", op, reqId);
    }
    const parsed = names.map((name) => ({
      name,
      topic: parsePrivateTopic(name),
    }));
    const scoped = (all: boolean) =>
      parsed.some((p) =>
        p.topic && p.topic.family !== "wallet" &&
        (p.topic.category === null) === all
      );
    if (scoped(true) && scoped(false)) {
      const msg = "error:all-in-one and categorised topics cannot be mixed";
      return this.#reply(conn, false, msg, op, reqId);
    }
    let error: string | undefined;
    for (const { name, topic } of parsed) {
      if (topic) hub.link(conn, `private|${name}`, name);
      else error ??= handlerNotFound(name);
    }
    this.#reply(conn, error === undefined, error ?? "", op, reqId);
  }

  #reply(
    conn: BybitConn,
    success: boolean,
    msg: string,
    op: string,
    reqId: unknown,
  ): void {
    const frame = {
      ...(reqId === undefined ? {} : { req_id: reqId }),
      success,
      ret_msg: msg,
      op,
      conn_id: conn.connId,
    };
    this.#ctx.hub.send(conn, JSON.stringify(frame));
  }
}

/** A private `conn_id` in Bybit's style, e.g. `cejreaspqfh3sjdnldmg-p`. */
export function privateConnId(rng: Prng): string {
  const chars = "0123456789abcdefghijklmnopqrstuv";
  let id = "";
  for (let i = 0; i < 20; i++) id += chars[rng.int(0, 31)];
  const tail = rng.chance(0.5) ? chars[rng.int(0, 31)] : "";
  return `${id}-${chars[rng.int(10, 31)]}${tail}`;
}
