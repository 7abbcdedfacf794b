import assert from "node:assert/strict";
import { coinbaseVenueCorpus } from "../../../bench/corpus.ts";
import type { NormalizedEvent } from "../../core/events.ts";
import { VenueStats } from "../../core/stats.ts";
import { CoinbaseMarket } from "../../simulator/coinbase_market.ts";
import { Prng } from "../../simulator/prng.ts";
import { CoinbaseParser } from "./parse.ts";
import { CoinbaseScan, L2UPDATE, MATCH, TICKER } from "./scan.ts";

/**
 * Two parsers fed the same frames: one with the fast path, one that decodes
 * every frame with JSON.parse. After each frame they must agree on the
 * outcome (or both throw), the events (values, types, property order) and
 * every counter.
 */
class Twin {
  readonly fastStats = new VenueStats("coinbase");
  readonly slowStats = new VenueStats("coinbase");
  readonly fast = new CoinbaseParser(this.fastStats);
  readonly slow = new CoinbaseParser(this.slowStats, { fastPath: false });
  frames = 0;

  feed(frame: string, connection = "coinbase-0", ts = 1.75e12): string {
    const fastOut: NormalizedEvent[] = [];
    const slowOut: NormalizedEvent[] = [];
    const a = outcome(() => this.fast.parse(frame, ts, connection, fastOut));
    const b = outcome(() => this.slow.parse(frame, ts, connection, slowOut));
    const at = `frame ${this.frames}: ${JSON.stringify(frame).slice(0, 300)}`;
    this.frames++;
    assert.equal(a, b, at);
    assert.deepEqual(fastOut, slowOut, at);
    for (let i = 0; i < fastOut.length; i++) {
      assert.deepEqual(Object.keys(fastOut[i]!), Object.keys(slowOut[i]!), at);
    }
    assert.deepEqual(this.fastStats, this.slowStats, at);
    assert.equal(this.slow.fastFrames, 0);
    return a;
  }

  reconnect(connection: string): void {
    this.fast.connectionOpened(connection);
    this.slow.connectionOpened(connection);
  }
}

function outcome(parse: () => string): string {
  try {
    return parse();
  } catch (e) {
    return `threw ${e}`;
  }
}

/** A feed of every kind the fast path reads, and the frames around them. */
function feed(count: number, seed: number): string[] {
  const products = ["BTC-USD", "ETH-USD", "SOL-EUR"];
  const market = new CoinbaseMarket({ products, seed, startMs: 1.75e12 });
  const rng = new Prng(seed);
  const frames = products.map((p) => market.snapshot(p));
  let now = 1.75e12;
  while (frames.length < count) {
    const p = rng.pick(products);
    now += rng.int(0, 900);
    frames.push(...market.nextTrades(p, rng.int(1, 4), now));
    const l2 = market.l2Batch(p);
    if (l2 !== null) frames.push(l2);
    if (rng.chance(0.1)) frames.push(market.heartbeat(p, now));
    if (rng.chance(0.03)) frames.push(market.lastMatch(p));
  }
  return frames;
}

const ALPHABET = '{}[]",:019.-eE+tfnulasby \t\n\r\u0000\u001f\\Aé\ud800';
const EXTRAS: unknown[] = [
  null,
  true,
  0,
  -1.5e-7,
  "x",
  "",
  {},
  [],
  { a: [1, { b: null }], c: "}" },
  [["buy", "1", "2"]],
];
const WRONG: unknown[] = [null, 1, 1.5, -0, "7", "", true, {}, [], ["buy"]];
const TYPES = ["match", "last_match", "ticker", "ticker_batch", "l2update"];

