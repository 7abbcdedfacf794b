/**
 * Builds a sink from its parsed URL.
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";
import { FileSink, fileSinkOptions } from "./file.ts";
import { StdoutSink } from "./stdout.ts";
import type { Sink } from "./types.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

/** The `canonical` format: the event's own fields as one JSON object. */
export function canonicalJson(event: NormalizedEvent): string {
  return JSON.stringify(event);
}

/**
 * Creates the sink a spec describes (not yet started).
 *
 * @example Usage
 * ```ts
 * const sink = createSink(parseSinkUrl("stdout", 1));
 * await sink.start();
 * ```
 */
export function createSink(spec: SinkSpec): Sink {
  switch (spec.scheme) {
    case "stdout":
      return new StdoutSink(spec, canonicalJson);
    case "file":
      return new FileSink(spec, canonicalJson);
    default:
      throw new SinkUrlError(
        redactUrl(spec.url),
        `scheme "${spec.scheme}" is not supported`,
      );
  }
}

/**
 * Checks a spec's sink-specific options (throws {@link SinkUrlError}), so a
 * bad option is a configuration error at startup, not a failure later.
 *
 * @example Usage
 * ```ts
 * validateSinkSpec(parseSinkUrl("file:/tmp/e.ndjson?max_file_mb=0", 1)); // throws
 * ```
 */
export function validateSinkSpec(spec: SinkSpec): void {
  if (spec.scheme === "file") fileSinkOptions(spec);
}
