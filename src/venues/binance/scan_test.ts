import assert from "node:assert/strict";
import { binanceCorpus } from "../../../bench/corpus_binance.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import { type FrameOutcome, VenueStats } from "../../core/stats.ts";
import { Prng } from "../../simulator/prng.ts";
import { BinanceParser } from "./parse.ts";
import { RequestLog } from "./requests.ts";
import { MAX_DEPTH } from "../json_scan.ts";

const CHANNELS = "trade aggTrade depth bookTicker depth5 kline_1m ticker"
  .split(" ");

/** One parser (fast path on or off), its stats and snapshot requests. */
type Side = ReturnType<typeof side>;

function side(fastPath: boolean, natives: readonly string[]) {
  const stats = new VenueStats("binance");
  const requested: string[] = [];
  const parser = new BinanceParser({
    stats,
    requests: new RequestLog(() => 0),
    onSnapshotNeeded: (s) => requested.push(s),
    fastPath,
  });
  const pairs = natives.map((n) => ({
    symbol: `${n.slice(0, -4)}-USDT`,
    nativeSymbol: n,
  }));
  parser.setPairs(pairs, CHANNELS);
  return { stats, requested, parser, out: [] as NormalizedEvent[] };
}

/** Everything of the stats a parser may change, and its requests. */
function seen({ stats: s, requested }: Side): unknown {
  return {
    counters: [s.malformed, s.invalid, s.unknown, s.duplicates, s.gaps],
    missed: s.missed,
    errors: [s.venueErrors, s.acks, s.lastVenueError],
    events: { ...s.events },
    bySymbol: [...s.bySymbol].map(([k, v]) => [k, v.frames]),
    maps: [[...s.acked], [...s.rejected], [...s.symbolStatus]],
    requested: [...requested],
  };
}

/** Two parsers, fast path on and off, fed the same frames and compared. */
class Twin {
  readonly fast: Side;
  readonly slow: Side;

  constructor(natives: readonly string[]) {
    this.fast = side(true, natives);
    this.slow = side(false, natives);
  }

  /** Feeds both; asserts equal outcomes, events, stats and requests. */
  feed(frame: string, ts: number): FrameOutcome {
    const a = this.fast.parser.parse(frame, ts, "binance-0", this.fast.out);
    const b = this.slow.parser.parse(frame, ts, "binance-0", this.slow.out);
    assert.equal(a, b, frame);
    this.#same(frame);
    const asked = this.fast.requested.length;
    if (asked > 0 && (asked !== this.#synced || asked % 7 === 3)) {
      this.#sync(frame, ts);
    }
    return a;
  }

  #synced = 0;

  /** Offers both the same snapshot, at the frame's `U` (or a useless one). */
  #sync(frame: string, ts: number): void {
    this.#synced = this.fast.requested.length;
    const symbol = this.fast.requested.at(-1)!;
    let id = 0;
    try {
      const u = JSON.parse(frame)?.data?.U;
      if (typeof u === "number") id = u;
    } catch { /* a broken frame: a snapshot that does not connect */ }
    const snapshot = () => ({
      lastUpdateId: id,
      bids: [["1", "2"] as [string, string]],
      asks: [],
    });
    const { fast, slow } = this;
    const a = fast.parser.applySnapshot(symbol, snapshot(), ts, fast.out);
    const b = slow.parser.applySnapshot(symbol, snapshot(), ts, slow.out);
    assert.equal(a, b, frame);
    this.#same(frame);
  }

  #same(frame: string): void {
    assert.deepEqual(this.fast.out, this.slow.out, frame);
    this.fast.out.length = this.slow.out.length = 0;
    assert.deepEqual(seen(this.fast), seen(this.slow), frame);
  }
}

/** The native symbols of a corpus's stream names. */
function nativesOf(frames: readonly string[]): string[] {
  const set = new Set<string>();
  for (const f of frames) {
    set.add(JSON.parse(f).stream.split("@")[0].toUpperCase());
  }
  return [...set].sort();
}

