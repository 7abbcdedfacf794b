import assert from "node:assert/strict";
import type { BookEvent, NormalizedEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { type DepthDiff, DepthSync } from "./depth_sync.ts";
import { BinanceParser } from "./parse.ts";
import { RequestLog } from "./requests.ts";

function diff(U: number, u: number): DepthDiff {
  return { U, u, E: u, bids: [], asks: [], receivedTs: 0, connection: "c" };
}

Deno.test("DepthSync follows the documented procedure", () => {
  const s = new DepthSync();
  assert.equal(s.onDiff(diff(157, 160)), "buffer");
  assert.equal(s.needsSnapshot, true);
  s.snapshotRequested();
  assert.equal(s.needsSnapshot, false);
  assert.equal(s.onDiff(diff(161, 165)), "buffer");
  assert.equal(s.onDiff(diff(163, 165)), "stale", "already buffered");
  // Step 3: a snapshot older than the first buffered U is refetched.
  assert.deepEqual(s.onSnapshot({ lastUpdateId: 150, bids: [], asks: [] }), {
    synced: false,
    reason: "snapshot lastUpdateId 150 is older than the first buffered U 157",
  });
  // Step 4: diffs with u <= lastUpdateId are discarded; the first kept one
  // straddles lastUpdateId + 1.
  const v = s.onSnapshot({ lastUpdateId: 162, bids: [], asks: [] });
  assert.equal(v.synced, true);
  assert.deepEqual(v.synced && v.replay.map((d) => [d.U, d.u]), [[161, 165]]);
  assert.equal(s.bookId, 165);
  assert.equal(s.onDiff(diff(160, 165)), "stale");
  assert.equal(s.onDiff(diff(166, 170)), "apply");
  // Step 6: U beyond book id + 1 means updates were lost.
  assert.equal(s.onDiff(diff(175, 180)), "gap");
  assert.equal(s.lostIds, 4);
  assert.equal(s.synced, false);
  assert.equal(s.resyncing, true);
  assert.equal(s.needsSnapshot, true);
});

Deno.test("DepthSync: a snapshot that leaves a hole before the buffer is refetched", () => {
  const s = new DepthSync();
  s.onDiff(diff(100, 110));
  s.onDiff(diff(111, 120));
  // A hole inside the buffer drops what came before it.
  s.onDiff(diff(130, 140));
  const hole = s.onSnapshot({ lastUpdateId: 125, bids: [], asks: [] });
  assert.equal(hole.synced, false);
  assert.match(!hole.synced ? hole.reason : "", /older than .* U 130/);
  const ok = s.onSnapshot({ lastUpdateId: 135, bids: [], asks: [] });
  assert.equal(ok.synced, true);
  assert.equal(s.bookId, 140);
  s.reset();
  assert.equal(s.synced, false);
  assert.equal(s.needsSnapshot, false);
});

Deno.test("DepthSync: a lost diff whose ids the snapshot holds is no gap; one past it is", () => {
  // The REST snapshot (115) was taken after updates 111..115 happened but
  // before the stream sent them: losing that diff loses nothing.
  const s = new DepthSync();
  s.onDiff(diff(100, 110));
  assert.equal(
    s.onSnapshot({ lastUpdateId: 115, bids: [], asks: [] }).synced,
    true,
  );
  assert.equal(s.bookId, 115);
  // diff(111, 115) never arrives.
  assert.equal(s.onDiff(diff(116, 120)), "apply");
  assert.equal(s.bookId, 120);
  // Past the snapshot, a lost diff (121..125) is a gap.
  assert.equal(s.onDiff(diff(126, 130)), "gap");
  assert.equal(s.lostIds, 5);
});

Deno.test("depth stream: buffered until the snapshot, deltas carry U and u, gap → resync", () => {
  const stats = new VenueStats("binance");
  const wanted: string[] = [];
  const parser = new BinanceParser({
    stats,
    requests: new RequestLog(() => 0),
    onSnapshotNeeded: (s) => wanted.push(s),
  });
  parser.setPairs([{ symbol: "BNB-BTC", nativeSymbol: "BNBBTC" }], ["depth"]);
  const out: NormalizedEvent[] = [];
  const send = (U: number, u: number, bid: string) => {
    out.length = 0;
    parser.parse(
      JSON.stringify({
        stream: "bnbbtc@depth@100ms",
        data: {
          e: "depthUpdate",
          E: 1000 + u,
          s: "BNBBTC",
          U,
          u,
          b: [[bid, "1"]],
          a: [],
        },
      }),
      7,
      "binance-0",
      out,
    );
    return [...out];
  };
  assert.deepEqual(send(157, 160, "0.1"), []);
  assert.deepEqual(wanted, ["BNBBTC"]);
  assert.deepEqual(send(161, 163, "0.2"), []);
  assert.deepEqual(wanted, ["BNBBTC"], "asked once");
  const synced = parser.applySnapshot(
    "BNBBTC",
    {
      lastUpdateId: 160,
      bids: [["0.05", "3"]],
      asks: [["0.3", "1"]],
    },
    99,
    out.splice(0),
  );
  assert.equal(synced, "synced");
  const events: NormalizedEvent[] = [];
  parser.applySnapshot(
    "BNBBTC",
    {
      lastUpdateId: 1,
      bids: [],
      asks: [],
    },
    99,
    events,
  );
  assert.deepEqual(events, [], "a synced book ignores snapshots");
  const next = send(164, 170, "0.3") as BookEvent[];
  assert.equal(next.length, 1);
  assert.equal(next[0]!.type, "delta");
  assert.equal(next[0]!.sequence, 170);
  assert.equal(next[0]!.firstSequence, 164);
  assert.equal(next[0]!.id, "binance:BNB-BTC:book:170");
  assert.deepEqual(send(165, 170, "0.3"), [], "overlap dropped");
  const gap = send(180, 185, "0.4");
  assert.equal(gap.length, 1);
  assert.equal(gap[0]!.kind, "status");
  assert.match((gap[0] as { detail: string }).detail, /171\.\.179 missed/);
  assert.equal(stats.gaps, 1);
  assert.equal(stats.missed, 9);
  assert.deepEqual(wanted, ["BNBBTC", "BNBBTC"]);
  const rebuilt: NormalizedEvent[] = [];
  assert.equal(
    parser.applySnapshot(
      "BNBBTC",
      {
        lastUpdateId: 183,
        bids: [["0.35", "2"]],
        asks: [],
      },
      200,
      rebuilt,
    ),
    "synced",
  );
  assert.deepEqual(rebuilt.map((e) => [e.kind, e.id]), [
    ["book", "binance:BNB-BTC:book:snapshot:183"],
    ["book", "binance:BNB-BTC:book:185"],
    ["status", rebuilt[2]!.id],
  ]);
  assert.equal((rebuilt[2] as { state: string }).state, "resync");
  assert.equal(
    parser.applySnapshot(
      "ETHBTC",
      {
        lastUpdateId: 1,
        bids: [],
        asks: [],
      },
      1,
      rebuilt,
    ),
    "ignored",
  );
});
