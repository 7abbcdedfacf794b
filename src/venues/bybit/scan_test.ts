import assert from "node:assert/strict";
import { bybitCorpus } from "../../../bench/corpus_bybit.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { Prng } from "../../simulator/prng.ts";
import type { Json } from "../fields.ts";
import { PendingRequests } from "../pending_requests.ts";
import { BybitParser } from "./parse.ts";
import type { BybitRequest } from "./replies.ts";

/** One parser with what it changed outside itself. */
function side(fastPath: boolean) {
  const stats = new VenueStats("bybit");
  const resubscribed: string[] = [];
  const parser = new BybitParser({
    stats,
    category: "spot",
    requests: new PendingRequests<BybitRequest>(() => 0),
    resubscribe: (t) => resubscribed.push(t),
    fastPath,
  });
  return { stats, parser, resubscribed };
}
type Side = ReturnType<typeof side>;

function run(s: Side, frame: string, receivedTs: number, conn: string) {
  const out: NormalizedEvent[] = [];
  try {
    return { outcome: s.parser.parse(frame, receivedTs, conn, out), out };
  } catch (e) {
    return { outcome: `threw ${String(e)}`, out };
  }
}

/** Every counter and table of `stats`, as text (cheaper than deepEqual). */
function snapshot(stats: VenueStats): string {
  return JSON.stringify(
    stats,
    (_, v) => v instanceof Map ? [...v] : v === undefined ? "(undefined)" : v,
  );
}

/** A fast-path parser and a JSON.parse-only one, fed the same frames. */
function pair() {
  const fast = side(true);
  const slow = side(false);
  let ts = 1.75e12;
  return {
    fast,
    slow,
    /** Feeds `frame` to both and asserts the same outcome, events and state. */
    feed(frame: string, conn = "bybit-0", advance = 1): boolean {
      ts += advance;
      const before = fast.parser.fastFrames;
      const a = run(fast, frame, ts, conn);
      const b = run(slow, frame, ts, conn);
      assert.deepEqual(a, b, frame);
      assert.equal(snapshot(fast.stats), snapshot(slow.stats), frame);
      assert.deepEqual(fast.resubscribed, slow.resubscribed, frame);
      for (const m of frame.matchAll(/"topic":"([^"\\]*)"/g)) {
        const topic = m[1]!;
        assert.deepEqual(
          fast.parser.topic(topic),
          slow.parser.topic(topic),
          frame,
        );
      }
      assert.equal(slow.parser.fastFrames, 0);
      return fast.parser.fastFrames > before;
    },
    reopen(conn: string): void {
      fast.parser.connectionOpened(conn);
      slow.parser.connectionOpened(conn);
    },
  };
}

/** An empty snapshot just before each book's first delta, so deltas apply. */
function primers(frames: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of frames) {
    const m = JSON.parse(f);
    if (m.type !== "delta" || seen.has(m.topic)) continue;
    seen.add(m.topic);
    out.push(JSON.stringify({
      topic: m.topic,
      type: "snapshot",
      ts: m.ts - 1,
      data: { s: m.data.s, b: [], a: [], u: m.data.u - 1, seq: m.data.seq - 1 },
      cts: m.ts - 1,
    }));
  }
  return out;
}

const corpus = bybitCorpus(24_000);
const primed = primers(corpus.frames);

Deno.test("fast path: the corpus frames all take it, with the JSON.parse path's outcome, events and state", () => {
  const p = pair();
  for (const f of primed) assert.ok(p.feed(f), f);
  for (const f of corpus.frames) assert.ok(p.feed(f), f);
  assert.equal(p.fast.parser.fastFrames, primed.length + corpus.frames.length);
  assert.equal(p.fast.stats.duplicates, 0);
  assert.deepEqual(p.fast.resubscribed, []);
});

