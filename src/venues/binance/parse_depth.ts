/**
 * The diff-depth part of the Binance parser: one {@link DepthSync} per
 * symbol, deltas emitted once the book follows the stream, `gap` and
 * `resync` status events around a rebuild, and the REST snapshot turned
 * into a book snapshot event followed by the buffered diffs it did not
 * contain.
 *
 * @module
 */

import { integerString } from "../../core/decimal.ts";
import {
  type BookLevel,
  type NormalizedEvent,
  statusEvent,
} from "../../core/events.ts";
import type { FrameOutcome, VenueStats } from "../../core/stats.ts";
import { type Json, levels, levelsInPlace } from "../fields.ts";
import { idRange, reportGap } from "../report.ts";
import { type DepthDiff, type DepthSnapshot, DepthSync } from "./depth_sync.ts";
import type { StreamEntry } from "./parse.ts";

/** The symbol fields the depth parser needs. */
interface DepthSymbol {
  readonly nativeSymbol: string;
  readonly symbol: string;
  /** `binance:<symbol>:book:`, the prefix of delta ids. */
  readonly bookIdPrefix: string;
}

/**
 * Local-book integrity for every symbol with a diff-depth stream.
 *
 * @example Usage
 * ```ts
 * const depth = new DepthParser(stats, (s) => fetcher.request(s));
 * depth.diff(state, payload, Date.now(), "binance-0", out);
 * ```
 */
export class DepthParser {
  readonly #stats: VenueStats;
  readonly #onSnapshotNeeded: (nativeSymbol: string) => void;
  readonly #books = new Map<string, DepthSync>();

  constructor(stats: VenueStats, onSnapshotNeeded: (s: string) => void) {
    this.#stats = stats;
    this.#onSnapshotNeeded = onSnapshotNeeded;
  }

  /** Handles one `depthUpdate` payload of `s`, as decoded by `JSON.parse`. */
  diff(
    s: DepthSymbol,
    d: Json,
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    const bids = levelsInPlace(d.b);
    const asks = levelsInPlace(d.a);
    if (
      typeof d.U !== "number" || typeof d.u !== "number" ||
      typeof d.E !== "number" || bids === undefined || asks === undefined
    ) return "invalid";
    return this.update(
      s,
      d.U,
      d.u,
      d.E,
      bids,
      asks,
      receivedTs,
      connection,
      out,
    );
  }

  /**
   * Handles one `depthUpdate` of `s` from its fields (`U`, `u`, `E`, `b`,
   * `a`), whichever way they were read; the levels become the event's.
   */
  update(
    s: DepthSymbol,
    firstId: number,
    lastId: number,
    eventTs: number,
    bids: BookLevel[],
    asks: BookLevel[],
    receivedTs: number,
    connection: string,
    out: NormalizedEvent[],
  ): FrameOutcome {
    if (lastId < firstId) return "invalid";
    let sync = this.#books.get(s.nativeSymbol);
    if (sync === undefined) {
      this.#books.set(s.nativeSymbol, sync = new DepthSync());
    }
    const diff: DepthDiff = {
      U: firstId,
      u: lastId,
      E: eventTs,
      bids,
      asks,
      receivedTs,
      connection,
    };
    switch (sync.onDiff(diff)) {
      case "apply":
        out.push(delta(s, diff));
        break;
      case "stale":
        this.#stats.duplicates++;
        break;
      case "gap": {
        const first = firstId - sync.lostIds;
        out.push(reportGap(this.#stats, {
          venue: "binance",
          symbol: s.symbol,
          nativeSymbol: s.nativeSymbol,
          connection,
          ts: receivedTs,
          missed: sync.lostIds,
          detail: `depth update ids ${
            idRange(first, sync.lostIds)
          } missed; rebuilding the book from a REST snapshot`,
        }));
        break;
      }
      case "buffer":
        break;
    }
    if (sync.needsSnapshot) {
      sync.snapshotRequested();
      this.#onSnapshotNeeded(s.nativeSymbol);
    }
    return "ok";
  }

  /**
   * Offers a REST snapshot: `"synced"` (events appended: the snapshot, the
   * buffered diffs after it, and a `resync` status after a gap), `"retry"`
   * (fetch another) or `"ignored"` (no book is waiting for one).
   */
  applySnapshot(
    s: DepthSymbol,
    snapshot: DepthSnapshot,
    receivedTs: number,
    out: NormalizedEvent[],
  ): "synced" | "retry" | "ignored" {
    const sync = this.#books.get(s.nativeSymbol);
    if (sync === undefined || sync.synced) return "ignored";
    const resync = sync.resyncing;
    const verdict = sync.onSnapshot(snapshot);
    if (!verdict.synced) return "retry";
    out.push(snapshotEvent(s, "book:snapshot", snapshot, receivedTs));
    for (const diff of verdict.replay) out.push(delta(s, diff));
    if (resync) {
      out.push(statusEvent({
        venue: "binance",
        connection: verdict.replay.at(-1)?.connection ?? "rest",
        state: "resync",
        detail:
          `book rebuilt from REST snapshot lastUpdateId ${snapshot.lastUpdateId} and ${verdict.replay.length} buffered diffs`,
        symbol: s.symbol,
        nativeSymbol: s.nativeSymbol,
        ts: receivedTs,
      }));
    }
    return "synced";
  }

  /** Forgets the book of `nativeSymbol`. */
  reset(nativeSymbol: string): void {
    this.#books.get(nativeSymbol)?.reset();
  }
}

