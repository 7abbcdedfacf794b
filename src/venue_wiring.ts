/**
 * One venue wired up: its parser feeding the pipeline, its session holding
 * the connections, connection state turned into status events and logs.
 * The gateway builds one per configured venue.
 *
 * @module
 */

import { type Clock } from "./core/clock.ts";
import {
  type NormalizedEvent,
  statusEvent,
  type VenueName,
} from "./core/events.ts";
import type { EventSink } from "./core/events.ts";
import { FeedPipeline } from "./core/pipeline.ts";
import type { HistogramValue } from "./core/metrics.ts";
import { VenueStats } from "./core/stats.ts";
import { log } from "./logging.ts";
import type { Config } from "./config.ts";
import type { VenueRuntime } from "./reports.ts";
import { VenueSession } from "./transport/session.ts";
import type { ConnectionState, SocketFactory } from "./transport/types.ts";
import { authRetryMs } from "./venues/auth_retry.ts";
import type { VenueDefinition } from "./venues/types.ts";
import type { RegistryVenue } from "./subscriptions/registry_types.ts";
import { streamStatusIndex } from "./subscriptions/stream_status.ts";

/** Bad frames are logged with at most this many characters. */
const FRAME_SAMPLE = 200;

/** What {@link wireVenue} needs. */
export interface VenueWiring {
  config: Config;
  clock: Clock;
  socketFactory?: SocketFactory | undefined;
  /** Where normalized events go (the router). */
  sink: EventSink;
  processing: HistogramValue;
}

/** A wired venue: its runtime and the pipeline that takes its events. */
export interface WiredVenue {
  runtime: VenueRuntime;
  pipeline: FeedPipeline;
}

/**
 * Wires `definition`: a pipeline over its parser and a session over its
 * protocol. Nothing connects until the session starts.
 *
 * @example Usage
 * ```ts ignore
 * const { runtime } = wireVenue(definition, stats, { config, clock, sink: router, processing });
 * runtime.session.start();
 * ```
 */
export function wireVenue(
  definition: VenueDefinition,
  stats: VenueStats,
  w: VenueWiring,
): WiredVenue {
  const { config, clock } = w;
  const name = definition.name;
  const pipeline = new FeedPipeline({
    parser: definition.parser,
    stats,
    sink: w.sink,
    processing: w.processing,
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
    onFrame: (id, data, ts, more) => pipeline.handle(id, data, ts, more),
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
      ...(w.socketFactory ? { socketFactory: w.socketFactory } : {}),
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
  return { runtime: { definition, stats, session, details }, pipeline };
}

/**
 * The registry's handle on a wired venue: a change of the wanted streams
 * goes to the venue first (per-stream state), then to its session, which
 * sends only the difference on the open connections.
 */
export function registryVenue(runtime: VenueRuntime): RegistryVenue {
  const { definition, session, stats } = runtime;
  return {
    name: definition.name,
    catalog: definition.catalog,
    apply(wanted, added, removed) {
      definition.streamsChanged?.(added, removed);
      session.setDesired(wanted);
    },
    statusIndex: () => streamStatusIndex(stats),
  };
}

/** Whether a venue's own streams come from discovery or the configuration. */
export function baseSource(
  definition: VenueDefinition,
): "config" | "discovery" {
  return definition.pairs().some((p) =>
      p.source === "discovery" || p.source === "fallback"
    )
    ? "discovery"
    : "config";
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
