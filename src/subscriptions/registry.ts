/**
 * The subscription registry: every subscription, from configuration
 * (`*_PRODUCTS`, `*_PAIRS`, discovery) and from the API, in one place. Each
 * venue's streams are reference counted across them: a stream is subscribed
 * while one subscription wants it and unsubscribed when the last one goes,
 * live, on the venue's open connections. API subscriptions are persisted
 * (write-behind, so a slow or absent store never blocks a request).
 *
 * @module
 */

import { type Clock, systemClock } from "../core/clock.ts";
import type { StoredSubscription } from "../store/types.ts";
import type {
  RegistryOptions,
  RegistryVenue,
  SubscriptionCounts,
  SubscriptionPersistence,
} from "./registry_types.ts";
import type { StreamSpec } from "../transport/types.ts";
import { resolveSubscription } from "./resolve.ts";
import { subscriptionStatus } from "./stream_status.ts";
import { StreamTable } from "./stream_table.ts";
import {
  type Subscription,
  SubscriptionError,
  type SubscriptionFilter,
  type SubscriptionRequest,
  type SubscriptionService,
  type SubscriptionSource,
  type SubscriptionStatus,
} from "./types.ts";

interface Entry {
  sub: Omit<Subscription, "status">;
  streams: StreamSpec[];
}

interface VenueState {
  venue: RegistryVenue;
  table: StreamTable;
  /** The configuration's streams, held once each. */
  base: StreamSpec[];
}

/**
 * The registry.
 *
 * @example Usage
 * ```ts ignore
 * const registry = new SubscriptionRegistry({ venues, persistence: writer });
 * registry.setBase("coinbase", streams, "config");
 * registry.create({ venue: "coinbase", channel: "matches", symbols: ["ETH-USD"], service: "risk" });
 * ```
 */
export class SubscriptionRegistry implements SubscriptionService {
  readonly #venues = new Map<string, VenueState>();
  readonly #entries = new Map<string, Entry>();
  readonly #persistence: SubscriptionPersistence | undefined;
  readonly #clock: Clock;
  readonly #newId: () => string;