/** A random edit of `frame`: of its characters, its members, or its values. */
function mutate(rng: Prng, frame: string): string {
  const at = rng.int(0, frame.length - 1);
  const ch = rng.pick([...ALPHABET]);
  const members = Object.entries(JSON.parse(frame) as Record<string, unknown>);
  const i = rng.int(0, members.length - 1);
  const [key, value] = members[i]!;
  switch (rng.int(0, 12)) {
    case 0:
      return frame.slice(0, at) + frame.slice(at + 1);
    case 1:
      return frame.slice(0, at) + ch + frame.slice(at);
    case 2:
      return frame.slice(0, at) + ch + frame.slice(at + 1);
    case 3: // key order
      members.splice(
        rng.int(0, members.length - 1),
        0,
        ...members.splice(i, 1),
      );
      return JSON.stringify(Object.fromEntries(members));
    case 4: { // whitespace between tokens
      const after = frame.indexOf(rng.pick([",", ":", "[", "{"]), at);
      const pos = after === -1 ? frame.length : after + 1;
      return frame.slice(0, pos) + rng.pick([" ", "\n", "\t"]) +
        frame.slice(pos);
    }
    case 5: { // an escape that JSON.parse reads as the same character
      const m = /[A-Za-z0-9]/.exec(frame.slice(frame.indexOf(":", at) + 2));
      if (m === null) return frame;
      const pos = frame.indexOf(":", at) + 2 + m.index;
      const code = frame.charCodeAt(pos).toString(16).padStart(4, "0");
      return `${frame.slice(0, pos)}\\u${code}${frame.slice(pos + 1)}`;
    }
    case 6: // an unknown member
      members.splice(i, 0, [
        rng.pick(["extra", "x_id", "sides"]),
        rng.pick(EXTRAS),
      ]);
      return JSON.stringify(Object.fromEntries(members));
    case 7: // a missing member
      members.splice(i, 1);
      return JSON.stringify(Object.fromEntries(members));
    case 8: // a value of another type
      members[i] = [key, rng.pick(WRONG)];
      return JSON.stringify(Object.fromEntries(members));
    case 9: { // a duplicate key, before (ignored) or after (kept)
      const dup = `${JSON.stringify(key)}:${
        JSON.stringify(rng.pick([...WRONG, value, "1.00"]))
      }`;
      return rng.chance(0.5)
        ? `{${dup},${frame.slice(1)}`
        : `${frame.slice(0, -1)},${dup}}`;
    }
    case 10: // another type
      members[0] = ["type", rng.pick(TYPES)];
      return JSON.stringify(Object.fromEntries(members));
    case 11: { // other spellings of a number
      const n = frame.indexOf(":", at);
      const m = /^:(\d+)/.exec(frame.slice(n));
      if (m === null) return frame;
      const spelled = rng.pick([
        `0${m[1]}`,
        `${m[1]}.0`,
        `${m[1]}e0`,
        `-${m[1]}`,
        "-0",
        "1e400",
        `${m[1]}.`,
        "999999999999999", // 15 digits: read as text
        "12345678901234567", // beyond 2^53: JSON.parse rounds it
      ]);
      return frame.slice(0, n + 1) + spelled +
        frame.slice(n + 1 + m[1]!.length);
    }
    default: // a raw control character inside a string
      return frame.replace(
        /":"(.)/,
        (_, c) => `":"${rng.pick(["\u0000", "\n", "\u001f"])}${c}`,
      );
  }
}

Deno.test("fast path: the benchmark corpus gives exactly the decoded path's results, every frame fast", () => {
  const twin = new Twin();
  const frames = coinbaseVenueCorpus(25_000).frames;
  for (const frame of frames) assert.equal(twin.feed(frame, "bench-0"), "ok");
  assert.equal(twin.fast.fastFrames, frames.length);
});

Deno.test("fast path: a feed with books, heartbeats, replays, gaps and reconnects agrees", () => {
  const twin = new Twin();
  const frames = feed(12_000, 5);
  const rng = new Prng(99);
  let connection = "coinbase-0";
  let fastKinds = 0;
  for (let i = 0; i < frames.length; i++) {
    if (rng.chance(0.02)) continue; // a gap
    twin.feed(frames[i]!, connection);
    if (rng.chance(0.03)) {
      twin.feed(frames[rng.int(Math.max(0, i - 50), i)]!, connection); // replay
    }
    if (rng.chance(0.002)) {
      connection = `coinbase-${rng.int(0, 2)}`;
      twin.reconnect(connection);
    }
    if (/"type":"(match|ticker|l2update|last_match)"/.test(frames[i]!)) {
      fastKinds++;
    }
  }
  assert.ok(
    twin.fast.fastFrames > fastKinds * 0.9,
    `${twin.fast.fastFrames} of ${fastKinds}`,
  );
  assert.ok(twin.fastStats.gaps > 0 && twin.fastStats.duplicates > 0);
});

Deno.test("fast path: thousands of mutated frames get the decoded path's outcome", () => {
  const twin = new Twin();
  const frames = feed(8_000, 8);
  const rng = new Prng(2024);
  const outcomes = new Map<string, number>();
  const fastBefore = () => twin.fast.fastFrames;
  let fastMutants = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    twin.feed(frame);
    for (let k = rng.int(0, 2); k > 0; k--) {
      const before = fastBefore();
      const o = twin.feed(mutate(rng, frame));
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      fastMutants += fastBefore() - before;
    }
  }
  // Every outcome class shows up, and the fast path took some mutants.
  for (const o of ["ok", "malformed", "invalid", "unknown", "control"]) {
    assert.ok((outcomes.get(o) ?? 0) > 20, `${o}: ${[...outcomes]}`);
  }
  assert.ok(
    fastMutants > 200,
    `only ${fastMutants} mutants took the fast path`,
  );
});

