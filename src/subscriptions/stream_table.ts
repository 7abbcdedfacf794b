/**
 * Reference counts of one venue's streams: a stream is wanted while at
 * least one holder (the configuration, an API subscription) holds it.
 *
 * @module
 */

import type { StreamSpec } from "../transport/types.ts";

/** What a change did to the wanted set. */
export interface StreamChange {
  /** Streams wanted now that were not before. */
  added: StreamSpec[];
  /** Streams wanted before that are not now. */
  removed: StreamSpec[];
}

/**
 * Counts holders per stream key.
 *
 * @example Usage
 * ```ts
 * const table = new StreamTable();
 * table.change([spec], []); // { added: [spec], removed: [] }
 * table.change([spec], []); // { added: [], removed: [] } (two holders)
 * ```
 */
export class StreamTable {
  readonly #held = new Map<string, { spec: StreamSpec; holders: number }>();

  /** The streams wanted now, by key. */
  wanted(): Map<string, StreamSpec> {
    const out = new Map<string, StreamSpec>();
    for (const [key, h] of this.#held) out.set(key, h.spec);
    return out;
  }

  /** Whether `key` is wanted. */
  has(key: string): boolean {
    return this.#held.has(key);
  }

  /**
   * Adds one holder to each of `hold` and removes one from each of
   * `release`; a stream both released and held stays (no churn).
   */
  change(
    hold: readonly StreamSpec[],
    release: readonly StreamSpec[],
  ): StreamChange {
    const touched = new Map<string, StreamSpec>();
    const before = new Set<string>();
    const note = (spec: StreamSpec) => {
      if (touched.has(spec.key)) return;
      touched.set(spec.key, spec);
      if (this.#held.has(spec.key)) before.add(spec.key);
    };
    for (const spec of hold) {
      note(spec);
      const h = this.#held.get(spec.key);
      if (h === undefined) this.#held.set(spec.key, { spec, holders: 1 });
      else h.holders++;
    }
    for (const spec of release) {
      note(spec);
      const h = this.#held.get(spec.key);
      if (h === undefined) continue;
      if (--h.holders <= 0) this.#held.delete(spec.key);
    }
    const out: StreamChange = { added: [], removed: [] };
    for (const [key, spec] of touched) {
      const now = this.#held.has(key);
      if (now && !before.has(key)) out.added.push(spec);
      if (!now && before.has(key)) out.removed.push(spec);
    }
    return out;
  }
}
