/**
 * The gateway: wires config, venues, the pipeline, sinks and the HTTP API,
 * and owns their lifecycle, including graceful shutdown. The only module
 * that knows every part.
 *
 * @module
 */

import { createApi } from "./api/app.ts";
import type { GatewayView } from "./api/types.ts";
import type { Config } from "./config.ts";
import { deadline } from "./core/async.ts";
import { type Clock, systemClock } from "./core/clock.ts";
import { errorText } from "./core/error_text.ts";
import { MetricsRegistry } from "./core/metrics.ts";
import type { EventKind } from "./core/events.ts";
import { Router } from "./core/router.ts";
import { VenueStats } from "./core/stats.ts";
import { registerGatewayMetrics } from "./gateway_metrics.ts";
import { log } from "./logging.ts";
import {
  type GatewayState,
  healthReport,
  pairsReport,
  statsReport,
  summaryLines,
  type SummaryMark,
  type VenueRuntime,
} from "./reports.ts";
import { BalanceStore } from "./sinks/balances.ts";
import { createSink } from "./sinks/create.ts";
import { LatestStore } from "./sinks/latest.ts";
import { SINK_LATENCY_BUCKETS } from "./sinks/queue_stats.ts";
import type { Sink } from "./sinks/types.ts";
import { createStore } from "./store/create.ts";
import type { Store } from "./store/types.ts";
import { type Restored, StoreWriter } from "./store/writer.ts";
import { SubscriptionRegistry } from "./subscriptions/registry.ts";
import type { SocketFactory } from "./transport/types.ts";
import { denoSocketFactory } from "./transport/connection.ts";
import {
  baseSource,
  registryVenue,
  type WiredVenue,
  wireVenue,
} from "./venue_wiring.ts";
import { VENUE_FACTORIES } from "./venues/registry.ts";

/** Replaceable parts, for tests. */
export interface GatewayDeps {
  clock?: Clock;
  socketFactory?: SocketFactory;
  /** @default the store `DATABASE_URL` or `DATA_DIR` names */
  store?: Store;
}

/** How long startup waits for the store before going on without it. */
const STORE_WAIT_MS = 5_000;
/** The kinds the balance store and the store writer take. */
const BALANCES: ReadonlySet<EventKind> = new Set(["balance"]);

/**
 * A running tickgate.
 *
 * @example Usage
 * ```ts
 * const gw = await Gateway.start(config);
 * // … later
 * await gw.stop();
 * ```
 */