const WRONG: unknown[] = [null, 0, -1, 1.5, "", "1", "Buy", true, [], {}, [[
  "1",
  "2",
]]];
const EXTRA = [
  "1",
  "-1.5e3",
  '"x"',
  "true",
  "false",
  "null",
  "{}",
  "[]",
  '{"a":[1,{"b":null}],"c":"d"}',
  "[[],{},[1,-0.5e+2]]",
  "[".repeat(40) + "]".repeat(40),
  "fals",
  "nul",
  "01",
  "1.",
  "-",
  '"\t"',
];
const NAMES = ["x", "topic", "data", "type", "ts", "u", "seq", "b", "a", "T"];
const NAMES2 = ["i", "p", "v", "S", "s", "BT", "L", ""];
const ALPHABET = '{}[]",:0123456789.-+eEtrufalsnBSy \t\n\r\u0001\u001f\\';

/** The objects of a decoded frame a mutation may change: top, data, items. */
function objects(m: Json): Json[] {
  const os = [m];
  if (Array.isArray(m.data)) {
    os.push(...m.data.filter((t: Json) => t && typeof t === "object"));
  } else if (m.data && typeof m.data === "object") os.push(m.data);
  return os;
}

function shuffle<T>(rng: Prng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** `o` rebuilt with its keys in a random order (nested objects too). */
function reorder(rng: Prng, o: Json): Json {
  if (Array.isArray(o)) return o.map((x) => reorder(rng, x));
  if (o === null || typeof o !== "object") return o;
  const r: Json = {};
  for (const k of shuffle(rng, Object.keys(o))) r[k] = reorder(rng, o[k]);
  return r;
}

/** One mutant of `frame` of mutation `kind` (0 … 8). */
function mutate(rng: Prng, frame: string, kind: number): string {
  const m = JSON.parse(frame);
  const o = rng.pick(objects(m));
  const keys = Object.keys(o);
  const at = rng.int(0, frame.length - 1);
  switch (kind) {
    case 0: { // character deletions, insertions, replacements
      let t = frame;
      for (let k = rng.int(1, 2); k > 0; k--) {
        const i = rng.int(0, t.length - 1);
        const ch = rng.pick([...ALPHABET]);
        const op = rng.int(0, 2);
        t = t.slice(0, i) + (op === 0 ? "" : ch) +
          t.slice(op === 1 ? i : i + 1);
      }
      return t;
    }
    case 1: // key reorder, at every level
      return JSON.stringify(reorder(rng, m));
    case 2: // whitespace
      return rng.chance(0.2)
        ? JSON.stringify(m, null, 1)
        : frame.slice(0, at) + rng.pick([" ", "\t", "\n", "\r"]) +
          frame.slice(at);
    case 3: { // an escape where a letter or digit was
      const after = frame.slice(at).search(/[A-Za-z0-9]/);
      const i = after < 0 ? frame.search(/[A-Za-z0-9]/) : after + at;
      const hex = frame.charCodeAt(i).toString(16).padStart(4, "0");
      return frame.slice(0, i) + "\\u" + hex + frame.slice(i + 1);
    }
    case 4: { // an extra field, scalar or nested, in some object
      const name = rng.pick([...NAMES, ...NAMES2, "zz", "cts"]);
      const v = rng.pick(EXTRA);
      const ends = [...frame.matchAll(/\{(?=")/g)].map((x) => x.index!);
      const i = ends.length === 0 ? 0 : rng.pick(ends) + 1;
      return frame.slice(0, i) + `"${name}":${v},` + frame.slice(i);
    }
    case 5: // a missing field
      delete o[rng.pick(keys)];
      return JSON.stringify(m);
    case 6: // a field of the wrong type, or null
      o[rng.pick(keys)] = rng.pick(WRONG);
      return JSON.stringify(m);
    case 7: { // a duplicate key, before (loses) or after (wins) the first
      const k = rng.pick(keys);
      const v = rng.chance(0.5) ? o[rng.pick(keys)] : rng.pick(WRONG);
      const first = rng.chance(0.5);
      const copy = { ...o };
      for (const key of keys) delete o[key];
      if (first) o["\u0000dup"] = v;
      Object.assign(o, copy);
      if (!first) o["\u0000dup"] = v;
      return JSON.stringify(m).replace('"\\u0000dup"', JSON.stringify(k));
    }
    default: { // book type and sequence changes: snapshots, restarts, repeats
      if (m.data?.u === undefined) return frame;
      if (rng.chance(0.3)) m.type = rng.pick(["snapshot", "delta", "other"]);
      if (rng.chance(0.3)) m.data.u = rng.pick([1, m.data.u - 5, m.data.u]);
      if (rng.chance(0.3)) m.data.seq -= 10;
      return JSON.stringify(m);
    }
  }
}

Deno.test("fast path: mutants, replays and gaps give what the JSON.parse path gives", () => {
  const rng = new Prng(9);
  const p = pair();
  for (const f of primed) p.feed(f);
  const frames = corpus.frames;
  const tried = new Array(9).fill(0);
  const fastHits = new Array(9).fill(0);
  let n = 0;
  for (let i = 0; i < 16_000; i++) {
    const base = frames[i % frames.length]!;
    if (rng.chance(0.05)) continue; // a gap
    const topic = /"topic":"([^"]*)"/.exec(base)![1]!;
    if (p.fast.parser.topic(topic)?.hasBook === false && rng.chance(0.5)) {
      // The venue's fresh snapshot after a resubscription.
      p.feed(base.replace('"type":"delta"', '"type":"snapshot"'));
      continue;
    }
    if (rng.chance(0.3)) {
      p.feed(base);
      continue;
    }
    if (rng.chance(0.1)) { // a replay of a recent frame, or the same again
      p.feed(frames[Math.max(0, i - rng.int(0, 40))]!);
      continue;
    }
    if (rng.chance(0.01)) p.reopen("bybit-0");
    const kind = rng.int(0, 8);
    const mutant = mutate(rng, base, kind);
    const conn = rng.chance(0.02) ? "bybit-1" : "bybit-0";
    tried[kind]++;
    if (p.feed(mutant, conn, rng.chance(0.01) ? 20_000 : 1)) fastHits[kind]++;
    if (rng.chance(0.5)) p.feed(base);
    n++;
  }
  assert.ok(n > 5000, `${n} mutants`);
  // Reordered keys (data before topic too) and harmless extra or duplicate
  // fields stay on the fast path; escapes and whitespace never do.
  for (const k of [1, 4, 7]) assert.ok(fastHits[k] > tried[k] / 4, `${k}`);
  assert.equal(fastHits[3], 0);
  assert.ok(p.fast.stats.gaps > 0 && p.fast.stats.duplicates > 0);
});

Deno.test("fast path: other frames fall back, untouched", () => {
  const p = pair();
  const frames = [
    '{"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1","p":"2","i":"a"}],"ts":1,"topic":"publicTrade.BTCUSDT"}',
    '{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1,"data":{"s":"BTCUSDT","b":[["1","2"]],"a":[],"u":5,"seq":2}}',
    '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":2,"data":{"u":6,"b":[["1","2","3"]],"a":[]}}',
    '{"topic":"publicTrade.BTCUSDT","data":[{"T":2,"S":"Buy","v":"1","p":"2\u0001","i":"b"}]}',
    '{"topic":"publicTrade.BTCUSDT","data":[{"T":2,"S":"Buy","v":"1","p":"2","i":"b","BT":fals}]}',
    '{"topic":"publicTrade.BTCUSDT","data":[{"T":2,"S":"Buy","v":"1","p":"2","i":"c","seq":"9"}]}',
    '{"topic":"publicTrade.","data":[]}',
    '{"topic":"tickers.BTCUSDT","type":"snapshot","ts":3,"data":{"lastPrice":"1"}}',
    '{"topic":"order","id":"x","creationTime":1,"data":[{"symbol":"BTCUSDT","orderId":"1"}]}',
    '{"success":true,"ret_msg":"pong","conn_id":"a","op":"ping"}',
    "{}",
    "[]",
    "",
    `{"topic":"publicTrade.BTCUSDT","x":${"[".repeat(1e5)}${
      "]".repeat(1e5)
    },"data":[]}`,
  ];
  const fast = frames.map((f) => p.feed(f));
  assert.deepEqual(fast, [
    true,
    true,
    ...new Array(frames.length - 2).fill(false),
  ]);
});
