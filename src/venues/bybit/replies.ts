/**
 * Bybit replies to `op` requests: subscribe/unsubscribe acks (matched to
 * their request by `req_id`; spot acks say `ret_msg:"subscribe"`, linear and
 * inverse `ret_msg:""`), pongs in every documented shape, and the private
 * stream's `auth` answer. A refused subscription is kept per topic with the
 * venue's `ret_msg` (shown in /stats) and reported as an `error` event; a
 * refused `auth` makes the frame `"unauthorized"`, so the gateway stops the
 * connection from retrying for a long while.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import type { Json } from "../fields.ts";
import type { PendingRequests } from "../pending_requests.ts";
import { reportVenueError } from "../report.ts";

/** A subscribe or unsubscribe request, as registered by the protocol. */
export interface BybitRequest {
  op: "subscribe" | "unsubscribe";
  args: readonly string[];
}

/** Options of {@link BybitReplies}. */
export interface BybitRepliesOptions {
  stats: VenueStats;
  requests: PendingRequests<BybitRequest>;
  /** Removes secrets from venue text before it is kept or shown. */
  redact(text: string): string;
  /** The private stream accepted the credentials on `connection`. */
  onAuthenticated?(connection: string): void;
}

/** Handles frames with an `op` and no `topic`. */
export class BybitReplies {
  readonly #opts: BybitRepliesOptions;
  /** Acknowledged topics per connection. */
  readonly #acked = new Map<string, Set<string>>();
  #authFailure: string | undefined;

  constructor(options: BybitRepliesOptions) {
    this.#opts = options;
  }

  /** Why the latest `auth` was refused; `undefined` once one succeeds. */
  get authFailure(): string | undefined {
    return this.#authFailure;
  }

  /** A (re)opened connection starts with nothing acknowledged. */
  connectionOpened(connection: string): void {
    this.#acked.delete(connection);
  }

  /** Handles one reply frame. */
  handle(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const op = m.op;
    if (op === "ping" || op === "pong") return "control";
    const { stats, redact } = this.#opts;
    if (op === "auth") {
      if (m.success === true) {
        this.#authFailure = undefined;
        this.#opts.onAuthenticated?.(connection);
        return "control";
      }
      const reason = redact(text(m.ret_msg) || "no reason given");
      this.#authFailure = reason;
      out.push(reportVenueError(
        stats,
        "bybit",
        connection,
        receivedTs,
        `private stream authentication failed: ${reason}`,
      ));
      return "unauthorized";
    }
    if (op !== "subscribe" && op !== "unsubscribe") return "unknown";
    const req = this.#opts.requests.take(m.req_id);
    const args = req?.args ?? [];
    if (m.success === true) {
      stats.acks++;
      this.#record(connection, op, args);
      return "ack";
    }
    const reason = redact(text(m.ret_msg) || "no reason given");
    // The reply may name the topics it refused; else the whole request was.
    const named = args.filter((a) => reason.includes(a));
    const refused = named.length > 0 ? named : args;
    if (op === "subscribe") {
      for (const topic of refused) stats.rejected.set(topic, reason);
      this.#record(connection, op, args.filter((a) => !refused.includes(a)));
    }
    out.push(reportVenueError(
      stats,
      "bybit",
      connection,
      receivedTs,
      `${op} ${
        refused.length > 0 ? refused.join(",") : "(unmatched request)"
      } refused: ${reason}`,
    ));
    return "control";
  }

  #record(
    connection: string,
    op: "subscribe" | "unsubscribe",
    args: readonly string[],
  ): void {
    let topics = this.#acked.get(connection);
    if (topics === undefined) this.#acked.set(connection, topics = new Set());
    for (const a of args) {
      if (op === "subscribe") {
        topics.add(a);
        this.#opts.stats.rejected.delete(a);
      } else topics.delete(a);
    }
    // The /stats view: topic name → symbols.
    const view: Record<string, string[]> = {};
    for (const t of topics) {
      const dot = t.lastIndexOf(".");
      const name = dot < 0 ? t : t.slice(0, dot);
      (view[name] ??= []).push(dot < 0 ? "" : t.slice(dot + 1));
    }
    for (const list of Object.values(view)) {
      if (list.length === 1 && list[0] === "") list.length = 0;
    }
    this.#opts.stats.acked.set(connection, view);
  }
}

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}
