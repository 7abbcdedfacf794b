/**
 * How full or backed up a RabbitMQ class queue is: the pure assessment of
 * one poll ({@link assessQueue}: depth, consumers, publish and consume
 * rates, warning level), the thresholds behind it, and what to log when a
 * queue's level changes. No I/O here.
 *
 * @module
 */

/** How full or backed up a queue is. */
export type DepthLevel = "ok" | "warning" | "critical";

/** Fill of `max_length` at which a queue is at warning level. */
export const WARNING_FILL = 0.8;
/** Fill of `max_length` at which a queue is critical (oldest are dropped next). */
export const CRITICAL_FILL = 0.95;
/** Backlog (messages) at which a queue is at warning level. */
export const WARNING_BACKLOG = 1_000;
/** Backlog (messages) at which a queue is critical. */
export const CRITICAL_BACKLOG = 10_000;

/** One passive declare of a queue, plus what this driver routed to it. */
export interface DepthSample {
  /** Messages ready in the queue (`messageCount`). */
  depth: number;
  consumers: number;
  /** Messages this driver has routed to the queue so far (cumulative). */
  routed: number;
  /** When the sample was taken, epoch ms. */
  at: number;
}

/** What `/stats` shows per queue. */
export interface QueueDepth {
  depth: number;
  consumers: number;
  /** Messages per second this driver routed to the queue since the last poll. */
  publishRate: number;
  /**
   * Messages per second that left the queue since the last poll (routed −
   * depth growth, at least 0): consumed, expired or dropped at max length.
   */
  consumeRate: number;
  level: DepthLevel;
  /** Why the level is not ok; `""` when it is. */
  reason: string;
}

const RANK: Record<DepthLevel, number> = { ok: 0, warning: 1, critical: 2 };

/**
 * The level of a queue holding `depth` messages with `x-max-length` of
 * `maxLength`, and why.
 *
 * @example Usage
 * ```ts
 * depthLevel(96, 100).level; // "critical"
 * depthLevel(1500, 100000).reason; // "backlog of 1500 messages (warning at 1000)"
 * ```
 */
export function depthLevel(
  depth: number,
  maxLength: number,
): { level: DepthLevel; reason: string } {
  const fill = maxLength > 0 ? depth / maxLength : 0;
  const byFill = grade(fill, WARNING_FILL, CRITICAL_FILL);
  const byBacklog = grade(depth, WARNING_BACKLOG, CRITICAL_BACKLOG);
  if (byFill === "ok" && byBacklog === "ok") return { level: "ok", reason: "" };
  if (RANK[byFill] >= RANK[byBacklog]) {
    const at = byFill === "critical" ? CRITICAL_FILL : WARNING_FILL;
    return {
      level: byFill,
      reason: `${
        Math.floor(fill * 100)
      }% of max_length ${maxLength} (${byFill} at ${
        at * 100
      }%); the oldest messages are dropped when full`,
    };
  }
  const at = byBacklog === "critical" ? CRITICAL_BACKLOG : WARNING_BACKLOG;
  return {
    level: byBacklog,
    reason: `backlog of ${depth} messages (${byBacklog} at ${at})`,
  };
}

function grade(value: number, warning: number, critical: number): DepthLevel {
  return value >= critical ? "critical" : value >= warning ? "warning" : "ok";
}

/**
 * Assesses one queue from the previous and current samples: rates per
 * second between the two (0 on the first sample) and the level.
 *
 * @example Usage
 * ```ts
 * const prev = { depth: 100, consumers: 1, routed: 1000, at: 0 };
 * const cur = { depth: 150, consumers: 1, routed: 1100, at: 10_000 };
 * assessQueue(prev, cur, 100_000); // publishRate 10, consumeRate 5, level "ok"
 * ```
 */
export function assessQueue(
  prev: DepthSample | undefined,
  cur: DepthSample,
  maxLength: number,
): QueueDepth {
  let publishRate = 0;
  let consumeRate = 0;
  const sec = prev === undefined ? 0 : (cur.at - prev.at) / 1000;
  if (prev !== undefined && sec > 0) {
    const routed = Math.max(0, cur.routed - prev.routed);
    const consumed = Math.max(0, routed - (cur.depth - prev.depth));
    publishRate = Math.round(routed / sec * 100) / 100;
    consumeRate = Math.round(consumed / sec * 100) / 100;
  }
  const { level, reason } = depthLevel(cur.depth, maxLength);
  return {
    depth: cur.depth,
    consumers: cur.consumers,
    publishRate,
    consumeRate,
    level,
    reason,
  };
}

/**
 * What to log when a queue's level moves from `prev` to `next`: `warning`
 * or `error` when it rises, `info` when it falls back to ok, nothing
 * otherwise (a fall from critical to warning is not news).
 *
 * @example Usage
 * ```ts
 * levelChange("ok", "warning"); // "warning"
 * levelChange("warning", "warning"); // undefined
 * levelChange("critical", "ok"); // "info"
 * ```
 */
export function levelChange(
  prev: DepthLevel,
  next: DepthLevel,
): "warning" | "error" | "info" | undefined {
  if (RANK[next] > RANK[prev]) return next === "critical" ? "error" : "warning";
  if (next === "ok" && prev !== "ok") return "info";
  return undefined;
}
