/**
 * Test doubles for the API tests: an in-memory {@link SubscriptionService}
 * that answers like the registry's interface documents (typed
 * {@link SubscriptionError}s, options folded into the channel name, native
 * symbols, config subscriptions read-only), and a {@link GatewayView} around
 * it. Not for production use.
 *
 * @module
 */

import type { GatewayView } from "./types.ts";
import {
  type Subscription,
  SubscriptionError,
  type SubscriptionFilter,
  type SubscriptionRequest,
  type SubscriptionService,
} from "../subscriptions/types.ts";

/** Venues and channels of the fake unless given others. */
export const FAKE_CATALOG: Record<string, readonly string[]> = {
  bybit: ["trade", "orderbook", "kline"],
  binance: ["trade", "depth", "kline"],
};

/** `BTC-USDT` → `BTCUSDT`. */
const native = (symbol: string) => symbol.replaceAll("-", "").toUpperCase();

/**
 * An in-memory registry. Ids are `sub-1`, `sub-2`, …; creation times count
 * seconds from the epoch.
 *
 * @example Usage
 * ```ts
 * const registry = new FakeRegistry();
 * registry.create({ venue: "bybit", channel: "trade", symbols: ["BTC-USDT"], service: "s" });
 * ```
 */
export class FakeRegistry implements SubscriptionService {
  readonly #catalog: Record<string, readonly string[]>;
  readonly #subs: Subscription[] = [];
  #next = 1;

  constructor(catalog: Record<string, readonly string[]> = FAKE_CATALOG) {
    this.#catalog = catalog;
  }

  /** Adds a subscription as configuration would (source `config`, active). */
  seed(request: SubscriptionRequest): Subscription {
    const sub = this.#build(request, "config");
    sub.status = "active";
    this.#subs.push(sub);
    return sub;
  }

  create(request: SubscriptionRequest): Subscription {
    const channels = this.#catalog[request.venue];
    if (channels === undefined) {
      throw new SubscriptionError(
        "unknown_venue",
        `no venue ${request.venue}`,
        "venue",
      );
    }
    if (!channels.includes(request.channel)) {
      throw new SubscriptionError(
        "unknown_channel",
        `${request.venue} has no channel ${request.channel}`,
        "channel",
      );
    }
    if (
      request.options?.depth !== undefined && request.channel !== "orderbook"
    ) {
      throw new SubscriptionError(
        "invalid",
        `${request.channel} takes no depth`,
        "options.depth",
      );
    }
    const sub = this.#build(request, "api");
    const key = (s: Subscription) =>
      [s.service, s.venue, s.channel, [...s.symbols].sort().join(",")].join(
        "|",
      );
    const existing = this.#subs.find((s) => key(s) === key(sub));
    if (existing !== undefined) {
      throw new SubscriptionError(
        "conflict",
        `${sub.service} already holds this subscription`,
        undefined,
        existing,
      );
    }
    this.#subs.push(sub);
    return sub;
  }

  list(filter: SubscriptionFilter = {}): Subscription[] {
    return this.#subs.filter((s) =>
      (filter.service === undefined || s.service === filter.service) &&
      (filter.venue === undefined || s.venue === filter.venue) &&
      (filter.channel === undefined || s.channel === filter.channel) &&
      (filter.status === undefined || s.status === filter.status) &&
      (filter.symbol === undefined || s.symbols.includes(native(filter.symbol)))
    );
  }

  get(id: string): Subscription | undefined {
    return this.#subs.find((s) => s.id === id);
  }

  remove(id: string): Subscription {
    const index = this.#subs.findIndex((s) => s.id === id);
    const sub = this.#subs[index];
    if (sub === undefined) {
      throw new SubscriptionError("not_found", `no subscription ${id}`);
    }
    if (sub.source !== "api") {
      throw new SubscriptionError(
        "read_only",
        `${id} comes from configuration and cannot be removed over the API`,
      );
    }
    this.#subs.splice(index, 1);
    return sub;
  }

  removeByService(service: string): Subscription[] {
    const removed = this.#subs.filter((s) =>
      s.service === service && s.source === "api"
    );
    for (const sub of removed) this.#subs.splice(this.#subs.indexOf(sub), 1);
    return removed;
  }

  catalog(): Record<string, readonly string[]> {
    return this.#catalog;
  }

  #build(
    request: SubscriptionRequest,
    source: Subscription["source"],
  ): Subscription {
    const n = this.#next++;
    const options = request.options ?? {};
    const suffix = options.depth ?? options.interval;
    return {
      id: `sub-${n}`,
      venue: request.venue,
      channel: suffix === undefined
        ? request.channel
        : `${request.channel}.${suffix}`,
      symbols: request.symbols.map(native),
      service: request.service,
      options,
      source,
      status: "pending",
      created_at: new Date(n * 1000).toISOString(),
    };
  }
}

/**
 * A gateway view for API tests: healthy, empty, with `registry` behind
 * `/api/v1/subscriptions`; `overrides` replace any member.
 *
 * @example Usage
 * ```ts
 * const view = fakeView({ apiKey: "k", apiRateLimit: 3 });
 * ```
 */
export function fakeView(overrides: Partial<GatewayView> = {}): GatewayView {
  return {
    health: () => ({
      status: "ok",
      problems: [],
      warnings: [],
      uptimeSec: 1,
      venues: {},
      sinks: {},
      store: {},
      subscriptions: {},
    }),
    stats: () => ({ venues: {} }),
    metrics: () => "up 1\n",
    pairs: () => ({ venues: {} }),
    latest: () => [],
    balances: () => [],
    apiKey: undefined,
    subscriptions: new FakeRegistry(),
    apiRateLimit: 0,
    countRequest: () => {},
    ...overrides,
  };
}