/** aggTrade and bookTicker frames made from the corpus's trades. */
function hotFrames(frames: readonly string[]): string[] {
  const more: string[] = [];
  for (const f of frames) {
    if (!f.includes("@trade")) continue;
    more.push(f.replace("@trade", "@aggTrade").replace('"t":', '"a":'));
    const { stream, data: { t, s, p, q } } = JSON.parse(f);
    const data = { u: t, s, b: p, B: q, a: p, A: q };
    more.push(
      JSON.stringify({ stream: stream.replace("@trade", "@bookTicker"), data }),
    );
  }
  return more;
}

/** Frames of the kinds the fast path leaves to JSON.parse. */
const COLD = [
  '{"stream":"c001usdt@kline_1m","data":{"e":"kline","E":5,"s":"C001USDT","k":{"t":1,"i":"1m","x":false,"o":"1","h":"2","l":"0.5","c":"1.5","v":"10"}}}',
  '{"stream":"c001usdt@ticker","data":{"e":"24hrTicker","E":5,"s":"C001USDT","c":"1","b":"1","B":"2","a":"3","A":"4","v":"5","o":"1","h":"2","l":"0","Q":"1","L":9}}',
  '{"stream":"c001usdt@depth5@100ms","data":{"lastUpdateId":9,"bids":[["1","2"]],"asks":[["3","4"]]}}',
];

const CORPUS = binanceCorpus(22_000);
const NATIVES = nativesOf(CORPUS.frames);
const HOT = hotFrames(CORPUS.frames.slice(0, 6_000));

Deno.test("fast path: the clean corpus gives the same results, all through the fast path", () => {
  const twin = new Twin(NATIVES);
  let ts = 1;
  for (const f of CORPUS.frames) twin.feed(f, ts++);
  for (const f of HOT) twin.feed(f, ts++);
  const fed = CORPUS.frames.length + HOT.length;
  assert.ok(fed >= 20_000);
  assert.equal(twin.fast.parser.fastFrames, fed);
  assert.equal(twin.slow.parser.fastFrames, 0);
});

Deno.test("fast path: hand-picked frames are read, or left to JSON.parse", () => {
  const twin = new Twin(["C001USDT"]);
  const trade = (body: string, stream = "c001usdt@trade") =>
    `{"stream":"${stream}","data":{${body}}}`;
  const depth = (body: string) => trade(body, "c001usdt@depth@100ms");
  const T = '"e":"trade","p":"1.5","q":"2","T":7,"m":true';
  const cases: [frame: string, fast: boolean][] = [
    [trade(`"t":10,${T}`), true],
    [trade(`"m":false,"T":8,"q":"3","p":"1","t":11,"x":{"y":[1,{}]}`), true],
    [trade(`"t":12,${T},"p":"9","p":"2.5"`), true], // the last p counts
    [trade(`"t":12,${T}`), true], // a replay: a duplicate
    [trade(`"t":15,${T}`), true], // a gap
    [`{"data":{"t":16,${T}},"stream":"c001usdt@trade"}`, false],
    [trade(`"t":16,${T}`).replace('"p"', '"\\u0070"'), false],
    [trade(`"t":16, ${T}`), false],
    [trade(`"t":"16",${T}`), false],
    [trade(`"t":16,${T},"p":null`), false],
    [trade(`"t":16,${T},"s":"a\u0001"`), false],
    [trade(`"t":16,${T},"x":${"[".repeat(40)}${"]".repeat(40)}`), false],
    [trade(`"t":17,${T}`).slice(0, -1) + ',"stream":"c001usdt@trade"}', false],
    [trade(`"t":18,"p":"1"`), false],
    [trade(`"t":18,${T}`, "c001usdt@kline_1m"), false],
    [trade(`"t":18,${T}`, "nope@trade"), false],
    [trade(`"u":5,"b":"1","a":"2"`, "c001usdt@bookTicker"), true],
    [depth(`"U":1,"u":3,"E":9,"b":[],"a":[["1","0"]]`), true],
    [depth(`"U":4,"u":3,"E":9,"b":[],"a":[]`), true], // invalid: u < U
    [depth(`"U":4,"u":5,"E":9,"b":[["1","2","3"]],"a":[]`), false],
  ];
  let ts = 1;
  for (const [frame, fast] of cases) {
    const before = twin.fast.parser.fastFrames;
    twin.feed(frame, ts++);
    assert.equal(twin.fast.parser.fastFrames > before, fast, frame);
  }
});

