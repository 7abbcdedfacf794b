/**
 * A sink's dead-letter file: the NDJSON file that keeps the events a
 * destination refused for good (`DeliveryError.permanent`), one canonical
 * JSON event per line, appended to and never read back by tickgate.
 *
 * @module
 */

import { canonicalLines } from "./canonical.ts";
import { errorText } from "../core/error_text.ts";
import { dirname } from "node:path";
import type { Logger } from "@logtape/logtape";
import type { NormalizedEvent } from "../core/events.ts";
import type { DeliveryError } from "./types.ts";

/**
 * Appends refused batches to one dead-letter file, logging each refusal
 * (and any failure to write the file) to the sink's logger.
 *
 * @example Usage
 * ```ts
 * const deadLetters = new DeadLetterFile("data/deadletter/redis-1.ndjson", log("sink", "redis-1"));
 * await deadLetters.write(batch, error); // never rejects
 * ```
 */
export class DeadLetterFile {
  readonly #path: string;
  readonly #log: Logger;

  /**
   * @param path the NDJSON file (its directory is created when needed)
   * @param logger where refusals and write failures are logged
   */
  constructor(path: string, logger: Logger) {
    this.#path = path;
    this.#log = logger;
  }

  /** Logs why `batch` was refused and appends it; a write failure is logged, not thrown. */
  async write(
    batch: readonly NormalizedEvent[],
    e: DeliveryError,
  ): Promise<void> {
    this.#log.warn(
      "Destination refused {count} events for good{status}; kept in {path}: {error}",
      {
        count: batch.length,
        status: e.status === undefined ? "" : ` (HTTP ${e.status})`,
        path: this.#path,
        error: e.message,
      },
    );
    const text = canonicalLines(batch);
    try {
      await Deno.mkdir(dirname(this.#path), { recursive: true });
      await Deno.writeTextFile(this.#path, text, { append: true });
    } catch (err) {
      this.#log.error(
        "Cannot write the dead-letter file: {error}",
        {
          error: errorText(err),
        },
      );
    }
  }
}
