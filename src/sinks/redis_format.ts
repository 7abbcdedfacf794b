/**
 * Pure formatting for the Redis Streams sink: stream keys from a key
 * template, and the field/value lists XADD writes (`flat` all-strings
 * records or the `canonical` JSON event). No I/O here.
 *
 * @module
 */

import {
  EVENT_KINDS,
  type EventKind,
  type NormalizedEvent,
} from "../core/events.ts";

/** Placeholders a key template may use. */
export const KEY_PLACEHOLDERS = ["kind", "venue", "symbol", "native"] as const;

/** One of {@link KEY_PLACEHOLDERS}: `native` is the venue's own symbol. */
export type KeyPlaceholder = typeof KEY_PLACEHOLDERS[number];

/** Output formats of the Redis Streams sink; `flat` is the default. */
export const REDIS_FORMATS = ["flat", "canonical"] as const;

/** One of {@link REDIS_FORMATS}. */
export type RedisFormat = typeof REDIS_FORMATS[number];

/**
 * A parsed key template: the key is `literals[0] + slot(0) + literals[1] +
 * … + literals[n]`, so rendering is concatenation, no regex per event.
 */
export interface KeyTemplate {
  /** The template as written. */
  readonly source: string;
  /** Literal text around the slots; always `slots.length + 1` items. */
  readonly literals: readonly string[];
  /** The placeholder in each slot. */
  readonly slots: readonly KeyPlaceholder[];
}

/** A key template could not be parsed. */
export class KeyTemplateError extends Error {
  /** @param template the template as written */
  constructor(readonly template: string, message: string) {
    super(`key template "${template}": ${message}`);
    this.name = "KeyTemplateError";
  }
}

/**
 * Parses a key template such as `md:{venue}:{kind}:{native}`; throws
 * {@link KeyTemplateError} on an unknown placeholder, an unclosed `{` or an
 * empty template.
 *
 * @example Usage
 * ```ts
 * const t = parseKeyTemplate("trades:{native}");
 * renderKey(t, event); // "trades:BTCUSDT"
 * ```
 */
