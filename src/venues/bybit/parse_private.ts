/**
 * Bybit v5 private-stream data frames (`{id, topic, creationTime, data:[…]}`)
 * → order and balance events:
 *
 * - `order`, `order.{category}`: one order event per order update;
 * - `execution`, `execution.{category}`, `execution.fast`,
 *   `execution.fast.{category}`: one order event per fill, carrying the
 *   fill (`execId`, `execPrice`, `execSize`, `fee`, `liquidity`);
 * - `wallet`: one balance event per coin of each account;
 * - `position`, `position.{category}`: one balance event per position, its
 *   size signed by side (short = negative), account `position:<category>`.
 *
 * Order items are parsed here, fills in `private_execution.ts`, wallet and
 * position items in `private_balances.ts`, all with the field checks of
 * `private_item.ts`.
 *
 * Decimals stay the exchange's strings; the only computed ones (an
 * execution's filled size, a wallet coin's free balance, a short position's
 * size) are exact (see `core/decimal.ts`). Ids are derived from content
 * only, so a re-sent identical update has the same id and dedups.
 *
 * A bad data item (missing or mistyped field) is skipped and makes the frame
 * `invalid`, but the events of the frame's good items are still pushed: one
 * bad fill must not hide the others. For a wallet item the unit is one coin.
 *
 * @module
 */

import type { NormalizedEvent } from "../../core/events.ts";
import type { FrameOutcome } from "../../core/stats.ts";
import { isDecimal, type Json } from "../fields.ts";
import { positionItem, walletItem } from "./private_balances.ts";
import { executionItem } from "./private_execution.ts";
import {
  categoryOf,
  filled,
  isRecord,
  type ItemParser,
  msOf,
  type PrivateContext,
  sideOf,
  snake,
  text,
  type Unify,
} from "./private_item.ts";

export type { Unify } from "./private_item.ts";

/** A topic this module handles. */
interface Topic {
  item: ItemParser;
  /** Categories a categorised form of the topic may name. */
  categories: readonly string[];
  fast?: boolean;
}

const ALL = ["spot", "linear", "inverse", "option"] as const;

/**
 * Parses a decoded private data frame into `out`: `"ok"`, `"unknown"` for a
 * topic it does not handle (or a frame with no topic), `"invalid"` when the
 * envelope is broken or any data item is (the good items' events are still
 * pushed). An empty `data` array is `"ok"` with no events.
 *
 * @example Usage
 * ```ts
 * import type { NormalizedEvent } from "../../core/events.ts";
 * const out: NormalizedEvent[] = [];
 * const frame = '{"topic":"wallet","creationTime":1,"data":[]}';
 * parsePrivate(JSON.parse(frame), Date.now(), out, (s, _category) => s); // "ok"
 * ```
 */
export function parsePrivate(
  msg: Json,
  receivedTs: number,
  out: NormalizedEvent[],
  unify: Unify,
): FrameOutcome {
  if (!isRecord(msg) || typeof msg.topic !== "string") return "unknown";
  const topic: string = msg.topic;
  let t = TOPICS.get(topic);
  let category: string | undefined;
  if (t === undefined) {
    const dot = topic.lastIndexOf(".");
    if (dot < 0) return "unknown";
    t = TOPICS.get(topic.slice(0, dot));
    category = topic.slice(dot + 1);
    if (t === undefined || !t.categories.includes(category)) return "unknown";
  }
  const creationTime = msg.creationTime;
  if (!Array.isArray(msg.data) || !Number.isFinite(creationTime)) {
    return "invalid";
  }
  const c: PrivateContext = {
    creationTime,
    receivedTs,
    category,
    fast: t.fast === true,
    unify,
  };
  let bad = 0;
  for (const d of msg.data) if (!isRecord(d) || !t.item(d, c, out)) bad++;
  return bad === 0 ? "ok" : "invalid";
}

/** An `order` item → an order event. */
function orderItem(
  d: Json,
  c: PrivateContext,
  out: NormalizedEvent[],
): boolean {
  const category = categoryOf(d, c);
  const side = sideOf(d.side);
  const clientOrderId = text(d.orderLinkId);
  const orderType = text(d.orderType);
  const price = text(d.price);
  const avgPrice = text(d.avgPrice);
  if (
    category === undefined || side === undefined || !filled(d.symbol) ||
    !filled(d.orderId) || !filled(d.orderStatus) || !isDecimal(d.qty) ||
    !isDecimal(d.cumExecQty) || clientOrderId === undefined ||
    orderType === undefined || price === undefined || avgPrice === undefined
  ) return false;
  const status = snake(d.orderStatus);
  const ts = msOf(d.updatedTime) ?? c.creationTime;
  const symbol = c.unify(d.symbol, category);
  out.push({
    id: `bybit:${symbol}:order:${d.orderId}:${ts}:${status}:${d.cumExecQty}`,
    kind: "order",
    venue: "bybit",
    symbol,
    nativeSymbol: d.symbol,
    exchangeTs: ts,
    receivedTs: c.receivedTs,
    orderId: d.orderId,
    clientOrderId,
    status,
    side,
    orderType: orderType.toLowerCase(),
    price,
    size: d.qty,
    filledSize: d.cumExecQty,
    avgPrice,
    category,
  });
  return true;
}

/** Topics by name without a category suffix. */
const TOPICS: ReadonlyMap<string, Topic> = new Map<string, Topic>([
  ["order", { item: orderItem, categories: ALL }],
  ["execution", { item: executionItem, categories: ALL }],
  ["execution.fast", {
    item: executionItem,
    categories: ["spot", "linear", "inverse"],
    fast: true,
  }],
  ["wallet", { item: walletItem, categories: [] }],
  ["position", {
    item: positionItem,
    categories: ["linear", "inverse", "option"],
  }],
]);