  constructor(options: RegistryOptions) {
    for (const venue of options.venues) {
      this.#venues.set(venue.name, {
        venue,
        table: new StreamTable(),
        base: [],
      });
    }
    this.#persistence = options.persistence;
    this.#clock = options.clock ?? systemClock;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /**
   * Makes `streams` the configuration's streams of `venue` (at startup and
   * whenever discovery changes them); they show as one subscription per
   * channel, with `source`.
   */
  setBase(
    venue: string,
    streams: readonly StreamSpec[],
    source: Exclude<SubscriptionSource, "api">,
  ): void {
    const v = this.#venues.get(venue);
    if (v === undefined) return;
    const previous = v.base;
    v.base = [...new Map(streams.map((s) => [s.key, s])).values()];
    this.#change(v, v.base, previous);
    const byChannel = Map.groupBy(v.base, (s) => s.channel);
    for (const [id, e] of this.#entries) {
      if (e.sub.venue === venue && e.sub.source !== "api") {
        if (!byChannel.has(e.sub.channel)) this.#entries.delete(id);
      }
    }
    for (const [channel, specs] of byChannel) {
      const id = `config:${venue}:${channel}`;
      const had = this.#entries.get(id);
      this.#entries.set(id, {
        sub: {
          id,
          venue,
          channel,
          symbols: specs.filter((s) => s.symbol !== "").map((s) => s.symbol),
          service: "config",
          options: {},
          source,
          created_at: had?.sub.created_at ?? this.#now(),
        },
        streams: specs,
      });
    }
  }

  /**
   * Brings back persisted API subscriptions (ids and creation times kept)
   * and subscribes their streams. Ones that no longer resolve (a venue or
   * channel gone from this build or configuration) are skipped and named;
   * ids already present are ignored.
   */
  restore(stored: readonly StoredSubscription[]): {
    restored: number;
    skipped: { id: string; reason: string }[];
  } {
    let restored = 0;
    const skipped: { id: string; reason: string }[] = [];
    const duplicates: string[] = [];
    for (const s of stored) {
      if (this.#entries.has(s.id)) continue;
      try {
        // The stored channel has its options folded in already.
        const { options: _, ...request } = s;
        this.#add(request, s.id, s.createdAt).sub.options = { ...s.options };
        restored++;
      } catch (e) {
        skipped.push({ id: s.id, reason: (e as Error).message });
        // Held again meanwhile (e.g. re-created while the store was down).
        const existing = e instanceof SubscriptionError
          ? e.existing
          : undefined;
        if (existing !== undefined) duplicates.push(s.id);
      }
    }
    if (duplicates.length > 0) {
      this.#persistence?.deleteSubscriptions(duplicates);
    }
    return { restored, skipped };
  }

  create(request: SubscriptionRequest): Subscription {
    const e = this.#add(request, this.#newId(), this.#now());
    const { id, venue, channel, symbols, service, options, created_at } = e.sub;
    this.#persistence?.saveSubscription({
      id,
      venue,
      channel,
      symbols,
      service,
      options,
      createdAt: created_at,
    });
    return this.#view(e, this.#venues.get(venue)!.venue.statusIndex());
  }

  list(filter: SubscriptionFilter = {}): Subscription[] {
    const indexes = new Map<string, (s: StreamSpec) => SubscriptionStatus>();
    const out: Subscription[] = [];
    for (const e of this.#entries.values()) {
      const s = e.sub;
      if (filter.service !== undefined && s.service !== filter.service) {
        continue;
      }
      if (filter.venue !== undefined && s.venue !== filter.venue) continue;
      if (filter.channel !== undefined && s.channel !== filter.channel) {
        continue;
      }
      if (filter.symbol !== undefined && !this.#holds(e, filter.symbol)) {
        continue;
      }
      let index = indexes.get(s.venue);
      if (index === undefined) {
        index = this.#venues.get(s.venue)!.venue.statusIndex();
        indexes.set(s.venue, index);
      }
      const view = this.#view(e, index);
      if (filter.status === undefined || view.status === filter.status) {
        out.push(view);
      }
    }
    return out;
  }

  get(id: string): Subscription | undefined {
    const e = this.#entries.get(id);
    return e &&
      this.#view(e, this.#venues.get(e.sub.venue)!.venue.statusIndex());
  }

  remove(id: string): Subscription {
    const e = this.#entries.get(id);
    if (e === undefined) {
      throw new SubscriptionError("not_found", `no subscription ${id}`);
    }
    if (e.sub.source !== "api") {
      throw new SubscriptionError(
        "read_only",
        `subscription ${id} comes from the configuration; change the configuration to remove it`,
      );
    }
    return this.#drop([e])[0]!;
  }

  removeByService(service: string): Subscription[] {
    const mine = [...this.#entries.values()].filter((e) =>
      e.sub.service === service && e.sub.source === "api"
    );
    return this.#drop(mine);
  }

  catalog(): Record<string, readonly string[]> {
    const out: Record<string, readonly string[]> = {};
    for (const [name, v] of this.#venues) {
      out[name] = v.venue.catalog?.channels ?? [];
    }
    return out;
  }

  /** How many subscriptions, by source, and streams per venue. */
  counts(): SubscriptionCounts {
    let api = 0;
    for (const e of this.#entries.values()) if (e.sub.source === "api") api++;
    const streams: Record<string, number> = {};
    for (const [name, v] of this.#venues) streams[name] = v.table.wanted().size;
    return {
      total: this.#entries.size,
      api,
      config: this.#entries.size - api,
      streams,
    };
  }

  /** Resolves, checks and holds a subscription's streams; throws {@link SubscriptionError}. */
  #add(request: SubscriptionRequest, id: string, createdAt: string): Entry {
    const v = this.#venues.get(request.venue);
    if (v === undefined) {
      throw new SubscriptionError(
        "unknown_venue",
        `no venue ${request.venue} in this gateway (running: ${
          [...this.#venues.keys()].join(", ")
        })`,
        "venue",
      );
    }
    const { channel, symbols, options, streams } = resolveSubscription(
      v.venue.catalog,
      request,
    );
    for (const e of this.#entries.values()) {
      const s = e.sub;
      if (
        s.source === "api" && s.service === request.service &&
        s.venue === request.venue && s.channel === channel &&
        sameSet(s.symbols, symbols)
      ) {
        throw new SubscriptionError(
          "conflict",
          `service ${s.service} already holds this subscription (${s.id})`,
          undefined,
          this.#view(e, v.venue.statusIndex()),
        );
      }
    }
    const wanted = v.table.wanted();
    for (const s of streams) {
      const why = v.venue.catalog?.clash?.(s, wanted);
      if (why !== undefined) throw new SubscriptionError("conflict", why);
    }
    const entry: Entry = {
      sub: {
        id,
        venue: request.venue,
        channel,
        symbols,
        service: request.service,
        options,
        source: "api",
        created_at: createdAt,
      },
      streams,
    };
    this.#entries.set(id, entry);
    this.#change(v, streams, []);
    return entry;
  }

  #drop(entries: readonly Entry[]): Subscription[] {
    const out: Subscription[] = [];
    for (const e of entries) {
      const v = this.#venues.get(e.sub.venue)!;
      out.push(this.#view(e, v.venue.statusIndex()));
      this.#entries.delete(e.sub.id);
      this.#change(v, [], e.streams);
    }
    if (out.length > 0) {
      this.#persistence?.deleteSubscriptions(out.map((s) => s.id));
    }
    return out;
  }

  #change(
    v: VenueState,
    hold: readonly StreamSpec[],
    release: readonly StreamSpec[],
  ): void {
    const { added, removed } = v.table.change(hold, release);
    if (added.length === 0 && removed.length === 0) return;
    v.venue.apply([...v.table.wanted().values()], added, removed);
  }

  #holds(e: Entry, symbol: string): boolean {
    const upper = symbol.toUpperCase();
    if (e.sub.symbols.includes(upper)) return true;
    const native = this.#venues.get(e.sub.venue)?.venue.catalog?.nativeSymbol(
      symbol,
    );
    return native !== undefined && e.sub.symbols.includes(native);
  }

  #view(
    e: Entry,
    statusOf: (s: StreamSpec) => SubscriptionStatus,
  ): Subscription {
    return {
      ...e.sub,
      symbols: [...e.sub.symbols],
      options: { ...e.sub.options },
      status: subscriptionStatus(e.streams, statusOf),
    };
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
