/**
 * The gateway's Prometheus metrics. The `websocket_*` and
 * `message_processing_seconds` names are kept exactly as the replaced
 * candles service exposed them, so existing dashboards and alerts keep
 * working; `tickgate_*` metrics carry `venue`, `connection` or `sink` labels.
 *
 * Values are copied from the plain counters in `VenueStats`, connection and
 * sink stats at scrape time; the hot path touches no metric objects except
 * the processing-time histogram.
 *
 * @module
 */

import { EVENT_KINDS } from "./core/events.ts";
import type { HistogramValue, MetricsRegistry } from "./core/metrics.ts";
import type { GatewayState } from "./reports.ts";
import { isQueueStats } from "./sinks/queue_stats.ts";
import { VERSION } from "./version.ts";

const PROCESSING_BUCKETS = [
  0.00001,
  0.000025,
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.05,
];

/**
 * Registers every metric and its collector; returns the histogram the
 * pipeline observes frame processing time into.
 *
 * @example Usage
 * ```ts
 * const processing = registerGatewayMetrics(registry, state);
 * ```
 */
export function registerGatewayMetrics(
  reg: MetricsRegistry,
  state: GatewayState,
): HistogramValue {
  const processed = reg.counter(
    "websocket_messages_processed",
    "WebSocket messages received and processed, all venues",
  );
  const bySymbol = reg.counter(
    "websocket_messages_by_symbol",
    "WebSocket messages received per symbol",
    ["symbol"],
  );
  const connErrors = reg.counter(
    "websocket_connection_errors",
    "WebSocket connection attempts that failed, all venues",
  );
  const lastMessage = reg.gauge(
    "websocket_last_message_timestamp_seconds",
    "Unix time of the last WebSocket message received",
  );
  const processing = reg.histogram(
    "message_processing_seconds",
    "Time to parse, normalize and route one WebSocket message",
    [],
    PROCESSING_BUCKETS,
  );
  reg.gauge("tickgate_build_info", "Build information", ["version"])
    .labels(VERSION).set(1);
  const frames = reg.counter(
    "tickgate_frames_total",
    "Frames received",
    ["venue"],
  );
  const events = reg.counter(
    "tickgate_events_total",
    "Normalized events emitted",
    ["venue", "kind"],
  );
  const badFrames = reg.counter(
    "tickgate_bad_frames_total",
    "Frames ignored: malformed JSON, invalid fields or unknown type",
    ["venue", "reason"],
  );
  const duplicates = reg.counter(
    "tickgate_duplicates_dropped_total",
    "Messages dropped as already seen or older",
    ["venue"],
  );
  const gaps = reg.counter(
    "tickgate_sequence_gaps_total",
    "Sequence gaps detected",
    ["venue"],
  );
  const missed = reg.counter(
    "tickgate_missed_messages_total",
    "Messages known lost in sequence gaps",
    ["venue"],
  );
  const venueErrors = reg.counter(
    "tickgate_venue_errors_total",
    "Error frames sent by the venue",
    ["venue"],
  );
  const reconnects = reg.counter(
    "tickgate_reconnects_total",
    "Reconnects after a lost connection",
    ["venue", "connection"],
  );
  const up = reg.gauge(
    "tickgate_connection_up",
    "1 while the connection is open",
    ["venue", "connection"],
  );
  const sinkPublished = reg.counter(
    "tickgate_sink_published_total",
    "Events delivered",
    ["sink"],
  );
  const sinkFailed = reg.counter(
    "tickgate_sink_failed_total",
    "Events whose delivery failed",
    ["sink"],
  );
  const sinkDropped = reg.counter(
    "tickgate_sink_dropped_total",
    "Events dropped by a full sink queue",
    ["sink"],
  );
  const sinkQueued = reg.gauge(
    "tickgate_sink_queued",
    "Events waiting in a sink's queue",
    ["sink"],
  );
  const sinkRetries = reg.counter(
    "tickgate_sink_retries_total",
    "Failed delivery attempts that were retried",
    ["sink"],
  );
  const sinkSpooledBytes = reg.gauge(
    "tickgate_sink_spooled_bytes",
    "Bytes in a sink's disk spool not yet delivered",
    ["sink"],
  );
  const sinkSpooledEvents = reg.gauge(
    "tickgate_sink_spooled_events",
    "Events in a sink's disk spool not yet delivered",
    ["sink"],
  );
  const sinkSpoolDropped = reg.counter(
    "tickgate_sink_spool_dropped_total",
    "Oldest spooled events deleted because the spool reached SPOOL_MAX_MB",
    ["sink"],
  );
  const sinkDeadLettered = reg.counter(
    "tickgate_sink_dead_lettered_total",
    "Events the destination refused for good, kept in the dead-letter file",
    ["sink"],
  );
  const sinkUp = reg.gauge(
    "tickgate_sink_up",
    "1 while the sink delivers (connected, last attempt succeeded)",
    ["sink"],
  );
  const sinkBreakerOpen = reg.gauge(
    "tickgate_sink_breaker_open",
    "1 while the sink's circuit breaker is open",
    ["sink"],
  );

  reg.addCollector(() => {
    let total = 0;
    let errors = 0;
    let last = 0;
    const symbols = new Map<string, number>();
    for (const v of state.venues) {
      const s = v.stats;
      total += s.frames;
      if (s.lastFrameTs > last) last = s.lastFrameTs;
      frames.labels(s.venue).set(s.frames);
      for (const kind of EVENT_KINDS) {
        events.labels(s.venue, kind).set(s.events[kind]);
      }
      badFrames.labels(s.venue, "malformed").set(s.malformed);
      badFrames.labels(s.venue, "invalid").set(s.invalid);
      badFrames.labels(s.venue, "unknown").set(s.unknown);
      duplicates.labels(s.venue).set(s.duplicates);
      gaps.labels(s.venue).set(s.gaps);
      missed.labels(s.venue).set(s.missed);
      venueErrors.labels(s.venue).set(s.venueErrors);
      for (const [symbol, c] of s.bySymbol) {
        symbols.set(symbol, (symbols.get(symbol) ?? 0) + c.frames);
      }
      for (const c of v.session.connections) {
        const cs = c.stats;
        errors += cs.connectErrors;
        reconnects.labels(s.venue, c.id).set(cs.reconnects);
        up.labels(s.venue, c.id).set(c.state === "open" ? 1 : 0);
      }
    }
    for (const [symbol, n] of symbols) bySymbol.labels(symbol).set(n);
    processed.labels().set(total);
    connErrors.labels().set(errors);
    lastMessage.labels().set(last / 1000);
    for (const sink of state.sinks) {
      const st = sink.stats();
      sinkPublished.labels(sink.name).set(st.published);
      sinkFailed.labels(sink.name).set(st.failed);
      sinkDropped.labels(sink.name).set(st.dropped);
      sinkQueued.labels(sink.name).set(st.queued);
      if (!isQueueStats(st)) continue;
      sinkRetries.labels(sink.name).set(st.retries);
      sinkSpooledBytes.labels(sink.name).set(st.spooledBytes);
      sinkSpooledEvents.labels(sink.name).set(st.spooledEvents);
      sinkSpoolDropped.labels(sink.name).set(st.spoolDropped);
      sinkDeadLettered.labels(sink.name).set(st.deadLettered);
      sinkUp.labels(sink.name).set(st.connected ? 1 : 0);
      sinkBreakerOpen.labels(sink.name).set(st.breaker === "open" ? 1 : 0);
    }
  });
  return processing.labels();
}
