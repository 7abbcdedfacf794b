/**
 * The gateway: wires config, venues, the pipeline, sinks and the HTTP API,
 * and owns their lifecycle, including graceful shutdown. The only module
 * that knows every part.
 *
 * @module
 */

import { errorText } from "./core/error_text.ts";
import { authRetryMs } from "./venues/auth_retry.ts";
import { createApi } from "./api/app.ts";
import type { GatewayView } from "./api/types.ts";
import type { Config } from "./config.ts";
import { type Clock, systemClock } from "./core/clock.ts";
import {
  type NormalizedEvent,
  statusEvent,
  type VenueName,
} from "./core/events.ts";
import { MetricsRegistry } from "./core/metrics.ts";
import { SINK_LATENCY_BUCKETS } from "./sinks/queue_stats.ts";
import { FeedPipeline } from "./core/pipeline.ts";
import { Router } from "./core/router.ts";
import { VenueStats } from "./core/stats.ts";
import { log } from "./logging.ts";
import { registerGatewayMetrics } from "./gateway_metrics.ts";
import {
  type GatewayState,
  healthReport,
  pairsReport,
  statsReport,
  summaryLines,
  type SummaryMark,
  type VenueRuntime,
} from "./reports.ts";
import { createSink } from "./sinks/create.ts";
import { BalanceStore } from "./sinks/balances.ts";
import { LatestStore } from "./sinks/latest.ts";
import type { Sink } from "./sinks/types.ts";
import { VenueSession } from "./transport/session.ts";
import type { ConnectionState, SocketFactory } from "./transport/types.ts";
import { VENUE_FACTORIES } from "./venues/registry.ts";
import { deadline } from "./core/async.ts";

/** Replaceable parts, for tests. */
export interface GatewayDeps {
  clock?: Clock;
  socketFactory?: SocketFactory;
}

