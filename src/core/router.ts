/**
 * The router: hands each sink the events its filter selects.
 *
 * @module
 */

import type {
  EventKind,
  EventSink,
  NormalizedEvent,
  VenueName,
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

function isEmpty(filter: EventFilter): boolean {
  return filter.kinds === undefined && filter.symbols === undefined &&
    filter.venues === undefined;
}

/**
 * Fans events out to routes. Unfiltered routes get the batch as is; filtered
 * ones get a new array of what matches (or nothing when nothing does).
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

  constructor(routes: readonly Route[]) {
    for (const r of routes) {
      if (isEmpty(r.filter)) this.#all.push(r.sink);
      else this.#filtered.push(r);
    }
  }

  write(events: readonly NormalizedEvent[]): void {
    if (events.length === 0) return;
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
