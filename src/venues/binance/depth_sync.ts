/**
 * Keeping a Binance local order book in step with the diff-depth stream,
 * following the documented procedure: buffer diffs, take a REST snapshot,
 * drop diffs the snapshot already contains, then apply diffs whose first
 * update id `U` follows the book's update id; a jump means updates were lost
 * and the book must be rebuilt from a new snapshot. Pure state, no I/O: the
 * parser feeds diffs, a fetcher feeds snapshots.
 *
 * @module
 */

import type { BookLevel } from "../../core/events.ts";

/** One `depthUpdate` payload, checked. */
export interface DepthDiff {
  /** First update id in the event. */
  U: number;
  /** Final update id in the event. */
  u: number;
  /** Event time, epoch ms. */
  E: number;
  bids: BookLevel[];
  asks: BookLevel[];
  receivedTs: number;
  connection: string;
}

/** A `GET /api/v3/depth` answer, checked. */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** What to do with a diff. */
export type DiffVerdict =
  /** The book is synced and the diff follows it: emit it as a delta. */
  | "apply"
  /** Kept until a snapshot arrives; `needsSnapshot` says whether to ask for one. */
  | "buffer"
  /** Already contained in the book (reconnect or renewal overlap): drop. */
  | "stale"
  /** Updates were lost: the book is void and buffering restarted. */
  | "gap";

/** Result of offering a snapshot. */
export type SnapshotVerdict =
  /** The book is the snapshot plus `replay` (buffered diffs to emit after it). */
  | { synced: true; replay: DepthDiff[] }
  /** The snapshot does not connect to the buffered diffs: fetch another. */
  | { synced: false; reason: string };

/** Buffered diffs kept while waiting for a snapshot (about 3 min at 100 ms). */
const MAX_BUFFER = 2_000;

/**
 * The sync state of one symbol's book.
 *
 * @example Usage
 * ```ts
 * const sync = new DepthSync();
 * sync.onDiff(diff);          // "buffer", sync.needsSnapshot === true
 * sync.onSnapshot(snapshot);  // { synced: true, replay: [...] }
 * sync.onDiff(next);          // "apply"
 * ```
 */
export class DepthSync {
  #synced = false;
  /** The book's update id (valid when synced). */
  #bookId = 0;
  #buffer: DepthDiff[] = [];
  #requested = false;
  /** Whether a book existed before the current buffering (a resync). */
  #hadBook = false;

  /** Whether the book follows the stream. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The book's update id, once synced. */
  get bookId(): number | undefined {
    return this.#synced ? this.#bookId : undefined;
  }

  /** Whether a snapshot should be fetched now (buffering, none asked for yet). */
  get needsSnapshot(): boolean {
    return !this.#synced && this.#buffer.length > 0 && !this.#requested;
  }

  /** Whether the current buffering follows a lost book (a resync, not the first sync). */
  get resyncing(): boolean {
    return this.#hadBook;
  }

  /** Update ids lost by the latest gap: set by {@link DepthSync.onDiff} on `"gap"`. */
  lostIds = 0;

  /** Marks that a snapshot was asked for (cleared when one is offered). */
  snapshotRequested(): void {
    this.#requested = true;
  }

  /** Judges `diff` and updates the state. */
  onDiff(diff: DepthDiff): DiffVerdict {
    if (this.#synced) {
      if (diff.u <= this.#bookId) return "stale";
      if (diff.U > this.#bookId + 1) {
        this.lostIds = diff.U - this.#bookId - 1;
        this.#synced = false;
        this.#hadBook = true;
        this.#requested = false;
        this.#buffer = [diff];
        return "gap";
      }
      this.#bookId = diff.u;
      return "apply";
    }
    const last = this.#buffer.at(-1);
    if (last !== undefined) {
      if (diff.u <= last.u) return "stale";
      // A hole inside the buffer: only a snapshot newer than it can help.
      if (diff.U > last.u + 1) this.#buffer = [];
    }
    this.#buffer.push(diff);
    if (this.#buffer.length > MAX_BUFFER) this.#buffer.shift();
    return "buffer";
  }

  /** Offers a REST snapshot; see {@link SnapshotVerdict}. */
  onSnapshot(snapshot: DepthSnapshot): SnapshotVerdict {
    this.#requested = false;
    if (this.#synced) return { synced: false, reason: "already synced" };
    const id = snapshot.lastUpdateId;
    const first = this.#buffer[0];
    if (first !== undefined && id < first.U) {
      return {
        synced: false,
        reason:
          `snapshot lastUpdateId ${id} is older than the first buffered U ${first.U}`,
      };
    }
    const replay = this.#buffer.filter((d) => d.u > id);
    const next = replay[0];
    if (next !== undefined && next.U > id + 1) {
      this.#buffer = replay;
      return {
        synced: false,
        reason: `updates ${id + 1}..${
          next.U - 1
        } are in neither the snapshot nor the buffer`,
      };
    }
    this.#buffer = [];
    this.#synced = true;
    this.#hadBook = false;
    this.#bookId = replay.at(-1)?.u ?? id;
    return { synced: true, replay };
  }

  /** Forgets everything (the depth stream was unsubscribed). */
  reset(): void {
    this.#synced = false;
    this.#bookId = 0;
    this.#buffer = [];
    this.#requested = false;
    this.#hadBook = false;
  }
}