export class Gateway implements GatewayView {
  /** Last trade and best bid/ask per symbol. */
  readonly store = new LatestStore();
  /** Current account balances from private streams. */
  readonly balanceStore = new BalanceStore();
  readonly metricsRegistry: MetricsRegistry;
  readonly #state: GatewayState;
  readonly #http;
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  #summaryTimer: number | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(state: GatewayState, registry: MetricsRegistry) {
    this.#state = state;
    this.metricsRegistry = registry;
    this.#http = this.metricsRegistry.counter(
      "tickgate_http_responses_total",
      "HTTP responses by route and status",
      ["route", "status"],
    );
  }

  /** Starts sinks, the HTTP server and every configured venue. */
  static async start(config: Config, deps: GatewayDeps = {}): Promise<Gateway> {
    const clock = deps.clock ?? systemClock;
    const metricsRegistry = new MetricsRegistry();
    const latency = metricsRegistry.histogram(
      "tickgate_sink_latency_seconds",
      "Receive to acknowledged-by-the-sink latency per event",
      ["sink"],
      SINK_LATENCY_BUCKETS,
    );
    const sinks = config.sinks.map((spec) =>
      createSink(spec, {
        ...config.sinkSettings,
        dataDir: config.dataDir,
        latency: (name) => latency.labels(name),
      })
    );
    const started: Sink[] = [];
    try {
      for (const s of sinks) {
        await s.start();
        started.push(s);
        log("app").info("Sink {name} ({scheme}) ready", {
          name: s.name,
          scheme: s.scheme,
        });
      }
    } catch (e) {
      await Promise.allSettled(started.map((s) => s.close()));
      throw e;
    }
    const unavailable = config.venues.filter((v) => !VENUE_FACTORIES[v]);
    for (const name of unavailable) {
      log("app").warn(
        "Venue {venue} is not implemented in this build; skipping it",
        { venue: name },
      );
    }
    // A store that comes back after startup restores then (onRestore).
    const later: { gw?: Gateway; restored?: Restored } = {};
    let store: Store;
    try {
      store = deps.store ?? await createStore(config);
    } catch (e) {
      await Promise.allSettled(sinks.map((s) => s.close()));
      throw e;
    }
    const storeWriter = new StoreWriter(store, {
      clock,
      onRestore: (r) => later.gw ? later.gw.#restore(r) : later.restored = r,
    });
    const restored = await storeWriter.start(STORE_WAIT_MS) ?? later.restored;
    const gw = new Gateway({
      config,
      clock,
      startedAt: clock.now(),
      venues: [],
      unavailable,
      sinks,
      storeWriter,
      registry: undefined,
    }, metricsRegistry);
    const wired = gw.#wire(deps);
    try {
      gw.#listen();
    } catch (e) {
      await Promise.allSettled([
        ...sinks.map((s) => s.close()),
        storeWriter.close(),
      ]);
      throw e;
    }
    gw.#run(wired);
    if (restored) gw.#restore(restored);
    later.gw = gw;
    gw.#startSummary();
    return gw;
  }

  #listen(): void {
    const { host, port } = this.#state.config;
    this.#server = Deno.serve(
      { hostname: host, port, onListen: () => {} },
      createApi(this).fetch,
    );
    log("app").info("HTTP API listening on http://{host}:{port}", {
      host,
      port: this.#server.addr.port,
    });
  }

  #startSummary(): void {
    const { config, clock } = this.#state;
    if (config.summaryIntervalSec === 0) return;
    const mark: SummaryMark = { at: clock.now(), frames: new Map() };
    this.#summaryTimer = setInterval(() => {
      for (const line of summaryLines(this.#state, mark)) {
        log("summary").info(line);
      }
    }, config.summaryIntervalSec * 1000) as unknown as number;
  }

  /** Builds the router, the venues and the registry; nothing connects yet. */
  #wire(deps: GatewayDeps): WiredVenue[] {
    const { config, clock, sinks, storeWriter } = this.#state;
    const router = new Router([
      { filter: {}, sink: this.store },
      // Balance events only: the router never calls them for other kinds.
      { filter: { kinds: BALANCES }, sink: this.balanceStore },
      { filter: { kinds: BALANCES }, sink: storeWriter },
      // Sinks were created from config.sinks, in order.
      ...sinks.map((sink, i) => ({ filter: config.sinks[i]!.filter, sink })),
    ]);
    const processing = registerGatewayMetrics(
      this.metricsRegistry,
      this.#state,
    );
    const wired: WiredVenue[] = [];
    for (const name of config.venues) {
      const factory = VENUE_FACTORIES[name];
      if (factory === undefined) continue;
      const stats = new VenueStats(name);
      wired.push(wireVenue(factory(config, stats), stats, {
        config,
        clock,
        socketFactory: deps.socketFactory ??
          (config.transport.wsClient === "deno"
            ? denoSocketFactory
            : undefined),
        sink: router,
        processing,
      }));
    }
    const registry = new SubscriptionRegistry({
      venues: wired.map((w) => registryVenue(w.runtime)),
      persistence: storeWriter,
      clock,
    });
    this.#state.registry = registry;
    for (const { runtime } of wired) {
      const { definition } = runtime;
      registry.setBase(
        definition.name,
        definition.streams,
        baseSource(definition),
      );
    }
    return wired;
  }

  /** Starts the venues' own work and their connections. */
  #run(wired: readonly WiredVenue[]): void {
    const { clock } = this.#state;
    const registry = this.#registry;
    for (const { runtime, pipeline } of wired) {
      const { definition, session } = runtime;
      const name = definition.name;
      definition.start?.({
        clock,
        setStreams: (streams) =>
          registry.setBase(name, streams, baseSource(definition)),
        emit: (events) => pipeline.inject(events),
        resubscribe: (keys) => session.resubscribe(keys),
        renew: (id, reason) => session.renew(id, reason),
      }).catch((e) =>
        log("venue", name).error("Venue startup failed: {error}", {
          error: errorText(e),
        })
      );
    }
    this.#state.venues.push(...wired.map((w) => w.runtime));
    for (const w of wired) w.runtime.session.start();
  }

  /** Subscriptions and balances read back from the store. */
  #restore(restored: Restored): void {
    this.balanceStore.restore(restored.balances);
    const { restored: n, skipped } = this.#registry.restore(
      restored.subscriptions,
    );
    log("app").info("Restored {count} API subscriptions from the store", {
      count: n,
    });
    for (const s of skipped) {
      log("app").warn("Stored subscription {id} not restored: {reason}", {
        ...s,
      });
    }
  }

  /** The port the HTTP API listens on (0 when not serving). */
  get port(): number {
    return this.#server?.addr.port ?? 0;
  }

  /** Running venues (for tests and reports). */
  get venues(): readonly VenueRuntime[] {
    return this.#state.venues;
  }

  /** Running sinks. */
  get sinks(): readonly Sink[] {
    return this.#state.sinks;
  }

  health: GatewayView["health"] = () => healthReport(this.#state);
  stats: GatewayView["stats"] = () => statsReport(this.#state);
  pairs: GatewayView["pairs"] = () => pairsReport(this.#state);
  metrics: GatewayView["metrics"] = () => this.metricsRegistry.expose();

  latest: GatewayView["latest"] = (symbols) => this.store.query(symbols);
  balances: GatewayView["balances"] = (venue) => this.balanceStore.list(venue);

  /** The subscription registry (config and API subscriptions). */
  get subscriptions(): SubscriptionRegistry {
    return this.#registry;
  }

  get #registry(): SubscriptionRegistry {
    const r = this.#state.registry;
    if (r === undefined) throw new Error("the gateway is not wired yet");
    return r;
  }

  get apiRateLimit(): number {
    return this.#state.config.apiRateLimit;
  }

  get apiKey(): string | undefined {
    return this.#state.config.apiKey;
  }

  countRequest(route: string, status: number): void {
    this.#http.labels(route, String(status)).inc();
  }

  /**
   * Graceful shutdown: stop the HTTP server (in-flight requests finish),
   * stop reading (close exchange sockets), flush and close sinks, then the
   * store. Bounded by `SHUTDOWN_TIMEOUT_MS`.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    clearInterval(this.#summaryTimer);
    const budget = this.#state.config.shutdownTimeoutMs;
    const t0 = Date.now();
    const left = () => Math.max(100, budget - (Date.now() - t0));
    const step = async (what: string, p: Promise<unknown>) => {
      try {
        await deadline(p, left(), what);
      } catch (e) {
        log("app").warn("Shutdown step {what} did not finish: {error}", {
          what,
          error: errorText(e),
        });
      }
    };
    // First, so no request changes subscriptions that can no longer be kept.
    if (this.#server) {
      await step("stopping the HTTP server", this.#server.shutdown());
    }
    await step(
      "closing exchange connections",
      Promise.all(this.#state.venues.map(async (v) => {
        await v.definition.stop?.();
        await v.session.close();
      })),
    );
    await step(
      "flushing sinks",
      Promise.all(this.#state.sinks.map((s) => s.close())),
    );
    await step("flushing the store", this.#state.storeWriter.close());
    log("app").info("Stopped after {ms} ms", { ms: Date.now() - t0 });
  }
}
