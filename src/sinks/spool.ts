/**
 * A sink's disk spool: append-only NDJSON segment files under
 * `DATA_DIR/spool/<sink>/`, read back in order from a persisted cursor. It
 * holds the events a sink could not take (down, or slower than the feed)
 * until it recovers, and survives restarts, including kill -9: the cursor
 * only moves past events the sink acknowledged, so a crash redelivers at
 * most the last batch (at-least-once).
 *
 * Past `maxBytes` the oldest segment is deleted and its unread events are
 * counted in {@link Spool.dropped}. A torn last line (a crash mid-append) is
 * cut off at open.
 *
 * @module
 */

import { canonicalLines } from "./canonical.ts";
import type { NormalizedEvent } from "../core/events.ts";
import { writeAll } from "../core/write_all.ts";
import {
  openSegmentForAppend,
  readSegmentLines,
  type RecoveredSpool,
  recoverSpoolFiles,
  removeSegment,
  saveCursor,
  type SpoolPosition,
  type SpoolSegment,
} from "./spool_files.ts";

/** When appended data is forced to the disk (`SPOOL_FSYNC`). */
export type FsyncPolicy = "always" | "interval" | "never";

/** Every {@link FsyncPolicy}. */
export const FSYNC_POLICIES: readonly FsyncPolicy[] = [
  "always",
  "interval",
  "never",
];

/** Options for {@link Spool.open}. */
export interface SpoolOptions {
  /** The sink's own directory, e.g. `data/spool/redis-1`. */
  dir: string;
  /** Cap on the spool's size on disk (`SPOOL_MAX_MB`). */
  maxBytes: number;
  /** `always`: fsync every append; `interval`: at most once a second; `never`: leave it to the OS. */
  fsync: FsyncPolicy;
  /** Size at which a new segment starts. @default min(16 MiB, maxBytes / 8) */
  segmentBytes?: number;
}

/** A batch read from the spool; pass it to {@link Spool.commit} once delivered. */
export interface SpoolBatch {
  events: NormalizedEvent[];
  /** The position just after the batch. */
  next: SpoolPosition;
  /** Lines of `next.segment` before `next.offset`. */
  nextLines: number;
}

const encoder = new TextEncoder();

/**
 * One sink's spool. Operations are serialized internally, so appends and
 * reads may be issued concurrently.
 *
 * @example Usage
 * ```ts
 * const spool = await Spool.open({ dir: "data/spool/redis-1", maxBytes: 1 << 30, fsync: "interval" });
 * await spool.append(events);
 * const batch = await spool.read(500);
 * if (batch) await spool.commit(batch);
 * ```
 */
export class Spool {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #fsync: FsyncPolicy;
  readonly #segments: SpoolSegment[];
  #cursor: SpoolPosition;
  /** Lines of the cursor's segment that lie before the cursor. */
  #cursorLines: number;
  #file: Deno.FsFile | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #dirty = false;
  #syncTimer: ReturnType<typeof setTimeout> | undefined;
  #dropped = 0;
  #corrupt = 0;

