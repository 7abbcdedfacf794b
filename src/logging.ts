/**
 * Structured logging (npm:@logtape/logtape): JSON lines or pretty text on
 * stderr, so stdout stays free for the `stdout` sink. Repeated messages are
 * throttled per message template, so a storm of malformed frames produces a
 * few lines and a summary instead of thousands.
 *
 * @module
 */

import {
  configure,
  getAnsiColorFormatter,
  getLogger,
  getStreamSink,
  getTextFormatter,
  getThrottlingFilter,
  type Logger,
  type LogRecord,
  reset,
} from "@logtape/logtape";

/** Levels accepted by `LOG_LEVEL`. */
export type LogLevelName = "debug" | "info" | "warning" | "error";

/** Options for {@link setupLogging}. */
export interface LoggingOptions {
  /** Lowest level written. @default "info" */
  level: LogLevelName;
  /** `json` (one object per line) or `pretty` (human text). @default "json" */
  format: "json" | "pretty";
  /** Records per message template per window before throttling. @default 20 */
  throttleLimit?: number;
  /** Throttling window. @default 10_000 */
  throttleWindowMs?: number;
}

/**
 * Configures the process-wide logger. Safe to call more than once.
 *
 * @example Usage
 * ```ts
 * await setupLogging({ level: "info", format: "json" });
 * log("app").info("started");
 * ```
 */
export async function setupLogging(options: LoggingOptions): Promise<void> {
  const formatter = options.format === "json"
    ? jsonLine
    : Deno.stderr.isTerminal()
    ? getAnsiColorFormatter({ timestamp: "date-time-tz", value: "bare" })
    : getTextFormatter({ timestamp: "date-time-tz", value: "bare" });
  const summary = getLogger(["tickgate", "log"]);
  await configure({
    reset: true,
    sinks: {
      stderr: getStreamSink(Deno.stderr.writable, {
        formatter,
        closeStream: false,
        nonBlocking: { bufferSize: 256, flushInterval: 50 },
      }),
    },
    filters: {
      throttle: getThrottlingFilter({
        limit: options.throttleLimit ?? 20,
        windowMs: options.throttleWindowMs ?? 10_000,
        summary: {
          logger: summary,
          message: (s) =>
            `Suppressed ${s.suppressed} more log lines like: ${
              String(s.lastRecord.rawMessage)
            }`,
        },
      }),
    },
    loggers: [
      {
        category: ["tickgate"],
        lowestLevel: options.level,
        sinks: ["stderr"],
        filters: ["throttle"],
      },
      {
        category: ["tickgate", "log"],
        lowestLevel: "warning",
        sinks: ["stderr"],
        parentSinks: "override",
      },
      {
        category: ["logtape", "meta"],
        lowestLevel: "warning",
        sinks: ["stderr"],
      },
    ],
  });
}

/**
 * One JSON object per line: `@timestamp`, `level`, `logger`, the rendered
 * `message` (string values as is, not quoted) and the properties flattened.
 */
function jsonLine(record: LogRecord): string {
  let message = "";
  const parts = record.message;
  for (let i = 0; i < parts.length; i++) {
    const v = parts[i];
    message += i % 2 === 0 || typeof v === "string"
      ? String(v)
      : JSON.stringify(v);
  }
  return JSON.stringify({
    "@timestamp": new Date(record.timestamp).toISOString(),
    level: record.level,
    logger: record.category.join("."),
    message,
    ...record.properties,
  }) + "\n";
}

/** Flushes and removes the log configuration (at shutdown). */
export async function closeLogging(): Promise<void> {
  await reset();
}

/**
 * A logger under the `tickgate` category.
 *
 * @example Usage
 * ```ts
 * log("coinbase").warn("Gap of {n} trades", { n: 3 });
 * ```
 */
export function log(...category: string[]): Logger {
  return getLogger(["tickgate", ...category]);
}