/**
 * A book snapshot event (a REST snapshot, or a partial-depth payload); its id
 * is `binance:<symbol>:<what>:<lastUpdateId>`. Binance gives no event time
 * for either, so `exchangeTs` is the receive time.
 */
export function snapshotEvent(
  s: DepthSymbol,
  what: string,
  snapshot: DepthSnapshot,
  receivedTs: number,
): NormalizedEvent {
  return {
    id: `binance:${s.symbol}:${what}:${snapshot.lastUpdateId}`,
    kind: "book",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: receivedTs,
    receivedTs,
    type: "snapshot",
    bids: snapshot.bids,
    asks: snapshot.asks,
    sequence: snapshot.lastUpdateId,
  };
}

function delta(s: DepthSymbol, diff: DepthDiff): NormalizedEvent {
  return {
    id: s.bookIdPrefix + integerString(diff.u),
    kind: "book",
    venue: "binance",
    symbol: s.symbol,
    nativeSymbol: s.nativeSymbol,
    exchangeTs: diff.E,
    receivedTs: diff.receivedTs,
    type: "delta",
    bids: diff.bids,
    asks: diff.asks,
    sequence: diff.u,
    firstSequence: diff.U,
  };
}

/**
 * Checks a `GET /api/v3/depth` body (also the shape of a partial-depth
 * stream payload).
 *
 * @example Usage
 * ```ts
 * parseDepthSnapshot({ lastUpdateId: 1, bids: [["1.0", "2"]], asks: [] });
 * ```
 */
export function parseDepthSnapshot(body: Json): DepthSnapshot | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const bids = levels(body.bids);
  const asks = levels(body.asks);
  if (
    typeof body.lastUpdateId !== "number" || bids === undefined ||
    asks === undefined
  ) return undefined;
  return { lastUpdateId: body.lastUpdateId, bids, asks };
}

/**
 * A partial-depth payload (`depth5`, …) of `entry` → a book snapshot event,
 * unless its `lastUpdateId` is not newer than the last one (`"duplicate"`).
 */
export function parsePartialDepth(
  entry: StreamEntry,
  d: Json,
  receivedTs: number,
  out: NormalizedEvent[],
): FrameOutcome | "duplicate" {
  const snapshot = parseDepthSnapshot(d);
  if (snapshot === undefined) return "invalid";
  if (snapshot.lastUpdateId <= entry.last) return "duplicate";
  entry.last = snapshot.lastUpdateId;
  out.push(snapshotEvent(entry.state, entry.channel, snapshot, receivedTs));
  return "ok";
}
