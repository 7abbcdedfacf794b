/**
 * The RabbitMQ sink's topology, as pure data: one durable topic exchange
 * (default `tickgate`), one durable queue per event class named
 * `<exchange>.<class>` (`tickgate.trades` bound with `trade.#`, …), queue
 * arguments from the sink options, and the routing key of every event,
 * `{kind}.{venue}.{symbol}`. Status events are published to the exchange
 * with no queue of their own.
 *
 * @module
 */

import type { EventKind, NormalizedEvent } from "../core/events.ts";
import { DeliveryError } from "./types.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

/** The exchange used when the sink URL names none. */
export const DEFAULT_EXCHANGE = "tickgate";
/** `max_length` when the sink URL gives none. */
export const DEFAULT_MAX_LENGTH = 100_000;
/** `poll_sec` when the sink URL gives none. */
export const DEFAULT_POLL_SEC = 10;

/** One event class: its queue suffix, its event kind and its binding key. */
export interface QueueClass {
  /** Queue suffix: the queue is `<exchange>.<name>`. */
  readonly name: string;
  readonly kind: EventKind;
  /** Topic binding key, e.g. `trade.#`. */
  readonly binding: string;
}

/** Every class queue, in declaration order. Status events have none. */
export const QUEUE_CLASSES: readonly QueueClass[] = [
  { name: "trades", kind: "trade", binding: "trade.#" },
  { name: "tickers", kind: "ticker", binding: "ticker.#" },
  { name: "orderbook", kind: "book", binding: "book.#" },
  { name: "candles", kind: "candle", binding: "candle.#" },
  { name: "orders", kind: "order", binding: "order.#" },
  { name: "balances", kind: "balance", binding: "balance.#" },
];

const CLASS_BY_KIND: Partial<Record<EventKind, QueueClass>> = {};
for (const c of QUEUE_CLASSES) CLASS_BY_KIND[c.kind] = c;

/** The sink's options, read from the URL. */
export interface RabbitMqOptions {
  /** Topic exchange name. @default "tickgate" */
  exchange: string;
  /** `x-max-length` of every class queue. @default 100000 */
  maxLength: number;
  /** `x-message-ttl` of every class queue; none when undefined. */
  ttlMs: number | undefined;
  /** Queue depth poll interval; 0 disables polling. @default 10 */
  pollSec: number;
}

/** A declared queue: its name, binding key and arguments. */
export interface QueueDeclaration {
  queue: string;
  binding: string;
  kind: EventKind;
  arguments: Record<string, string | number>;
}

/** Exchange plus queue declarations, what `connect()` asserts. */
export interface Topology {
  exchange: string;
  queues: QueueDeclaration[];
}

const EXCHANGE_RE = /^[A-Za-z0-9_.:-]+$/;
/** Leaves room for the longest class suffix in a 255-byte queue name. */
const MAX_EXCHANGE_LENGTH = 255 - ".orderbook".length;

/**
 * Reads and checks `exchange`, `max_length`, `ttl_ms` and `poll_sec`;
 * throws {@link SinkUrlError} naming the bad option.
 *
 * @example Usage
 * ```ts
 * const o = rabbitMqOptions(parseSinkUrl("amqp://localhost/?ttl_ms=60000", 1));
 * // o.exchange === "tickgate", o.maxLength === 100000, o.ttlMs === 60000
 * ```
 */
export function rabbitMqOptions(spec: SinkSpec): RabbitMqOptions {
  const fail = (msg: string): never => {
    throw new SinkUrlError(redactUrl(spec.url), msg);
  };
  const exchange = spec.options.exchange ?? DEFAULT_EXCHANGE;
  if (
    !EXCHANGE_RE.test(exchange) || exchange.length > MAX_EXCHANGE_LENGTH
  ) {
    fail(
      `exchange "${exchange}" is not a valid name: use 1-${MAX_EXCHANGE_LENGTH} letters, digits, "-", "_", "." or ":"`,
    );
  }
  if (exchange.startsWith("amq.")) {
    fail(`exchange "${exchange}": names starting with "amq." are reserved`);
  }
  const int = (key: string, min: number, dflt: number | undefined) => {
    const raw = spec.options[key];
    if (raw === undefined) return dflt;
    const v = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(v) || v < min || v > 0xffff_ffff) {
      fail(
        `${key} must be an integer ${
          min === 0 ? "of 0 or more" : "of 1 or more"
        }, got "${raw}"`,
      );
    }
    return v;
  };
  return {
    exchange,
    maxLength: int("max_length", 1, DEFAULT_MAX_LENGTH) as number,
    ttlMs: int("ttl_ms", 1, undefined),
    pollSec: int("poll_sec", 0, DEFAULT_POLL_SEC) as number,
  };
}

/**
 * The class queue name for an exchange and class suffix.
 *
 * @example Usage
 * ```ts
 * queueName("tickgate", "trades"); // "tickgate.trades"
 * ```
 */
export function queueName(exchange: string, className: string): string {
  return `${exchange}.${className}`;
}

/**
 * The queue class an event kind is routed to; undefined for `status`.
 *
 * @example Usage
 * ```ts
 * classOfKind("book")?.name; // "orderbook"
 * ```
 */
export function classOfKind(kind: EventKind): QueueClass | undefined {
  return CLASS_BY_KIND[kind];
}

