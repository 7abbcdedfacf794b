/**
 * What the gateway reports about itself: `/health`, `/stats`, `/pairs`, the
 * Prometheus metrics and the periodic summary line, all computed from the
 * live runtime state on request (the hot path only bumps plain counters).
 *
 * @module
 */

import type { HealthReport } from "./api/types.ts";
import type { Config } from "./config.ts";
import type { Clock } from "./core/clock.ts";
import type { VenueName } from "./core/events.ts";
import type { VenueStats } from "./core/stats.ts";
import type { Sink } from "./sinks/types.ts";
import type { StoreWriter } from "./store/writer.ts";
import type { SubscriptionRegistry } from "./subscriptions/registry.ts";
import { isQueueStats } from "./sinks/queue_stats.ts";
import type { VenueSession } from "./transport/session.ts";
import type { ConnectionState } from "./transport/types.ts";
import type { Pair, VenueDefinition } from "./venues/types.ts";

/** A running venue. */
export interface VenueRuntime {
  definition: VenueDefinition;
  stats: VenueStats;
  session: VenueSession;
  /** Last state-change detail per connection id. */
  details: Map<string, string>;
}

/** Everything the reports read. */
export interface GatewayState {
  config: Config;
  clock: Clock;
  startedAt: number;
  venues: VenueRuntime[];
  /** Venues named in `VENUES` that this build does not implement. */
  unavailable: readonly VenueName[];
  sinks: readonly Sink[];
  /** The store's writer (its health). */
  storeWriter: StoreWriter;
  /** Set once the venues are wired. */
  registry: SubscriptionRegistry | undefined;
}

const PAIR_SAMPLE = 20;

function ageSec(now: number, ts: number | undefined): number | null {
  return ts === undefined || ts === 0
    ? null
    : Math.round((now - ts) / 100) / 10;
}

/** Per-connection state for health and stats. */
function connections(state: GatewayState, v: VenueRuntime) {
  const now = state.clock.now();
  return v.session.connections.map((c) => ({
    id: c.id,
    state: c.state as ConnectionState,
    detail: v.details.get(c.id) ?? "",
    lastFrameAgeSec: ageSec(now, c.lastFrameAt),
    streams: v.session.streamsOf(c.id).length,
  }));
}

/** Whether a venue has an open connection that delivered a recent frame. */
function venueLive(state: GatewayState, v: VenueRuntime): boolean {
  const now = state.clock.now();
  const staleMs = state.config.health.staleSec * 1000;
  return v.session.connections.some((c) =>
    c.state === "open" && c.lastFrameAt !== undefined &&
    now - c.lastFrameAt <= staleMs
  );
}

function sinkSummary(state: GatewayState, s: Sink) {
  const { lastPublishTs, lastError, ...st } = s.stats();
  return {
    scheme: s.scheme,
    ...st,
    lastPublishAgeSec: ageSec(state.clock.now(), lastPublishTs),
    lastError: lastError ?? null,
  };
}

/** A warning per sink that is not delivering (events wait in its spool). */
function sinkWarnings(state: GatewayState): string[] {
  const out: string[] = [];
  for (const s of state.sinks) {
    const st = s.stats();
    if (!isQueueStats(st) || st.connected) continue;
    out.push(
      `sink ${s.name}: not delivering (breaker ${st.breaker}, ${st.spooledEvents} events spooled): ${
        st.lastError ?? "connecting"
      }`,
    );
  }
  return out;
}

/**
 * `/health`: ok when every implemented venue has a live connection that
 * delivered a frame within `HEALTH_STALE_SEC`; `starting` (still 200) during
 * the startup grace period; otherwise `unhealthy` (503).
 */
export function healthReport(state: GatewayState): HealthReport {
  const now = state.clock.now();
  const problems: string[] = [];
  const warnings: string[] = [];
  const venues: Record<string, unknown> = {};
  for (const v of state.venues) {
    warnings.push(...v.definition.warnings?.() ?? []);
    problems.push(...v.definition.problems?.() ?? []);
    const live = venueLive(state, v);
    if (!live) {
      problems.push(
        `${v.definition.name}: no connection delivered a frame in the last ${state.config.health.staleSec} s`,
      );
    }
    venues[v.definition.name] = {
      live,
      lastFrameAgeSec: ageSec(now, v.stats.lastFrameTs),
      connections: connections(state, v),
    };
  }
  for (const name of state.unavailable) {
    venues[name] = { live: false, detail: "not implemented in this build" };
  }
  // Degraded delivery or persistence: reported; failing only when strict.
  const degraded = [...sinkWarnings(state)];
  const store = state.storeWriter.health();
  if (store.state === "degraded" || store.state === "connecting") {
    degraded.push(
      `store ${store.kind}: ${store.state} (${store.pendingWrites} writes pending)${
        store.lastError ? `: ${store.lastError}` : ""
      }`,
    );
  }
  (state.config.health.strict ? problems : warnings).push(...degraded);
  const sinks: Record<string, unknown> = {};
  for (const s of state.sinks) sinks[s.name] = sinkSummary(state, s);
  const inGrace = now - state.startedAt < state.config.health.graceSec * 1000;
  return {
    status: problems.length === 0 ? "ok" : inGrace ? "starting" : "unhealthy",
    problems,
    warnings,
    uptimeSec: Math.round((now - state.startedAt) / 1000),
    venues,
    sinks,
    store: { ...store },
    subscriptions: subscriptionSummary(state),
  };
}

/** Subscriptions by status and source, and streams wanted per venue. */
function subscriptionSummary(state: GatewayState) {
  const all = state.registry?.list() ?? [];
  const count = (f: (s: (typeof all)[number]) => boolean) =>
    all.filter(f).length;
  return {
    total: all.length,
    active: count((s) => s.status === "active"),
    pending: count((s) => s.status === "pending"),
    rejected: count((s) => s.status === "rejected"),
    api: count((s) => s.source === "api"),
    streams: state.registry?.counts().streams ?? {},
  };
}