export function parseKeyTemplate(template: string): KeyTemplate {
  if (template === "") throw new KeyTemplateError(template, "is empty");
  const literals: string[] = [];
  const slots: KeyPlaceholder[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    if (open < 0) {
      literal += template.slice(i);
      break;
    }
    literal += template.slice(i, open);
    const close = template.indexOf("}", open + 1);
    if (close < 0) {
      throw new KeyTemplateError(template, `unclosed "{" at ${open}`);
    }
    const name = template.slice(open + 1, close);
    if (!(KEY_PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new KeyTemplateError(
        template,
        `unknown placeholder "{${name}}"; expected any of ${
          KEY_PLACEHOLDERS.map((p) => `{${p}}`).join(" ")
        }`,
      );
    }
    literals.push(literal);
    slots.push(name as KeyPlaceholder);
    literal = "";
    i = close + 1;
  }
  literals.push(literal);
  return { source: template, literals, slots };
}

/**
 * The stream key of one event under a template.
 *
 * @example Usage
 * ```ts
 * renderKey(parseKeyTemplate("{kind}:{native}"), tickerEvent); // "ticker:BTCUSDT"
 * ```
 */
export function renderKey(
  template: KeyTemplate,
  event: NormalizedEvent,
): string {
  const { literals, slots } = template;
  let key = literals[0] ?? "";
  for (let i = 0; i < slots.length; i++) {
    switch (slots[i]) {
      case "kind":
        key += event.kind;
        break;
      case "venue":
        key += event.venue;
        break;
      case "symbol":
        key += event.symbol;
        break;
      case "native":
        key += event.nativeSymbol;
        break;
    }
    key += literals[i + 1] ?? "";
  }
  return key;
}

/** The template used for each event kind. */
export type KeyTemplates = Readonly<Record<EventKind, KeyTemplate>>;

/** Default templates: `trades:{native}`, `status:{venue}`, else `{kind}:{native}`. */
export const DEFAULT_KEY_TEMPLATES: KeyTemplates = defaultTemplates();

function defaultTemplates(): KeyTemplates {
  const other = parseKeyTemplate("{kind}:{native}");
  const out = {} as Record<EventKind, KeyTemplate>;
  for (const kind of EVENT_KINDS) out[kind] = other;
  out.trade = parseKeyTemplate("trades:{native}");
  out.status = parseKeyTemplate("status:{venue}");
  return out;
}

/**
 * The per-kind templates for a `key=` option: the defaults when absent, else
 * the one template for every kind. Throws {@link KeyTemplateError}.
 *
 * @example Usage
 * ```ts
 * const t = keyTemplates(undefined);
 * renderKey(t[event.kind], event); // "trades:BTCUSDT" for a Binance trade
 * ```
 */
export function keyTemplates(option: string | undefined): KeyTemplates {
  if (option === undefined) return DEFAULT_KEY_TEMPLATES;
  const one = parseKeyTemplate(option);
  const out = {} as Record<EventKind, KeyTemplate>;
  for (const kind of EVENT_KINDS) out[kind] = one;
  return out;
}

/** The whole second {@link isoTime} formatted last, and its text up to the `.`. */
let isoSecond = Number.NaN;
let isoPrefix = "";

/**
 * ISO 8601 of an epoch-ms time (`new Date(ms).toISOString()`); the empty
 * string for a time that is not a finite date, instead of throwing. Events
 * come in time order, so the text of the last whole second is kept and a
 * time within it costs only its milliseconds (a `Date` and its formatting
 * were about 5% of the Redis sink's CPU).
 */
export function isoTime(ms: number): string {
  // Date truncates toward zero; past 1970 that is the floor.
  if (ms >= 0 && ms < 8.64e15) {
    const t = Math.trunc(ms);
    const second = Math.floor(t / 1000);
    if (second !== isoSecond) {
      const full = new Date(second * 1000).toISOString(); // …:SS.000Z
      isoPrefix = full.slice(0, full.length - 4);
      isoSecond = second;
    }
    const milli = t - second * 1000;
    return isoPrefix + (milli < 10 ? "00" : milli < 100 ? "0" : "") + milli +
      "Z";
  }
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

/** Pushes `name, String(value)` unless the value is undefined. */
function field(out: string[], name: string, value: unknown): void {
  if (value !== undefined) out.push(name, String(value));
}

/**
 * Appends the `flat` record of an event to `out` as `field, value, …`, all
 * strings. Trades: `exchange pair price qty ts side trade_id raw_json`
 * (what a Binance→Redis ingester's consumers read). Other kinds: `exchange
 * pair kind ts`, the kind's scalar fields in snake_case, then `raw_json`
 * (the canonical JSON, with the event `id`). Undefined fields are skipped.
 *
 * @example Usage
 * ```ts
 * const args: string[] = [key, "*"];
 * appendFlatFields(event, args);
 * ```
 */
export function appendFlatFields(event: NormalizedEvent, out: string[]): void {
  out.push("exchange", event.venue, "pair", event.nativeSymbol);
  if (event.kind === "trade") {
    out.push(
      "price",
      event.price,
      "qty",
      event.size,
      "ts",
      isoTime(event.exchangeTs),
      "side",
      event.side,
      "trade_id",
      event.tradeId,
      "raw_json",
      JSON.stringify(event),
    );
    return;
  }
  out.push("kind", event.kind, "ts", isoTime(event.exchangeTs));
  switch (event.kind) {
    case "ticker":
      field(out, "bid", event.bid);
      field(out, "bid_size", event.bidSize);
      field(out, "ask", event.ask);
      field(out, "ask_size", event.askSize);
      field(out, "last", event.last);
      field(out, "volume_24h", event.volume24h);
      break;
    case "candle":
      field(out, "interval", event.interval);
      field(out, "open_time", isoTime(event.openTime));
      field(out, "open", event.open);
      field(out, "high", event.high);
      field(out, "low", event.low);
      field(out, "close", event.close);
      field(out, "volume", event.volume);
      field(out, "closed", event.closed);
      break;
    case "book":
      field(out, "type", event.type);
      field(out, "sequence", event.sequence);
      break;
    case "order":
      field(out, "order_id", event.orderId);
      field(out, "client_order_id", event.clientOrderId);
      field(out, "status", event.status);
      field(out, "side", event.side);
      field(out, "order_type", event.orderType);
      field(out, "price", event.price);
      field(out, "size", event.size);
      field(out, "filled_size", event.filledSize);
      field(out, "avg_price", event.avgPrice);
      break;
    case "balance":
      field(out, "account", event.account);
      field(out, "coin", event.coin);
      field(out, "free", event.free);
      field(out, "locked", event.locked);
      field(out, "total", event.total);
      break;
    case "status":
      field(out, "state", event.state);
      field(out, "detail", event.detail);
      field(out, "connection", event.connection);
      break;
  }
  out.push("raw_json", JSON.stringify(event));
}

/**
 * Appends the `canonical` record: `id` and `event` (the canonical JSON).
 *
 * @example Usage
 * ```ts
 * appendCanonicalFields(event, args); // args ends with "id", id, "event", json
 * ```
 */
export function appendCanonicalFields(
  event: NormalizedEvent,
  out: string[],
): void {
  out.push("id", event.id, "event", JSON.stringify(event));
}

/**
 * The field/value list of one event in a format (a new array; the driver
 * appends into its XADD arguments instead).
 *
 * @example Usage
 * ```ts
 * formatFields(trade, "flat"); // ["exchange", "binance", "pair", "BTCUSDT", …]
 * ```
 */
export function formatFields(
  event: NormalizedEvent,
  format: RedisFormat,
): string[] {
  const out: string[] = [];
  if (format === "canonical") appendCanonicalFields(event, out);
  else appendFlatFields(event, out);
  return out;
}