/** Bad frames are logged with at most this many characters. */
const FRAME_SAMPLE = 200;

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
    const gw = new Gateway({
      config,
      clock,
      startedAt: clock.now(),
      venues: [],
      unavailable,
      sinks,
    }, metricsRegistry);
    try {
      gw.#listen();
    } catch (e) {
      await Promise.allSettled(sinks.map((s) => s.close()));
      throw e;
    }
    gw.#wire(deps);
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

  #wire(deps: GatewayDeps): void {
    const { config, clock, sinks } = this.#state;
    const router = new Router([
      { filter: {}, sink: this.store },
      // Takes balance events only, itself (no second filter per event).
      { filter: {}, sink: this.balanceStore },
      // Sinks were created from config.sinks, in order.
      ...sinks.map((sink, i) => ({ filter: config.sinks[i]!.filter, sink })),
    ]);
    const processing = registerGatewayMetrics(
      this.metricsRegistry,
      this.#state,
    );
    const runtimes: VenueRuntime[] = [];
    for (const name of config.venues) {
      const factory = VENUE_FACTORIES[name];
      if (factory === undefined) continue;
      const stats = new VenueStats(name);
      const definition = factory(config, stats);
      const pipeline = new FeedPipeline({
        parser: definition.parser,
        stats,
        sink: router,
        processing,
        hooks: {
          ...pipelineHooks(name, stats),
          onRenew: (id) => session.renew(id, "the venue announced a shutdown"),
          onUnauthorized: (id) =>
            session.suspend(
              id,
              "authentication failed",
              authRetryMs(config.transport.breakerCooldownSec),
            ),
        },
      });
      const details = new Map<string, string>();
      const wasOpen = new Set<string>();
      const session = new VenueSession({
        venue: name,
        protocol: definition.protocol,
        onFrame: (id, data, ts) => pipeline.handle(id, data, ts),
        onRenew: (r) =>
          log("venue", name).info(
            r.done
              ? "{to} is live; {from} closes (renewed)"
              : "Renewing {from} make-before-break via {to}: {reason}",
            { ...r },
          ),
        onStateChange: (id, st, detail) => {
          details.set(id, detail);
          const ev = connectionStatus(
            name,
            id,
            st,
            detail,
            wasOpen,
            clock.now(),
          );
          if (st === "open") pipeline.connectionOpened(id);
          if (ev) pipeline.inject([ev]);
        },
        connection: {
          clock,
          ...(deps.socketFactory ? { socketFactory: deps.socketFactory } : {}),
          connectTimeoutMs: config.transport.connectTimeoutMs,
          staleMs: config.transport.staleSec * 1000,
          backoff: {
            baseMs: config.transport.reconnectBaseMs,
            capMs: config.transport.reconnectMaxMs,
          },
          breaker: {
            threshold: config.transport.breakerThreshold,
            cooldownMs: config.transport.breakerCooldownSec * 1000,
          },
        },
      });
      session.setDesired(definition.streams);
      runtimes.push({ definition, stats, session, details });
      definition.start?.({
        clock,
        setStreams: (streams) => session.setDesired(streams),
        emit: (events) => pipeline.inject(events),
        resubscribe: (keys) => session.resubscribe(keys),
        renew: (id, reason) => session.renew(id, reason),
      }).catch((e) =>
        log("venue", name).error("Venue startup failed: {error}", {
          error: errorText(e),
        })
      );
    }
    this.#state.venues.push(...runtimes);
    for (const r of runtimes) r.session.start();
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

  get apiKey(): string | undefined {
    return this.#state.config.apiKey;
  }

  countRequest(route: string, status: number): void {
    this.#http.labels(route, String(status)).inc();
  }

  /**
   * Graceful shutdown: stop reading (close exchange sockets), flush and close
   * sinks, stop the HTTP server. Bounded by `SHUTDOWN_TIMEOUT_MS`.
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
    if (this.#server) {
      await step("stopping the HTTP server", this.#server.shutdown());
    }
    log("app").info("Stopped after {ms} ms", { ms: Date.now() - t0 });
  }
}

/** Turns connection state changes into `connected`/`disconnected`/`error` events. */
function connectionStatus(
  venue: VenueName,
  id: string,
  state: ConnectionState,
  detail: string,
  wasOpen: Set<string>,
  ts: number,
): NormalizedEvent | undefined {
  const base = { venue, connection: id, symbol: "*", nativeSymbol: "*", ts };
  if (state === "open") {
    wasOpen.add(id);
    log("venue", venue).info("{id} connected", { id });
    return statusEvent({ ...base, state: "connected", detail });
  }
  if (state === "breaker-open") {
    log("venue", venue).error("{id}: {detail}", { id, detail });
    return statusEvent({ ...base, state: "error", detail });
  }
  if (state === "closed") {
    log("venue", venue).info("{id} closed", { id });
    return wasOpen.delete(id)
      ? statusEvent({ ...base, state: "disconnected", detail })
      : undefined;
  }
  if (state === "connecting" || state === "idle") {
    log("venue", venue).debug("{id}: {detail}", { id, detail });
    return undefined;
  }
  if (wasOpen.delete(id)) {
    log("venue", venue).warn("{id} disconnected: {detail}", { id, detail });
    return statusEvent({ ...base, state: "disconnected", detail });
  }
  if (state === "backoff") {
    log("venue", venue).warn("{id} cannot connect: {detail}", { id, detail });
  }
  return undefined;
}

/** Logging for bad frames (throttled by the logger) and status events. */
function pipelineHooks(venue: VenueName, stats: VenueStats) {
  const logger = log("venue", venue);
  return {
    onAck(id: string) {
      const acked = stats.acked.get(id) ?? {};
      const channels = Object.entries(acked).map(([name, symbols]) =>
        symbols.length > 0 ? `${name} (${symbols.length})` : name
      );
      logger.info("{id} subscribed: {channels}", {
        id,
        channels: channels.join(", "),
      });
    },
    onBadFrame(outcome: "malformed" | "invalid", frame: string, id: string) {
      logger.warn("{id}: {outcome} frame ignored: {sample}", {
        id,
        outcome,
        sample: frame.length > FRAME_SAMPLE
          ? frame.slice(0, FRAME_SAMPLE) + "…"
          : frame,
      });
    },
    onStatus(e: NormalizedEvent & { kind: "status" }) {
      if (e.state === "gap" || e.state === "error") {
        logger.warn("{id} {symbol}: {state}: {detail}", {
          id: e.connection,
          symbol: e.symbol,
          state: e.state,
          detail: e.detail,
        });
      }
    },
  };
}