/** `/stats`: counters per venue and connection, sinks, pairs. */
export function statsReport(state: GatewayState): Record<string, unknown> {
  const venues: Record<string, unknown> = {};
  let pairCount = 0;
  const sample: string[] = [];
  for (const v of state.venues) {
    const s = v.stats;
    const conns = v.session.connections;
    const pairs = v.definition.pairs();
    pairCount += pairs.length;
    for (const p of pairs) {
      if (sample.length < PAIR_SAMPLE) sample.push(`${s.venue}:${p.symbol}`);
    }
    venues[s.venue] = {
      frames: s.frames,
      events: s.events,
      malformedFrames: s.malformed,
      invalidFrames: s.invalid,
      unknownFrames: s.unknown,
      duplicatesDropped: s.duplicates,
      gaps: s.gaps,
      missedMessages: s.missed,
      venueErrors: s.venueErrors,
      lastVenueError: s.lastVenueError ?? null,
      subscribeAcks: s.acks,
      rejectedStreams: Object.fromEntries(s.rejected),
      reconnects: conns.reduce((n, c) => n + c.stats.reconnects, 0),
      connections: connections(state, v).map((c, i) => ({
        ...c,
        ...conns[i]!.stats,
        acked: s.acked.get(c.id) ?? null,
      })),
    };
  }
  const sinks: Record<string, unknown> = {};
  for (const sink of state.sinks) sinks[sink.name] = sinkSummary(state, sink);
  return {
    uptimeSec: Math.round((state.clock.now() - state.startedAt) / 1000),
    venues,
    sinks,
    store: state.storeWriter.health(),
    // Counts only: the list (with service names) is behind the API key.
    subscriptions: subscriptionSummary(state),
    pairs: { count: pairCount, sample },
  };
}

/**
 * `/pairs`: the monitored pairs per venue, from the configuration (or
 * discovery) and from API subscriptions, each with the services holding it.
 */
export function pairsReport(state: GatewayState): Record<string, unknown> {
  const venues: Record<string, unknown> = {};
  const subs = state.registry?.list({}) ?? [];
  for (const v of state.venues) {
    const name = v.definition.name;
    const carriers = new Map<string, string>();
    for (const c of v.session.connections) {
      for (const s of v.session.streamsOf(c.id)) {
        if (!carriers.has(s.symbol)) carriers.set(s.symbol, c.id);
      }
    }
    const services = new Map<string, Set<string>>();
    for (const s of subs) {
      if (s.venue !== name || s.source !== "api") continue;
      for (const sym of s.symbols) {
        let set = services.get(sym);
        if (set === undefined) services.set(sym, set = new Set());
        set.add(s.service);
      }
    }
    const pairs: Pair[] = [...v.definition.pairs()];
    const known = new Set(pairs.map((p) => p.nativeSymbol));
    for (const native of services.keys()) {
      if (known.has(native)) continue;
      const symbol = v.definition.catalog?.unifiedSymbol(native) ?? native;
      pairs.push({ symbol, nativeSymbol: native, source: "api" });
    }
    venues[name] = pairs.map((p) => ({
      symbol: p.symbol,
      nativeSymbol: p.nativeSymbol,
      source: p.source ?? "explicit",
      ...(p.rank === undefined ? {} : { rank: p.rank }),
      services: [...services.get(p.nativeSymbol) ?? []],
      connection: carriers.get(p.nativeSymbol) ?? null,
      status: v.stats.symbolStatus.get(p.nativeSymbol) ?? null,
      frames: v.stats.bySymbol.get(p.nativeSymbol)?.frames ?? 0,
    }));
  }
  return { venues };
}

/** Frames and events seen at the previous summary, for rates. */
export interface SummaryMark {
  at: number;
  frames: Map<string, number>;
}

/**
 * One log line per venue and sink: is data flowing, and if not, why.
 * Returns the lines and updates `mark` for the next call.
 */
export function summaryLines(state: GatewayState, mark: SummaryMark): string[] {
  const now = state.clock.now();
  const secs = Math.max(0.001, (now - mark.at) / 1000);
  const lines: string[] = [];
  for (const v of state.venues) {
    const s = v.stats;
    const conns = v.session.connections;
    const open = conns.filter((c) => c.state === "open").length;
    const rate = (s.frames - (mark.frames.get(s.venue) ?? 0)) / secs;
    mark.frames.set(s.venue, s.frames);
    let line = `${s.venue}: ${open}/${conns.length} connections open, ` +
      `${s.frames} frames (${rate.toFixed(1)}/s), ` +
      `trades ${s.events.trade}, tickers ${s.events.ticker}, books ${s.events.book}, ` +
      `gaps ${s.gaps}, bad frames ${s.malformed + s.invalid}`;
    const down = conns.filter((c) => c.state !== "open");
    if (down.length > 0) {
      line += "; " +
        down.map((c) => `${c.id} ${c.state}: ${v.details.get(c.id) ?? ""}`)
          .join("; ");
    }
    lines.push(line);
  }
  for (const sink of state.sinks) {
    const st = sink.stats();
    lines.push(
      `sink ${sink.name}: ${st.published} published, ${st.queued} queued, ` +
        `${st.failed} failed, ${st.dropped} dropped` +
        (isQueueStats(st)
          ? `, ${st.spooledEvents} spooled, breaker ${st.breaker}`
          : "") +
        (st.lastError ? `; last error: ${st.lastError}` : ""),
    );
  }
  mark.at = now;
  return lines;
}