/**
 * The class a queue name or class suffix names for an exchange, if any.
 *
 * @example Usage
 * ```ts
 * classOfQueue("tickgate", "tickgate.tickers")?.binding; // "ticker.#"
 * ```
 */
export function classOfQueue(
  exchange: string,
  name: string,
): QueueClass | undefined {
  for (const c of QUEUE_CLASSES) {
    if (name === c.name || name === queueName(exchange, c.name)) return c;
  }
  return undefined;
}

/**
 * The queue arguments: `x-max-length`, `x-overflow: drop-head`, and
 * `x-message-ttl` when set.
 *
 * @example Usage
 * ```ts
 * queueArguments({ maxLength: 10, ttlMs: undefined });
 * // { "x-max-length": 10, "x-overflow": "drop-head" }
 * ```
 */
export function queueArguments(
  o: Pick<RabbitMqOptions, "maxLength" | "ttlMs">,
): Record<string, string | number> {
  const args: Record<string, string | number> = {
    "x-max-length": o.maxLength,
    "x-overflow": "drop-head",
  };
  if (o.ttlMs !== undefined) args["x-message-ttl"] = o.ttlMs;
  return args;
}

/**
 * Everything the driver declares for its options.
 *
 * @example Usage
 * ```ts
 * topology({ exchange: "t", maxLength: 5, ttlMs: undefined, pollSec: 0 })
 *   .queues.map((q) => q.queue); // ["t.trades", "t.tickers", …]
 * ```
 */
export function topology(o: RabbitMqOptions): Topology {
  const args = queueArguments(o);
  return {
    exchange: o.exchange,
    queues: QUEUE_CLASSES.map((c) => ({
      queue: queueName(o.exchange, c.name),
      binding: c.binding,
      kind: c.kind,
      arguments: { ...args },
    })),
  };
}

/**
 * The routing key of an event: `{kind}.{venue}.{symbol}`.
 *
 * @example Usage
 * ```ts
 * routingKey({ kind: "trade", venue: "coinbase", symbol: "BTC-USD" }); // "trade.coinbase.BTC-USD"
 * ```
 */
export function routingKey(
  e: Pick<NormalizedEvent, "kind" | "venue" | "symbol">,
): string {
  return `${e.kind}.${e.venue}.${e.symbol}`;
}

/** The sink option that sets each queue argument tickgate declares. */
const OPTION_OF_ARGUMENT: Record<string, string> = {
  "x-max-length": "max_length",
  "x-message-ttl": "ttl_ms",
};

/**
 * An existing queue or exchange was declared with other arguments than the
 * sink's (RabbitMQ's PRECONDITION_FAILED). Retryable: it succeeds once the
 * user deletes the queue or matches the option.
 */
export class RabbitMqTopologyError extends DeliveryError {
  /**
   * @param entity `queue` or `exchange`
   * @param entityName the queue or exchange name
   * @param argument the argument that differs, e.g. `x-max-length`
   */
  constructor(
    readonly entity: "queue" | "exchange",
    readonly entityName: string,
    readonly argument: string,
    detail: string,
  ) {
    super(topologyMessage(entity, entityName, argument, detail));
    this.name = "RabbitMqTopologyError";
  }
}

function topologyMessage(
  entity: "queue" | "exchange",
  name: string,
  argument: string,
  detail: string,
): string {
  const what = `RabbitMQ ${entity} "${name}" already exists with a different ` +
    `"${argument}"${detail === "" ? "" : ` (${detail})`}`;
  if (entity === "exchange") {
    return `${what}: delete the exchange (rabbitmqctl delete_exchange ${name}) ` +
      `or choose another name with the exchange= option`;
  }
  const option = OPTION_OF_ARGUMENT[argument];
  const match = option === undefined
    ? "tickgate declares it durable with x-overflow=drop-head"
    : `set the ${option}= option to match`;
  return `${what}: delete the queue (rabbitmqctl delete_queue ${name}) or ${match}`;
}

const INEQUIVALENT_RE =
  /inequivalent arg '([^']+)' for (queue|exchange) '([^']+)' in vhost '[^']*':?\s*(.*?)"?$/;

/**
 * Turns RabbitMQ's PRECONDITION_FAILED text ("inequivalent arg …") into a
 * {@link RabbitMqTopologyError}; undefined for any other error.
 *
 * @example Usage
 * ```ts
 * topologyErrorFrom(
 *   "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'tickgate.trades' in vhost '/': received '5' but current is '9'",
 * )?.argument; // "x-max-length"
 * ```
 */
export function topologyErrorFrom(
  message: string,
): RabbitMqTopologyError | undefined {
  const m = INEQUIVALENT_RE.exec(message);
  if (m === null) return undefined;
  const [, argument, entity, name, detail] = m;
  return new RabbitMqTopologyError(
    entity as "queue" | "exchange",
    name ?? "",
    argument ?? "",
    (detail ?? "").trim(),
  );
}

/**
 * Checks the sink URL's RabbitMQ options (`exchange`, `max_length`,
 * `ttl_ms`, `poll_sec`); throws `SinkUrlError` naming the bad option.
 *
 * @example Usage
 * ```ts
 * validateRabbitMqOptions(parseSinkUrl("amqp://localhost/?max_length=0", 1)); // throws
 * ```
 */
export function validateRabbitMqOptions(spec: SinkSpec): void {
  rabbitMqOptions(spec);
}
