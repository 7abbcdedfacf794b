/**
 * `stdout`: events as NDJSON on standard output (logs go to stderr).
 *
 * @module
 */

import type { NormalizedEvent } from "../core/events.ts";
import { writeAll } from "../core/write_all.ts";
import { LineSink } from "./line_sink.ts";
import type { SinkSpec } from "./url.ts";

/**
 * Writes canonical NDJSON to standard output.
 *
 * @example Usage
 * ```ts
 * const sink = new StdoutSink(parseSinkUrl("stdout", 1), JSON.stringify);
 * ```
 */
export class StdoutSink extends LineSink {
  constructor(spec: SinkSpec, format: (e: NormalizedEvent) => string) {
    super({ name: spec.name, scheme: spec.scheme, format });
  }

  protected writeChunk(data: Uint8Array): Promise<void> {
    return writeAll(Deno.stdout, data);
  }
}
