/**
 * The disk spool's files: segment files named by a 12-digit sequence
 * number (`000000000001.ndjson`), opened, read back and deleted; the
 * cursor ({@link SpoolPosition}) in `cursor.json` (written to a temporary
 * file, then renamed); and the scan at open that cuts off a torn last line
 * and removes delivered segments.
 *
 * @module
 */

import { join } from "node:path";
import type { NormalizedEvent } from "../core/events.ts";

/** Where reading stands: a segment and a byte offset in it. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** One segment file of the spool. */
export interface SpoolSegment {
  id: number;
  size: number;
  /** Lines in the segment (all of them, read or not). */
  lines: number;
}

/** What {@link recoverSpoolFiles} found on disk. */
export interface RecoveredSpool {
  /** The segments left, oldest first. */
  segments: SpoolSegment[];
  /** Where reading resumes. */
  cursor: SpoolPosition;
  /** Lines of the cursor's segment that lie before the cursor. */
  cursorLines: number;
}

const SEGMENT_RE = /^(\d{12})\.ndjson$/;
const CURSOR = "cursor.json";
const READ_CHUNK = 1 << 20;
const NL = 10;
const decoder = new TextDecoder();

function segmentName(id: number): string {
  return `${String(id).padStart(12, "0")}.ndjson`;
}

/**
 * Opens segment `id` of the spool in `dir` for appending (created if
 * missing).
 *
 * @example Usage
 * ```ts
 * using file = await openSegmentForAppend("data/spool/redis-1", 7);
 * ```
 */
export function openSegmentForAppend(
  dir: string,
  id: number,
): Promise<Deno.FsFile> {
  return Deno.open(join(dir, segmentName(id)), { append: true, create: true });
}

/**
 * Deletes segment `id` of the spool in `dir`.
 *
 * @example Usage
 * ```ts
 * await removeSegment("data/spool/redis-1", 7); // 000000000007.ndjson
 * ```
 */
export function removeSegment(dir: string, id: number): Promise<void> {
  return Deno.remove(join(dir, segmentName(id)));
}

function countLines(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (bytes[i] === NL) n++;
  return n;
}

async function readCursor(dir: string): Promise<SpoolPosition> {
  try {
    const v = JSON.parse(await Deno.readTextFile(join(dir, CURSOR)));
    if (
      Number.isInteger(v?.segment) && Number.isInteger(v?.offset) &&
      v.offset >= 0
    ) return { segment: v.segment, offset: v.offset };
  } catch {
    // No cursor yet (or a torn one): start at the oldest segment.
  }
  return { segment: 0, offset: 0 };
}

/**
 * Persists the cursor of the spool in `dir` (a temporary file renamed over
 * `cursor.json`, so a crash leaves the old cursor or the new one).
 *
 * @example Usage
 * ```ts
 * await saveCursor("data/spool/redis-1", { segment: 3, offset: 4096 });
 * ```
 */
export async function saveCursor(
  dir: string,
  cursor: SpoolPosition,
): Promise<void> {
  const tmp = join(dir, `${CURSOR}.tmp`);
  await Deno.writeTextFile(tmp, JSON.stringify(cursor));
  await Deno.rename(tmp, join(dir, CURSOR));
}

/**
 * Creates `dir` if needed and reads its spool back: every segment (a torn
 * last line, from a crash mid-append, cut off), the saved cursor (checked
 * against the segments), and segments before the cursor's (fully
 * delivered) removed.
 *
 * @example Usage
 * ```ts
 * const { segments, cursor, cursorLines } = await recoverSpoolFiles("data/spool/redis-1");
 * ```
 */
export async function recoverSpoolFiles(dir: string): Promise<RecoveredSpool> {
  await Deno.mkdir(dir, { recursive: true });
  const ids: number[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const m = entry.isFile ? SEGMENT_RE.exec(entry.name) : null;
    if (m) ids.push(Number(m[1]));
  }
  ids.sort((a, b) => a - b);
  let cursor = await readCursor(dir);
  if (!ids.includes(cursor.segment)) {
    cursor = { segment: ids[0] ?? 1, offset: 0 };
  }
  const segments: SpoolSegment[] = [];
  let cursorLines = 0;
  for (const id of ids) {
    // Segments before the cursor's were fully delivered: remove them unread.
    if (id < cursor.segment) {
      await removeSegment(dir, id);
      continue;
    }
    const path = join(dir, segmentName(id));
    const bytes = await Deno.readFile(path);
    const end = bytes.lastIndexOf(NL) + 1;
    // A crash mid-append left part of a line: that event was never spooled.
    if (end < bytes.length) await Deno.truncate(path, end);
    segments.push({ id, size: end, lines: countLines(bytes, 0, end) });
    if (id === cursor.segment) {
      if (cursor.offset > end) cursor.offset = end;
      cursorLines = countLines(bytes, 0, cursor.offset);
    }
  }
  return { segments, cursor, cursorLines };
}

/**
 * Parses up to `max` whole lines of segment `seg` (in `dir`) from
 * `offset` into `out`; returns the offset after them, how many lines were
 * taken (unparseable ones included) and how many of those were
 * unparseable (skipped).
 *
 * @example Usage
 * ```ts
 * const [next, taken, corrupt] = await readSegmentLines(dir, seg, 0, 500, events);
 * ```
 */
export async function readSegmentLines(
  dir: string,
  seg: SpoolSegment,
  offset: number,
  max: number,
  out: NormalizedEvent[],
): Promise<[next: number, taken: number, corrupt: number]> {
  using file = await Deno.open(join(dir, segmentName(seg.id)));
  let chunk = Math.min(READ_CHUNK, seg.size - offset);
  let corrupt = 0;
  for (;;) {
    const buf = new Uint8Array(chunk);
    await file.seek(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < chunk) {
      const n = await file.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    let start = 0;
    let taken = 0;
    for (let j = 0; j < got && taken < max; j++) {
      if (buf[j] !== NL) continue;
      const line = decoder.decode(buf.subarray(start, j));
      start = j + 1;
      taken++;
      try {
        out.push(JSON.parse(line) as NormalizedEvent);
      } catch {
        corrupt++;
      }
    }
    if (start > 0 || got < chunk) return [offset + start, taken, corrupt];
    // One line longer than the chunk: read more at once.
    chunk = Math.min(chunk * 2, seg.size - offset);
  }
}
