import assert from "node:assert/strict";
import { JsonScan, MAX_DEPTH } from "./json_scan.ts";
import { Prng } from "../simulator/prng.ts";

/** Reads any value with the scanner's typed reads (what a parser does). */
function read(s: JsonScan): unknown {
  const c = s.text.charCodeAt(s.pos);
  if (c === 123) {
    s.open();
    const o: Record<string, unknown> = {};
    if (s.text.charCodeAt(s.pos) === 125) {
      s.pos++;
      return o;
    }
    do {
      const at = s.pos + 1;
      const c = s.memberKey();
      if (c < 0) return undefined;
      const name = s.text.slice(at, at + s.keyLength);
      assert.ok(s.isKey(name));
      if (c > 0) assert.equal(name, String.fromCharCode(c));
      o[name] = read(s);
    } while (s.more());
    return o;
  }
  if (c === 91) {
    const a: unknown[] = [];
    if (!s.openItems()) return a;
    do a.push(read(s)); while (s.moreItems());
    return a;
  }
  if (c === 34) return s.string();
  if (c === 116 || c === 102) return s.boolean();
  if (s.null()) return null;
  return s.number();
}

function scanned(text: string): unknown {
  const s = new JsonScan();
  if (!s.begin(text)) return Symbol.for("refused");
  const v = read(s);
  return s.finish() ? v : Symbol.for("refused");
}

/** Whether the scanner's strict skip accepts `text` as one whole value. */
function skipped(text: string): boolean {
  const s = new JsonScan();
  return s.begin(text) && s.skip() && s.finish();
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Symbol.for("refused");
  }
}

Deno.test("reads what JSON.parse reads, number for number", () => {
  const texts = [
    '{"a":1,"b":"x","c":true,"d":false,"e":null,"f":[1,2],"g":{"h":-0}}',
    '{"n":[0,-1,12345678901234567,1.5,-2.25e-3,1E5,9007199254740993,1e400]}',
    '{"t":1750000000123,"s":"BTC-USD","p":"0.00001234"}',
    "[999999999,1000000000,123456789012345,1234567890123456,-123456789012345]",
    "[0.0,-0.0,-0,10,1e5,0e0,1.000000000000000000001,99999999999999999999]",
    '{"b":[["1.5","2"],["1.4","0"]],"a":[]}',
    "[]",
    "{}",
    '{"e":{},"f":[[]]}',
  ];
  for (const t of texts) assert.deepEqual(scanned(t), JSON.parse(t), t);
});