type Members = [key: string, value: string][];

function render(m: Members): string {
  return `{${m.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

const CHARS = '{}[]",:0123456789.-eEtrufalsn abTpqmUuE\\\t\n\x01\u00e9';
const SCALARS = ["1", "-2.5e3", '"x"', '""', "true", "false", "null", "0"];
const NESTED = '{"a":[1,{"b":null}],"c":"}"}|[]|{}|[[],[{}]]|[1,"]",true]'
  .split("|");
const WRONG = ('null|1|"1"|""|true|{}|[]|[["1","2","3"]]|[[1,2]]|[["1",""]]|' +
  "1e400|-0|1.5|9007199254740993|12345678901234567890|98765432109876543219" +
  '876|01|-|tru|"a\u0001b"|"\u00e9"|1 | 1|[["1","2"],]').split("|");
const KEYS = ["x", "zz", "", "E2", "\u00e9", "t ", "\u0001", "stream", "e"];
const STREAMS = ('"c001usdt@trade"|"nope@trade"|7|null|"C001USDT@trade"|' +
  '"c001usdt@kline_1m"|"c001usdt@depth@100ms"|"c001usdt@bookTicker"')
  .split("|");
const DEPTHS = [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 2 * MAX_DEPTH + 10];

/** Arrays, or (not JSON) an array of objects closed by a brace, nested. */
function nest(depth: number, arrays: boolean): string {
  if (arrays) return "[".repeat(depth) + "]".repeat(depth);
  return `[${'{"k":'.repeat(depth - 1)}1${"}".repeat(depth)}`;
}

/** `data` with one member's value changed (a string for a string). */
function variant(data: Members, rng: Prng): Members {
  const copy = data.map(([k, v]): [string, string] => [k, v]);
  const member = copy[rng.int(0, copy.length - 1)]!;
  const v = member[1];
  member[1] = v.startsWith('"') ? '"7"' : String(Number(v) + rng.int(-3, 3));
  return copy;
}

/** A character deleted, inserted or replaced, or a punctuation mark swapped. */
function charMutant(frame: string, rng: Prng): string {
  let i = rng.int(0, frame.length - 1);
  const op = rng.int(0, 3);
  let c = CHARS[rng.int(0, CHARS.length - 1)]!;
  if (op === 3) {
    const j = frame.slice(i).search(/[,:[\]{}]/);
    if (j === -1) return frame;
    i += j;
    c = ",:[]{}"[rng.int(0, 5)]!;
  }
  return frame.slice(0, i) + (op === 0 ? "" : c) +
    frame.slice(op === 1 ? i : i + 1);
}

/** One mutant of a clean `frame`, by operator `op` (0 to 13). */
function mutate(frame: string, op: number, rng: Prng): string {
  const m = JSON.parse(frame);
  const data: Members = [];
  for (const [k, v] of Object.entries(m.data)) {
    data.push([k, JSON.stringify(v)]);
  }
  const pick = <T>(xs: readonly T[]) => xs[rng.int(0, xs.length - 1)]!;
  const at = (n: number) => rng.int(0, n);
  const top: Members = [["stream", JSON.stringify(m.stream)], ["data", ""]];
  const i = at(frame.length - 1);
  switch (op) {
    case 0:
    case 1:
    case 2:
      return charMutant(frame, rng);
    case 3: // keys reordered
      for (let k = data.length - 1; k > 0; k--) {
        const j = at(k);
        [data[k], data[j]] = [data[j]!, data[k]!];
      }
      break;
    case 4: // data before stream
      top.reverse();
      break;
    case 5:
      return frame.slice(0, i) + pick([" ", "\n", "\t", "\r"]) + frame.slice(i);
    case 6: { // an escape
      const j = frame.slice(i).search(/[A-Za-z0-9]/);
      if (j === -1) return frame;
      const c = frame.charCodeAt(i + j).toString(16).padStart(4, "0");
      return frame.slice(0, i + j) + `\\u${c}` + frame.slice(i + j + 1);
    }
    case 7: { // an unknown member; half the time, not quite JSON
      const v = pick([...SCALARS, ...NESTED]);
      const value = rng.chance(0.5) ? v : charMutant(v, rng);
      data.splice(at(data.length), 0, [pick(KEYS), value]);
      break;
    }
    case 8: // an unknown top-level member
      top.splice(at(2), 0, [pick(["id", "x", "e"]), pick(NESTED)]);
      break;
    case 9: // a missing member
      data.splice(at(data.length - 1), 1);
      break;
    case 10: // a wrong type
      data[at(data.length - 1)]![1] = pick(WRONG);
      break;
    case 11: { // a duplicate key
      const [k, v] = data[at(data.length - 1)]!;
      data.splice(at(data.length), 0, [k, rng.chance(0.5) ? v : pick(WRONG)]);
      break;
    }
    case 12: { // the envelope: streams and data repeated, missing, wrong
      const r = at(5);
      if (r === 0) top[0]![1] = pick(STREAMS);
      else if (r === 1) top.push(["stream", pick(STREAMS)]);
      else if (r === 2) top.push(["data", render(variant(data, rng))]);
      else if (r === 3) top.pop();
      else if (r === 4) top[1]![1] = pick(["null", "[]", "{}", '"x"', "1"]);
      else top.unshift(["stream", pick(STREAMS)]);
      break;
    }
    default: // deep nesting
      data.splice(at(data.length), 0, [
        pick(KEYS),
        nest(pick(DEPTHS), rng.chance(0.5)),
      ]);
  }
  for (const member of top) if (member[1] === "") member[1] = render(data);
  return render(top);
}

Deno.test("fast path: mutants, replays and gaps give the same results either way", () => {
  const twin = new Twin(NATIVES);
  const pool = [...CORPUS.frames.slice(0, 8_000), ...HOT, ...COLD];
  const rng = new Prng(29);
  const outcomes: Record<string, number> = {};
  let cursor = 0;
  let fast = 0;
  let fellBack = 0;
  for (let n = 1; n <= 40_000; n++) {
    // Mostly forward; sometimes a jump ahead (a gap) or back (a replay).
    const r = rng.next();
    cursor += r < 0.05 ? rng.int(2, 40) : r < 0.1 ? -rng.int(1, 40) : 1;
    cursor = Math.max(0, cursor % pool.length);
    const base = rng.chance(0.02) ? pool.at(-rng.int(1, 3))! : pool[cursor]!;
    let frame = rng.chance(0.25) ? base : mutate(base, rng.int(0, 13), rng);
    // Some structural mutants get a broken character too.
    if (frame !== base && rng.chance(0.3)) frame = charMutant(frame, rng);
    const before = twin.fast.parser.fastFrames;
    const outcome = twin.feed(frame, n);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (frame === base) continue;
    if (twin.fast.parser.fastFrames > before) fast++;
    else fellBack++;
  }
  const s = twin.fast.stats;
  const got = JSON.stringify({ outcomes, fast, fellBack, gaps: s.gaps });
  assert.ok(fast > 3_000 && fellBack > 3_000, got);
  assert.ok(outcomes.invalid! > 500 && outcomes.malformed! > 500, got);
  assert.ok(outcomes.unknown! > 50 && s.duplicates > 500, got);
  assert.ok(s.gaps > 500 && twin.fast.requested.length > 50, got);
});
