/**
 * The control protocol of Bybit's public streams (`/v5/public/{category}`):
 * `subscribe`, `unsubscribe` and `ping` with the per-category ack and pong
 * shapes of research §4.3, and the exchange's limits.
 *
 * - Spot acks `{"success":true,"ret_msg":"subscribe","conn_id":…,"op":"subscribe"}`
 *   with `req_id` only when the request had one; linear/inverse acks have
 *   `"ret_msg":""` and always a `req_id` (`""` when none was sent).
 * - Spot: more than 10 args → `"ret_msg":"args size >10"`, nothing subscribed.
 * - More than 21000 characters of args on one connection (the subscribed
 *   ones plus the request's new ones, valid or not) → failure, nothing
 *   subscribed. The text `"args length exceeds 21000"` is UNVERIFIED.
 * - A topic without a handler → `"error:handler not found,topic:<arg>"`
 *   (seen on the exchange); an unknown symbol → `"Invalid symbol :[<arg>]"`.
 *   Either makes the reply a failure carrying the first error, but the
 *   request's valid args are still subscribed (UNVERIFIED).
 * - An already subscribed topic is acked as success and not restarted: no
 *   second snapshot (UNVERIFIED).
 * - Non-JSON, a non-object, an unknown op or args that are not a string
 *   array → failure `"error:invalid op"` / `"error:invalid args"` in the
 *   ack shape (texts UNVERIFIED).
 *
 * @module
 */
import type { BybitConn, ConnHub } from "./bybit_hub.ts";
import type { BybitCategory } from "./bybit_symbols.ts";
import {
  handlerNotFound,
  invalidSymbol,
  parsePublicTopic,
  type PublicTopic,
} from "./bybit_topics.ts";

/** Spot's maximum args per subscribe request. */
export const MAX_SPOT_ARGS = 10;
/** Maximum total characters of args on one public connection. */
export const MAX_ARGS_CHARS = 21_000;

/** What the protocol needs from the simulator. */
export interface PublicContext {
  hub: ConnHub;
  category: BybitCategory;
  hasSymbol(symbol: string): boolean;
  /**
   * `conn` was just subscribed to `topic` (`first`: it is the topic's only
   * subscriber); returns the frame to send it after the ack (a snapshot),
   * or null.
   */
  subscribed(
    conn: BybitConn,
    topic: PublicTopic,
    name: string,
    first: boolean,
  ): string | null;
  /** Whether pings are answered. */
  pong(): boolean;
}

type Reply = { success: boolean; msg: string; op: string; reqId: unknown };

/** Handles one text frame from a public connection. */
export function handlePublic(
  ctx: PublicContext,
  conn: BybitConn,
  text: string,
): void {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return reply(ctx, conn, fail("error:invalid op", "", undefined));
  }
  const req = typeof msg === "object" && msg !== null && !Array.isArray(msg)
    ? msg as Record<string, unknown>
    : {};
  const op = typeof req.op === "string" ? req.op : "";
  const reqId = req.req_id;
  if (op === "ping") {
    ctx.hub.touch(conn);
    if (!ctx.pong()) return;
    return reply(ctx, conn, { success: true, msg: "pong", op, reqId });
  }
  if (op !== "subscribe" && op !== "unsubscribe") {
    return reply(ctx, conn, fail("error:invalid op", op, reqId));
  }
  const args = req.args;
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) {
    return reply(ctx, conn, fail("error:invalid args", op, reqId));
  }
  const ok = { success: true, msg: spot(ctx) ? op : "", op, reqId };
  if (op === "unsubscribe") {
    for (const arg of args) ctx.hub.unlink(conn, key(ctx, arg), arg);
    return reply(ctx, conn, ok);
  }
  subscribe(ctx, conn, args as string[], ok);
}

function subscribe(
  ctx: PublicContext,
  conn: BybitConn,
  args: string[],
  ok: Reply,
): void {
  if (spot(ctx) && args.length > MAX_SPOT_ARGS) {
    return reply(ctx, conn, { ...ok, success: false, msg: "args size >10" });
  }
  const fresh = [...new Set(args)].filter((a) => !conn.topics.has(a));
  const chars = [...conn.topics, ...fresh].reduce((n, a) => n + a.length, 0);
  if (chars > MAX_ARGS_CHARS) {
    const msg = `args length exceeds ${MAX_ARGS_CHARS}`;
    return reply(ctx, conn, { ...ok, success: false, msg });
  }
  const errors: string[] = [];
  const frames: string[] = [];
  for (const arg of fresh) {
    const topic = parsePublicTopic(arg);
    if (!topic) errors.push(handlerNotFound(arg));
    else if (!ctx.hasSymbol(topic.symbol)) errors.push(invalidSymbol(arg));
    else {
      const k = key(ctx, arg);
      const first = !ctx.hub.has(k);
      ctx.hub.link(conn, k, arg);
      const frame = ctx.subscribed(conn, topic, arg, first);
      if (frame) frames.push(frame);
    }
  }
  const [error] = errors;
  reply(
    ctx,
    conn,
    error === undefined ? ok : { ...ok, success: false, msg: error },
  );
  for (const frame of frames) ctx.hub.send(conn, frame);
}

function spot(ctx: PublicContext): boolean {
  return ctx.category === "spot";
}

function key(ctx: PublicContext, topic: string): string {
  return `${ctx.category}|${topic}`;
}

function fail(msg: string, op: string, reqId: unknown): Reply {
  return { success: false, msg, op, reqId };
}

/** Spot omits a missing `req_id`; linear and inverse send `""`. */
function reply(ctx: PublicContext, conn: BybitConn, r: Reply): void {
  const reqId = r.reqId === undefined && !spot(ctx) ? "" : r.reqId;
  const frame = {
    success: r.success,
    ret_msg: r.msg,
    conn_id: conn.connId,
    ...(reqId === undefined ? {} : { req_id: reqId }),
    op: r.op,
  };
  ctx.hub.send(conn, JSON.stringify(frame));
}