  private constructor(options: SpoolOptions, found: RecoveredSpool) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes;
    this.#fsync = options.fsync;
    this.#segmentBytes = options.segmentBytes ??
      Math.max(64 * 1024, Math.min(16 << 20, Math.floor(options.maxBytes / 8)));
    this.#segments = found.segments;
    this.#cursor = found.cursor;
    this.#cursorLines = found.cursorLines;
  }

  /** Opens (or creates) the spool in `options.dir`, repairing a torn tail. */
  static async open(options: SpoolOptions): Promise<Spool> {
    return new Spool(options, await recoverSpoolFiles(options.dir));
  }

  /** Bytes on disk not yet delivered. */
  get bytes(): number {
    let total = 0;
    for (const s of this.#segments) total += s.size;
    return total - this.#cursor.offset;
  }

  /** Events on disk not yet delivered. */
  get events(): number {
    let total = 0;
    for (const s of this.#segments) total += s.lines;
    return Math.max(0, total - this.#cursorLines);
  }

  /** Whether nothing is waiting. */
  get empty(): boolean {
    return this.bytes === 0;
  }

  /** Events deleted unread because the spool reached its cap. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Lines that could not be parsed back (skipped). */
  get corrupt(): number {
    return this.#corrupt;
  }

  /** Appends events (canonical JSON lines), then enforces the size cap. */
  append(events: readonly NormalizedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const data = encoder.encode(canonicalLines(events));
    return this.#serial(() => this.#append(data, events.length));
  }

  async #append(data: Uint8Array, lines: number): Promise<void> {
    let last = this.#segments.at(-1);
    if (
      last === undefined ||
      (last.size > 0 && last.size + data.length > this.#segmentBytes)
    ) {
      this.#file?.close();
      this.#file = undefined;
      last = {
        id: (last?.id ?? this.#cursor.segment - 1) + 1,
        size: 0,
        lines: 0,
      };
      if (this.#segments.length === 0) {
        this.#cursor = { segment: last.id, offset: 0 };
        this.#cursorLines = 0;
      }
      this.#segments.push(last);
    }
    this.#file ??= await openSegmentForAppend(this.#dir, last.id);
    await writeAll(this.#file, data);
    last.size += data.length;
    last.lines += lines;
    if (this.#fsync === "always") await this.#file.sync();
    else if (this.#fsync === "interval") this.#scheduleSync();
    await this.#enforceCap();
  }

  #scheduleSync(): void {
    this.#dirty = true;
    this.#syncTimer ??= setTimeout(() => {
      this.#syncTimer = undefined;
      this.#serial(() => this.#syncNow()).catch(() => {});
    }, 1000);
  }

  async #syncNow(): Promise<void> {
    if (!this.#dirty || this.#file === undefined) return;
    this.#dirty = false;
    await this.#file.sync();
  }

  /** Deletes the oldest segments while the spool is over its cap. */
  async #enforceCap(): Promise<void> {
    let total = 0;
    for (const s of this.#segments) total += s.size;
    while (total > this.#maxBytes && this.#segments.length > 1) {
      const s = this.#segments.shift()!;
      total -= s.size;
      const unread = s.id === this.#cursor.segment
        ? s.lines - this.#cursorLines
        : s.lines;
      this.#dropped += unread;
      await removeSegment(this.#dir, s.id);
      if (s.id >= this.#cursor.segment) {
        this.#cursor = { segment: this.#segments[0]!.id, offset: 0 };
        this.#cursorLines = 0;
        await saveCursor(this.#dir, this.#cursor);
      }
    }
  }

  /**
   * Reads up to `max` events from the cursor without moving it; `undefined`
   * when nothing is waiting.
   */
  read(max: number): Promise<SpoolBatch | undefined> {
    return this.#serial(() => this.#read(max));
  }

  async #read(max: number): Promise<SpoolBatch | undefined> {
    const events: NormalizedEvent[] = [];
    let { segment, offset } = this.#cursor;
    let lines = this.#cursorLines;
    let i = this.#segments.findIndex((s) => s.id === segment);
    while (i !== -1 && i < this.#segments.length && events.length < max) {
      const seg = this.#segments[i]!;
      if (offset >= seg.size) {
        if (i === this.#segments.length - 1) break;
        i++;
        segment = this.#segments[i]!.id;
        offset = 0;
        lines = 0;
        continue;
      }
      const [next, taken, corrupt] = await readSegmentLines(
        this.#dir,
        seg,
        offset,
        max - events.length,
        events,
      );
      this.#corrupt += corrupt;
      offset = next;
      lines += taken;
    }
    if (
      segment === this.#cursor.segment && offset === this.#cursor.offset
    ) return undefined;
    return { events, next: { segment, offset }, nextLines: lines };
  }

  /** Moves the cursor past a delivered batch; deletes finished segments. */
  commit(batch: SpoolBatch): Promise<void> {
    return this.#serial(async () => {
      const { next } = batch;
      if (next.segment < this.#cursor.segment) return; // dropped meanwhile
      while (
        this.#segments.length > 1 && this.#segments[0]!.id < next.segment
      ) {
        const s = this.#segments.shift()!;
        await removeSegment(this.#dir, s.id);
      }
      this.#cursorLines = batch.nextLines;
      this.#cursor = { ...next };
      const only = this.#segments[0];
      if (
        only !== undefined && this.#segments.length === 1 &&
        this.#cursor.offset >= only.size
      ) {
        // Everything delivered: start over with an empty segment file.
        this.#file?.close();
        this.#file = undefined;
        await removeSegment(this.#dir, only.id);
        this.#segments.length = 0;
        this.#cursor = { segment: only.id + 1, offset: 0 };
        this.#cursorLines = 0;
      }
      await saveCursor(this.#dir, this.#cursor);
    });
  }

  /** Syncs and closes the active segment. */
  close(): Promise<void> {
    return this.#serial(async () => {
      clearTimeout(this.#syncTimer);
      this.#syncTimer = undefined;
      if (this.#fsync !== "never") await this.#syncNow();
      this.#file?.close();
      this.#file = undefined;
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }
}
