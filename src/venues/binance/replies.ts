/**
 * Replies to Binance control requests: `{"result":null,"id":N}` for a
 * SUBSCRIBE or UNSUBSCRIBE, `{"result":[…],"id":N}` for LIST_SUBSCRIPTIONS,
 * `{"code":…,"msg":…,"id":N}` for a rejected request. Each is matched to its
 * request, keeps the per-connection set of acknowledged streams (shown in
 * /stats), and a rejection becomes an `error` status event naming what was
 * asked.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import type { Json } from "../fields.ts";
import { reportVenueError } from "../report.ts";
import type { RequestLog } from "./requests.ts";

/** Stream name → its channel and native symbol, for the acked view. */
interface NameInfo {
  readonly channel: string;
  readonly state: { readonly nativeSymbol: string };
}

/** Matches replies and keeps the acknowledged streams per connection. */
export class ReplyHandler {
  readonly #stats: VenueStats;
  readonly #requests: RequestLog;
  readonly #acked = new Map<string, Set<string>>();
  readonly #names: ReadonlyMap<string, NameInfo>;

  /**
   * @param names the parser's live stream table, to group acked streams by
   * channel and symbol
   */
  constructor(
    stats: VenueStats,
    requests: RequestLog,
    names: ReadonlyMap<string, NameInfo>,
  ) {
    this.#stats = stats;
    this.#requests = requests;
    this.#names = names;
  }

  /** A (re)opened connection starts with nothing acknowledged. */
  connectionOpened(connection: string): void {
    this.#acked.delete(connection);
  }

  /** Handles a frame with an `id` and no `stream`. */
  handle(
    m: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const req = this.#requests.take(m.id);
    if ("code" in m || "msg" in m) {
      const what = req
        ? `${req.method}${describe(req.params)}`
        : `request ${JSON.stringify(m.id)}`;
      out.push(reportVenueError(
        this.#stats,
        "binance",
        connection,
        receivedTs,
        `${what} rejected: ${String(m.msg ?? "error")} (code ${
          String(m.code)
        })`,
      ));
      return "control";
    }
    if (req === undefined || !("result" in m)) return "control";
    let set = this.#acked.get(connection);
    if (set === undefined) this.#acked.set(connection, set = new Set());
    if (req.method === "LIST_SUBSCRIPTIONS") {
      if (!Array.isArray(m.result)) return "invalid";
      set.clear();
      for (const s of m.result) if (typeof s === "string") set.add(s);
    } else if (m.result !== null) {
      return "invalid";
    } else if (req.method === "SUBSCRIBE") {
      for (const s of req.params) set.add(s);
    } else {
      for (const s of req.params) set.delete(s);
    }
    this.#stats.acks++;
    this.#stats.acked.set(connection, this.#byChannel(set));
    return "ack";
  }

  #byChannel(streams: ReadonlySet<string>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const name of streams) {
      const info = this.#names.get(name);
      const at = name.indexOf("@");
      const channel = info?.channel ?? name.slice(at + 1);
      const symbol = info?.state.nativeSymbol ??
        name.slice(0, at).toUpperCase();
      (out[channel] ??= []).push(symbol);
    }
    return out;
  }
}

function describe(params: readonly string[]): string {
  if (params.length === 0) return "";
  const shown = params.slice(0, 5).join(", ");
  return ` [${shown}${params.length > 5 ? `, … ${params.length} in all` : ""}]`;
}