Deno.test("refuses escapes, whitespace and broken JSON, never reads past it", () => {
  const texts = [
    '{"a":"x\\"y"}',
    '{ "a":1}',
    '{"a":01}',
    '{"a":1.}',
    '{"a":1e}',
    '{"a":-}',
    '{"a":1]',
    '{"a":[1}',
    '{"a":1',
    '{"a":1}x',
    '{"a" :1}',
    '{"a":tru}',
    '{"a":fals}',
    '{"a":nul}',
    '{"a":truex}',
    '{"a":1:2}',
    '{"a":1,"b"}',
    '{"a":-01}',
    '{"a":1e+}',
    '{"a":+1}',
    '{"a":"x}',
    '{"a":"x\u0001"}',
    '{"a\u001f":1}',
    '{"a":\t1}',
    '{"a":1}\n',
  ].map((t) =>
    t.replace(/\\u00(..)/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
  );
  for (const t of texts) {
    assert.equal(scanned(t), Symbol.for("refused"), t);
    assert.ok(!skipped(t), t);
  }
});

Deno.test("skip is strict and stops at MAX_DEPTH", () => {
  const ok = ['{"a":[1,-0.5e+3,true,false,null,"x",{},[]]}', "0", '""', "[]"];
  for (const t of ok) assert.ok(skipped(t), t);
  const bad = ["tru", "fals", "nul", "1:2", "[1,]", '{"a"}', '{"a":1,}', "-"];
  for (const t of bad) assert.ok(!skipped(t), t);
  const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
  assert.ok(skipped(nest(MAX_DEPTH)));
  assert.ok(!skipped(nest(MAX_DEPTH + 1)));
  assert.ok(!skipped(nest(1e5))); // refused, no stack overflow
});

Deno.test("stringIs matches a whole string in place, or reads nothing", () => {
  const s = new JsonScan();
  s.begin('["Buy","Sel","Sell",1]');
  s.openArray();
  assert.ok(s.stringIs("Buy") && s.moreItems());
  assert.ok(!s.stringIs("Sell") && !s.stringIs("Se") && s.stringIs("Sel"));
  assert.ok(s.moreItems() && s.stringIs("Sell") && s.moreItems());
  assert.ok(!s.stringIs("1") && s.number() === 1 && !s.moreItems());
  assert.ok(s.finish());
});

Deno.test("levels: pairs of non-empty strings, or nothing", () => {
  const s = new JsonScan();
  s.begin('[["1.5","2"],["1","0"]]');
  assert.deepEqual(s.levels(), [["1.5", "2"], ["1", "0"]]);
  assert.ok(s.finish());
  s.begin("[]");
  assert.deepEqual(s.levels(), []);
  assert.ok(s.finish());
  for (const bad of ['[["1.5"]]', '[["1","2","3"]]', '[["","2"]]', "[[1,2]]"]) {
    s.begin(bad);
    assert.equal(s.levels(), undefined, bad);
    assert.ok(!s.finish(), bad);
  }
});

Deno.test("skip passes over any value, nested or not", () => {
  const s = new JsonScan();
  const t =
    '{"a":{"b":[1,{"c":"}]"}],"d":"x,y"},"e":[],"f":-1.5e3,"g":null,"z":7}';
  s.begin(t);
  s.open();
  let z = 0;
  do {
    s.key();
    if (s.isKey("z")) z = s.number();
    else assert.ok(s.skip());
  } while (s.more());
  assert.ok(s.finish());
  assert.equal(z, 7);
});

Deno.test("mutated frames: whatever the scanner accepts, JSON.parse reads the same", () => {
  const base = [
    '{"type":"match","trade_id":366443949,"sequence":11438231181,"time":"2025-06-15T15:06:40.001000Z","product_id":"S000-USD","size":"10.31247959","price":"21.62","side":"buy"}',
    '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":7,"b":[["1.00","2"]],"a":[["1.1","0.5"],["1.2","0"]]}}',
    '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0.1","p":"1","i":"a-b","BT":false}]}',
  ];
  const rng = new Prng(11);
  const alphabet = [
    ...'{}[]",:0123456789.-eEtruefalsn ab\\\t\n\u0000\u0001\u001f\u007f',
    ...["tru", "fals", "nul", "1:2", "true", "null", "-0", "1e+5", "00"],
    ...["[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1), '{"k":[{}]}'],
  ];
  let accepted = 0;
  for (let n = 0; n < 20_000; n++) {
    let t = base[n % base.length]!;
    for (let k = rng.int(1, 3); k > 0; k--) {
      const at = rng.int(0, t.length - 1);
      const ch = alphabet[rng.int(0, alphabet.length - 1)]!;
      const op = rng.int(0, 2);
      t = op === 0
        ? t.slice(0, at) + t.slice(at + 1)
        : op === 1
        ? t.slice(0, at) + ch + t.slice(at)
        : t.slice(0, at) + ch + t.slice(at + 1);
    }
    if (skipped(t)) assert.ok(parsed(t) !== Symbol.for("refused"), t);
    const got = scanned(t);
    if (got === Symbol.for("refused")) continue;
    accepted++;
    assert.deepEqual(got, parsed(t), t);
  }
  assert.ok(accepted > 1000, `only ${accepted} mutants accepted`);
});
