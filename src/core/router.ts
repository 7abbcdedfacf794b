/**
 * The router: hands each sink the events its filter selects.
 *
 * @module
 */

import {
  EVENT_KINDS,
  type EventKind,
  type EventSink,
  type NormalizedEvent,
  type VenueName,
} from "./events.ts";

/** Which events a sink receives; an absent set means "all". */
export interface EventFilter {
  kinds?: ReadonlySet<EventKind>;
  /** Matches the unified or the native symbol; `*` events always pass. */
  symbols?: ReadonlySet<string>;
  venues?: ReadonlySet<VenueName>;
}

/** One destination of the router. */
export interface Route {
  filter: EventFilter;
  sink: EventSink;
}

/**
 * Whether `event` passes `filter`. Connection-wide status events (symbol
 * `*`) pass symbol filters: they concern every symbol.
 *
 * @example Usage
 * ```ts
 * matchesFilter({ kinds: new Set(["trade"]) }, event);
 * ```
 */
export function matchesFilter(
  filter: EventFilter,
  event: NormalizedEvent,
): boolean {
  if (filter.kinds !== undefined && !filter.kinds.has(event.kind)) return false;
  if (filter.venues !== undefined && !filter.venues.has(event.venue)) {
    return false;
  }
  const symbols = filter.symbols;
  return symbols === undefined || event.symbol === "*" ||
    symbols.has(event.symbol) || symbols.has(event.nativeSymbol);
}

/**
 * A distinct small index per event kind, for the router's per-kind lists. A
 * switch: a computed lookup by a kind string that varies goes through V8's
 * megamorphic path.
 */
function kindIndex(kind: EventKind): number {
  switch (kind) {
    case "trade":
      return 0;
    case "ticker":
      return 1;
    case "book":
      return 2;
    case "candle":
      return 3;
    case "order":
      return 4;
    case "balance":
      return 5;
    case "status":
      return 6;
  }
}

function isEmpty(filter: EventFilter): boolean {
  return filter.kinds === undefined && filter.symbols === undefined &&
    filter.venues === undefined;
}

/**
 * Fans events out to routes. Unfiltered routes get the batch as is; filtered
 * ones get a new array of what matches (or nothing when nothing does). A
 * batch of one event (a frame's usual yield) goes straight to the sinks
 * that take its kind, listed once per kind: routes filtered by kind only
 * (a balance store on a trade feed) then cost nothing.
 *
 * @example Usage
 * ```ts
 * const router = new Router([{ filter: {}, sink: fileSink }]);
 * router.write(events);
 * ```
 */
export class Router implements EventSink {
  readonly #all: EventSink[] = [];
  readonly #filtered: Route[] = [];
  /** Per kind (by {@link kindIndex}): every sink that takes the kind whole. */
  readonly #byKind: EventSink[][] = EVENT_KINDS.map(() => []);
  /** Some filter names symbols or venues: one event is not decided by kind. */
  readonly #bySymbol: boolean;

  constructor(routes: readonly Route[]) {
    let bySymbol = false;
    for (const r of routes) {
      const f = r.filter;
      if (isEmpty(f)) this.#all.push(r.sink);
      else this.#filtered.push(r);
      if (f.symbols !== undefined || f.venues !== undefined) bySymbol = true;
      for (const k of EVENT_KINDS) {
        if (f.kinds === undefined || f.kinds.has(k)) {
          this.#byKind[kindIndex(k)]!.push(r.sink);
        }
      }
    }
    this.#bySymbol = bySymbol;
  }

  write(events: readonly NormalizedEvent[]): void {
    if (events.length === 0) return;
    if (events.length === 1 && !this.#bySymbol) {
      const sinks = this.#byKind[kindIndex(events[0]!.kind)]!;
      for (let i = 0; i < sinks.length; i++) sinks[i]!.write(events);
      return;
    }
    for (let i = 0; i < this.#all.length; i++) this.#all[i]!.write(events);
    for (let i = 0; i < this.#filtered.length; i++) {
      const route = this.#filtered[i]!;
      let picked: NormalizedEvent[] | undefined;
      for (let j = 0; j < events.length; j++) {
        const e = events[j]!;
        if (matchesFilter(route.filter, e)) (picked ??= []).push(e);
      }
      if (picked !== undefined) route.sink.write(picked);
    }
  }
}