Deno.test("fast path: frames as the live feed and the documentation order them", () => {
  // Captured from the live feed (../shared/research/exchanges.md).
  const live =
    '{"type":"last_match","trade_id":243091453,"maker_order_id":"fcb93eab-2d43-4856-b6d2-f20363bdac2d","taker_order_id":"710c4c8e-3b0f-4bc6-93eb-79ced0fe6fa1","side":"sell","size":"0.01655371","price":"2885.81","product_id":"ETH-USD","sequence":27069295509,"time":"2022-03-20T14:19:42.998986Z"}';
  // The documentation's example order.
  const docs =
    '{"type":"match","trade_id":243091454,"sequence":27069295510,"maker_order_id":"ac928c66-ca53-498f-9c13-a110027a60e8","taker_order_id":"132fb6ae-456b-4654-b4e0-d681ac05cea1","time":"2022-03-20T14:19:43.028459Z","product_id":"ETH-USD","size":"5.23512","price":"2885.80","side":"buy"}';
  const l2 =
    '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","22356.270000","0.00000000"],["sell","22356.300000","1.00000000"]],"time":"2022-08-04T15:25:05.010758Z"}';
  const twin = new Twin();
  for (const frame of [live, docs, l2]) twin.feed(frame);
  assert.equal(twin.fast.fastFrames, 3);
});

Deno.test("fast path: a match's side is buy or sell, anything else goes to the decoder and is invalid there", () => {
  const [match] = coinbaseVenueCorpus(1).frames as [string];
  const scan = new CoinbaseScan();
  const wire = match.replace(/"side":"(buy|sell)"/, '"side":"SIDE"');
  for (const side of ["buy", "sell", "BUY", "buyer", "", "b"]) {
    const frame = wire.replace("SIDE", side);
    const read = scan.read(frame);
    if (side === "buy" || side === "sell") {
      assert.equal(read?.kind, MATCH, side);
      assert.equal(read.kind === MATCH && read.side, side);
    } else assert.equal(read, undefined, side);
    const twin = new Twin();
    const outcome = twin.feed(frame);
    assert.equal(outcome, side === "buy" || side === "sell" ? "ok" : "invalid");
  }
});

Deno.test("fast path: a match or ticker time in another form is decoded; an impossible date is invalid on both paths", () => {
  const twin = new Twin();
  const [match, ticker] = coinbaseVenueCorpus(2).frames as [string, string];
  const time = /"time":"([^"]*)"/;
  let n = 0;
  for (const frame of [match, ticker]) {
    const at = time.exec(frame)![1]!;
    const second = at.slice(0, 19);
    const cases: [string, boolean][] = [
      [at, true],
      [`${second}.000000Z`, true],
      [`${second}.999999Z`, true],
      ["2025-13-01T00:00:00.000001Z", true], // the form, but no such month
      ["2025-01-01T24:00:00.000001Z", true], // no such hour
      ["2025-02-30T00:00:00.000001Z", true], // no such day
      [`${second}Z`, false],
      [`${second}.123Z`, false],
      [`${second}.123456z`, false],
      [`${second}.123456+00:00`, false],
      [`${second.replace("T", " ")}.123456Z`, false],
    ];
    for (const [t, fast] of cases) {
      const before = twin.fast.fastFrames;
      // A new trade id and sequence each time, so no frame is a repeat.
      const frameN = frame.replace(time, `"time":"${t}"`)
        .replace(
          /"(trade_id|sequence)":(\d+)/g,
          (_, k, v) => `"${k}":${Number(v) + ++n}`,
        );
      const outcome = twin.feed(frameN);
      assert.equal(twin.fast.fastFrames - before, fast ? 1 : 0, t);
      assert.equal(outcome, /-13-|T24|-02-30/.test(t) ? "invalid" : "ok", t);
    }
  }
});

Deno.test("CoinbaseScan.read() refuses what it cannot read exactly like JSON.parse", () => {
  const scan = new CoinbaseScan();
  const [match, ticker] = coinbaseVenueCorpus(2).frames as [string, string];
  assert.equal(scan.read(match)?.kind, MATCH);
  assert.equal(
    scan.read(match.replace('"match"', '"last_match"'))?.kind,
    MATCH,
  );
  assert.equal(scan.read(ticker)?.kind, TICKER);
  assert.equal(
    scan.read(feed(60, 1).find((f) => f.includes("l2update"))!)?.kind,
    L2UPDATE,
  );
  const refused = [
    match.replace("-", "\u0000"), // a raw control character in an ignored value
    match.replace('"trade_id":', '"trade_id":0'), // a leading zero
    match.replace(',"side"', ', "side"'),
    match.replace("S000", "\\u0053000"),
    match.replace('"type":"match",', ""),
    `${match.slice(0, -1)},"price":"1"}`, // a duplicate key
    ticker.replace('"price":', '"x":1,"price":'),
    '{"type":"l2update","product_id":"A","changes":[["up","1","2"]],"time":"t"}',
    '{"type":"l2update","product_id":"A","changes":[["buy","","2"]],"time":"t"}',
  ];
  for (const frame of refused) {
    assert.equal(scan.read(frame), undefined, frame);
  }
});
