/**
 * Sink URLs, the public contract for where events go: `stdout`,
 * `file:PATH`, `redis://…`, `kafka://…`, `amqp://…`, `postgres://…`,
 * `http(s)://…`, each with optional query options `format=`, `kinds=`,
 * `symbols=`, `venues=`, `name=` and sink-specific options.
 *
 * @module
 */

import {
  EVENT_KINDS,
  type EventKind,
  VENUE_NAMES,
  type VenueName,
} from "../core/events.ts";
import type { EventFilter } from "../core/router.ts";

/** Every scheme that is part of the sink URL contract. */
export const SINK_SCHEMES = [
  "stdout",
  "file",
  "redis",
  "rediss",
  "kafka",
  "amqp",
  "amqps",
  "postgres",
  "postgresql",
  "http",
  "https",
] as const;

/** One of {@link SINK_SCHEMES}. */
export type SinkScheme = typeof SINK_SCHEMES[number];

/** Output formats per scheme; the first is the default. */
export const SINK_FORMATS: Partial<Record<SinkScheme, readonly string[]>> = {
  stdout: ["canonical"],
  file: ["canonical"],
  redis: ["flat", "canonical"],
  rediss: ["flat", "canonical"],
  kafka: ["canonical", "tick"],
  amqp: ["canonical"],
  amqps: ["canonical"],
  postgres: ["rows"],
  postgresql: ["rows"],
  http: ["envelope", "canonical"],
  https: ["envelope", "canonical"],
};

/**
 * Options of the delivery queue every network sink accepts: `batch_size`
 * (events per write), `linger_ms` (wait this long for a batch to fill) and
 * `max_queued` (events held in memory before spilling to the spool).
 */
export const QUEUE_OPTIONS = ["batch_size", "linger_ms", "max_queued"] as const;

const REDIS_OPTIONS = ["key", "maxlen", ...QUEUE_OPTIONS];
const AMQP_OPTIONS = [
  "exchange",
  "max_length",
  "ttl_ms",
  "poll_sec",
  ...QUEUE_OPTIONS,
];
const POSTGRES_OPTIONS = ["schema", ...QUEUE_OPTIONS];
const HTTP_OPTIONS = ["timeout_ms", "environment", ...QUEUE_OPTIONS];

/** Sink-specific query options each scheme accepts. */
export const SINK_OPTIONS: Partial<Record<SinkScheme, readonly string[]>> = {
  stdout: [],
  file: ["max_file_mb", "max_total_mb"],
  redis: REDIS_OPTIONS,
  rediss: REDIS_OPTIONS,
  kafka: ["topic", "compression", "client_id", ...QUEUE_OPTIONS],
  amqp: AMQP_OPTIONS,
  amqps: AMQP_OPTIONS,
  postgres: POSTGRES_OPTIONS,
  postgresql: POSTGRES_OPTIONS,
  http: HTTP_OPTIONS,
  https: HTTP_OPTIONS,
};

/** A parsed sink URL. */
export interface SinkSpec {
  /** Unique name for stats and metrics (`name=` option, else `scheme-N`). */
  name: string;
  scheme: SinkScheme;
  /** The URL as configured; may contain credentials, never log it. */
  url: string;
  /** What the sink connects to, without tickgate's own options: a path for `file`. */
  target: string;
  format: string;
  filter: EventFilter;
  /** Remaining sink-specific query options. */
  options: Readonly<Record<string, string>>;
}

/** A sink URL could not be understood. */
export class SinkUrlError extends Error {
  /** @param url the offending URL, with credentials redacted */
  constructor(readonly url: string, message: string) {
    super(`Cannot parse sink "${url}": ${message}`);
    this.name = "SinkUrlError";
  }
}

const SPLIT_RE = new RegExp(
  `,\\s*(?=(?:${SINK_SCHEMES.join("|")})(?::|$|\\?|,))`,
);

/**
 * Splits a `SINKS` value into URLs. Commas separate sinks only where the next
 * sink's scheme follows, so list options (`kinds=trade,ticker`) and Kafka
 * broker lists (`kafka://a:9092,b:9092`) keep their commas.
 *
 * @example Usage
 * ```ts
 * splitSinkList("stdout?kinds=trade,ticker,file:/tmp/x.ndjson");
 * // ["stdout?kinds=trade,ticker", "file:/tmp/x.ndjson"]
 * ```
 */
export function splitSinkList(value: string): string[] {
  return value.split(SPLIT_RE).map((s) => s.trim().replace(/[\s,]+$/, ""))
    .filter((s) => s !== "");
}

