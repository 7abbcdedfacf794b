/**
 * Binance Spot WebSocket stream names and JSON control requests for the
 * simulator: which streams it serves (and how often), and the validation of
 * `SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS` / `SET_PROPERTY` /
 * `GET_PROPERTY` requests into actions or the documented error frames
 * (codes 0-3).
 *
 * @module
 */
import { KLINE_INTERVALS, type KlineInterval } from "./binance_payloads.ts";
import { isRecord } from "./coinbase_subscribe.ts";

/** A stream the simulator serves; `every` is its push period in ms (0 = per event). */
export type StreamSpec =
  & { symbol: string; every: number }
  & (
    | { kind: "trade" | "aggTrade" | "bookTicker" | "ticker" | "miniTicker" }
    | { kind: "depth" }
    | { kind: "partial"; levels: number }
    | { kind: "kline"; interval: KlineInterval }
  );

/** A request id: an integer, an alphanumeric string of at most 36 chars, or null. */
export type RequestId = number | string | null;

/** A validated control request. */
export type Control =
  | { method: "SUBSCRIBE" | "UNSUBSCRIBE"; params: string[]; id: RequestId }
  | { method: "LIST_SUBSCRIPTIONS"; id: RequestId }
  | { method: "SET_PROPERTY"; value: boolean; id: RequestId }
  | { method: "GET_PROPERTY"; id: RequestId };

/** An error frame as Binance sends it; `id` only when the request had a valid one. */
export interface ErrorFrame {
  code: number;
  msg: string;
  id?: RequestId;
}

const EVENTS = new Set(["trade", "aggTrade", "bookTicker"]);
const METHODS = [
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "LIST_SUBSCRIPTIONS",
  "SET_PROPERTY",
  "GET_PROPERTY",
];
const INTERVALS: ReadonlySet<string> = new Set(KLINE_INTERVALS);

/**
 * Parses a stream name (lowercase symbol, e.g. `btcusdt@depth@100ms`). Null
 * for anything the simulator does not serve: uppercase symbols, unknown
 * names, `@kline_<i>@+08:00`, `!...@arr` streams. Binance accepts such
 * names silently (UNVERIFIED) and so does the simulator; they deliver nothing.
 *
 * @example Usage
 * ```ts
 * parseStream("btcusdt@depth10@100ms"); // { symbol: "BTCUSDT", kind: "partial", levels: 10, every: 100 }
 * parseStream("BTCUSDT@trade"); // null
 * ```
 */
export function parseStream(name: string): StreamSpec | null {
  const match = /^([a-z0-9]+)@([A-Za-z0-9_@]+)$/.exec(name);
  if (!match) return null;
  const symbol = (match[1] as string).toUpperCase();
  const rest = match[2] as string;
  if (EVENTS.has(rest)) {
    return { symbol, kind: rest as "trade", every: 0 };
  }
  if (rest === "ticker" || rest === "miniTicker") {
    return { symbol, kind: rest, every: 1000 };
  }
  const depth = /^depth(5|10|20)?(@100ms)?$/.exec(rest);
  if (depth) {
    const every = depth[2] ? 100 : 1000;
    return depth[1]
      ? { symbol, kind: "partial", levels: Number(depth[1]), every }
      : { symbol, kind: "depth", every };
  }
  const kline = /^kline_(\w+)$/.exec(rest);
  if (kline && INTERVALS.has(kline[1] as string)) {
    const interval = kline[1] as KlineInterval;
    return {
      symbol,
      kind: "kline",
      interval,
      every: interval === "1s" ? 1000 : 2000,
    };
  }
  return null;
}

/**
 * Validates one text frame from a client into a {@link Control}, or the
 * error frame to answer with: code 3 for invalid JSON, code 2 for an
 * invalid request (missing or unknown `method`, bad `id`, bad or extra
 * `params`), code 0 for an unknown property, code 1 for a non-boolean
 * property value. Wording follows the documented messages; line/column
 * positions are approximations.
 *
 * @example Usage
 * ```ts
 * parseControl('{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}');
 * // { method: "SUBSCRIBE", params: ["btcusdt@trade"], id: 1 }
 * parseControl("{"); // { code: 3, msg: "Invalid JSON: expected value at line 1 column 2" }
 * ```
 */
export function parseControl(text: string): Control | ErrorFrame {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    const [line, column] = position(text, e);
    return {
      code: 3,
      msg: `Invalid JSON: expected value at line ${line} column ${column}`,
    };
  }
  if (!isRecord(msg)) {
    return { code: 2, msg: "Invalid request: expected a JSON object" };
  }
  const rawId = msg["id"] ?? null;
  if (!validId(rawId)) {
    return {
      code: 2,
      msg: "Invalid request: request ID must be an unsigned integer",
    };
  }
  const id: RequestId = rawId;
  const method = msg["method"];
  const params = msg["params"];
  const fail = (code: number, text: string): ErrorFrame => ({
    code,
    msg: text,
    id,
  });
  if (method === undefined) {
    return fail(
      2,
      `Invalid request: missing field \`method\` at line 1 column ${text.length}`,
    );
  }
  if (typeof method !== "string" || !METHODS.includes(method)) {
    const shown = typeof method === "string" ? method : JSON.stringify(method);
    const at = text.indexOf(JSON.stringify(method)) +
      JSON.stringify(method).length;
    return fail(
      2,
      `Invalid request: unknown variant \`${shown}\`, expected one of ${
        METHODS.map((m) => `\`${m}\``).join(", ")
      } at line 1 column ${Math.max(1, at)}`,
    );
  }
  if (method === "SUBSCRIBE" || method === "UNSUBSCRIBE") {
    if (
      !Array.isArray(params) || !params.every((p) => typeof p === "string")
    ) {
      return fail(2, "Invalid request: params must be an array of strings");
    }
    return { method, params, id };
  }
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list)) {
    return fail(2, "Invalid request: params must be an array");
  }
  if (method === "LIST_SUBSCRIPTIONS") {
    if (list.length > 0) return fail(2, "Invalid request: too many parameters");
    return { method, id };
  }
  const wanted = method === "SET_PROPERTY" ? 2 : 1;
  if (list.length > wanted) {
    return fail(2, "Invalid request: too many parameters");
  }
  if (typeof list[0] !== "string") {
    return fail(2, "Invalid request: property name must be a string");
  }
  if (list[0] !== "combined") return fail(0, "Unknown property");
  if (method === "GET_PROPERTY") return { method, id };
  if (typeof list[1] !== "boolean") {
    return fail(1, "Invalid value type: expected Boolean");
  }
  return { method: "SET_PROPERTY", value: list[1], id };
}

function validId(id: unknown): id is RequestId {
  if (id === null) return true;
  if (typeof id === "number") return Number.isInteger(id);
  return typeof id === "string" && /^[A-Za-z0-9]{1,36}$/.test(id);
}

/** 1-based line and column of a JSON.parse failure (end of text if unknown). */
function position(text: string, error: unknown): [number, number] {
  const message = error instanceof Error ? error.message : "";
  const at = /position (\d+)/.exec(message);
  const offset = at ? Number(at[1]) : text.length;
  const before = text.slice(0, offset).split("\n");
  return [before.length, (before.at(-1) as string).length + 1];
}