/**
 * Parses one sink URL. `index` numbers unnamed sinks (`file-1`).
 *
 * @example Usage
 * ```ts
 * const spec = parseSinkUrl("file:./data/events.ndjson?kinds=trade", 1);
 * // spec.scheme === "file", spec.target === "./data/events.ndjson"
 * ```
 */
export function parseSinkUrl(url: string, index: number): SinkSpec {
  const shown = redactUrl(url);
  const m = /^([a-z][a-z0-9+.-]*)(?::|$|\?)/i.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  if (scheme === undefined || !isScheme(scheme)) {
    throw new SinkUrlError(
      shown,
      `unknown scheme; expected one of ${SINK_SCHEMES.join(", ")}`,
    );
  }
  const q = url.indexOf("?");
  const base = q === -1 ? url : url.slice(0, q);
  const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
  const formats = SINK_FORMATS[scheme] ?? [];
  const format = take(params, "format") ?? formats[0] ?? "canonical";
  if (!formats.includes(format)) {
    throw new SinkUrlError(
      shown,
      `format "${format}" is not available for ${scheme}; expected one of ${
        formats.join(", ")
      }`,
    );
  }
  const name = take(params, "name") ?? `${scheme}-${index}`;
  const filter = parseFilter(params, shown);
  const options: Record<string, string> = {};
  const known = SINK_OPTIONS[scheme] ?? [];
  for (const [k, v] of params) {
    if (!known.includes(k)) {
      const expected = [
        "format",
        "name",
        "kinds",
        "symbols",
        "venues",
        ...known,
      ];
      throw new SinkUrlError(
        shown,
        `unknown option "${k}"; expected any of ${expected.join(", ")}`,
      );
    }
    options[k] = v;
  }
  return {
    name,
    scheme,
    url,
    target: targetOf(scheme, base, shown),
    format,
    filter,
    options,
  };
}

function targetOf(scheme: SinkScheme, base: string, shown: string): string {
  if (scheme === "stdout") {
    if (!/^stdout(:(\/\/)?)?$/i.test(base)) {
      throw new SinkUrlError(shown, `stdout takes no path`);
    }
    return "stdout";
  }
  if (scheme === "file") {
    let path = base.slice("file:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new SinkUrlError(shown, "a file path is required");
    return decodeURIComponent(path);
  }
  return base;
}

function parseFilter(params: URLSearchParams, shown: string): EventFilter {
  const filter: {
    kinds?: Set<EventKind>;
    symbols?: Set<string>;
    venues?: Set<VenueName>;
  } = {};
  const kinds = list(take(params, "kinds"));
  if (kinds !== undefined) {
    filter.kinds = new Set(oneOf(kinds, EVENT_KINDS, "kind", shown));
  }
  const venues = list(take(params, "venues"));
  if (venues !== undefined) {
    filter.venues = new Set(oneOf(venues, VENUE_NAMES, "venue", shown));
  }
  const symbols = list(take(params, "symbols"));
  if (symbols !== undefined) {
    filter.symbols = new Set(symbols.map((s) => s.toUpperCase()));
  }
  return filter;
}

/** Checks every item is one of `allowed`, naming the first that is not. */
function oneOf<T extends string>(
  items: string[],
  allowed: readonly T[],
  what: string,
  shown: string,
): T[] {
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new SinkUrlError(
        shown,
        `unknown ${what} "${item}" in ${what}s; expected ${allowed.join(", ")}`,
      );
    }
  }
  return items as T[];
}

function take(params: URLSearchParams, key: string): string | undefined {
  const v = params.get(key);
  params.delete(key);
  return v === null || v === "" ? undefined : v;
}

function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return items.length === 0 ? undefined : items;
}

function isScheme(s: string): s is SinkScheme {
  return (SINK_SCHEMES as readonly string[]).includes(s);
}

/**
 * Replaces credentials in a URL (`user:pass@`, and the values of query
 * options named like a password, token, secret or API/access/private key;
 * not `key=`, the Redis key template) with `***`.
 *
 * @example Usage
 * ```ts
 * redactUrl("amqp://guest:guest@localhost:5672/"); // "amqp://guest:***@localhost:5672/"
 * ```
 */
export function redactUrl(url: string): string {
  return redactUserinfo(url).replace(
    /([?&][^=&]*(?:pass|token|secret|auth|api_?key|access_?key|private_?key)[^=&]*=)[^&]*/gi,
    "$1***",
  );
}

/**
 * `user:password@` → `user:***@`. The password ends at the last `@`, so one
 * written without percent-encoding (`p@ss/w#rd`) is still hidden whole.
 */
function redactUserinfo(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme === null) return url;
  const rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf("@");
  const colon = rest.indexOf(":");
  if (at < 0 || colon < 0 || colon > at) return url;
  return `${scheme[0]}${rest.slice(0, colon)}:***${rest.slice(at)}`;
}
