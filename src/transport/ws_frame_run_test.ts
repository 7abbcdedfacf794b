/**
 * Tests of the frame reader's runs (`ws_frame.ts`): whole text frames of
 * one read are decoded together, exactly as frame-by-frame decoding would
 * give them, and delivered with `more` while another message of the same
 * read follows.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FrameReader, type FrameSink } from "./ws_frame.ts";
import { OP_BINARY, OP_PING, OP_TEXT, WsProtocolError } from "./ws_protocol.ts";
import { concat, serverFrame as f } from "./_raw_ws_server.ts";

type Got = [string | Uint8Array, boolean] | ["control", number];

function recorder() {
  const got: Got[] = [];
  const sink: FrameSink = {
    message: (data, more) => {
      got.push([data, more]);
      return true;
    },
    control: (op) => got.push(["control", op]),
  };
  return { got, sink };
}

/** Feeds `data` in as few reads as the reader's space allows. */
function read(reader: FrameReader, data: Uint8Array, sink: FrameSink): void {
  for (let o = 0; o < data.length;) {
    const space = reader.space();
    const n = Math.min(space.length, data.length - o);
    space.set(data.subarray(o, o + n));
    reader.filled(n, sink);
    o += n;
  }
}

Deno.test("a read's text frames come with more until the last; a control frame ends the run", () => {
  const { got, sink } = recorder();
  read(
    new FrameReader(),
    concat(
      f(OP_TEXT, "a"),
      f(OP_TEXT, "bb"),
      f(OP_TEXT, "ccc"),
      f(OP_PING, "p"),
      f(OP_TEXT, "d"),
      f(OP_BINARY, "e"),
      f(OP_TEXT, "f"),
    ),
    sink,
  );
  assert.deepEqual(got, [
    ["a", true],
    ["bb", true],
    ["ccc", false],
    ["control", OP_PING],
    ["d", false],
    [new TextEncoder().encode("e"), false],
    ["f", false],
  ]);
});

Deno.test("a run ends before a partial frame; the next read starts a new one", () => {
  const { got, sink } = recorder();
  const reader = new FrameReader();
  const third = f(OP_TEXT, "third");
  read(
    reader,
    concat(f(OP_TEXT, "first"), f(OP_TEXT, "second"), third.subarray(0, 3)),
    sink,
  );
  read(reader, third.subarray(3), sink);
  assert.deepEqual(got, [["first", true], ["second", false], [
    "third",
    false,
  ]]);
});

Deno.test("headers of every length between ASCII payloads, and payloads over a run's size, come out exact", () => {
  // 16-bit lengths with a low byte over 0x7f (200, 383), 64-bit ones, and
  // enough frames to fill several runs.
  const texts: string[] = [];
  for (let i = 0; i < 300; i++) {
    const len = i % 100 === 50 ? 70_000 : [5, 200, 383, 2000, 125][i % 5]!;
    texts.push(String(i % 10).repeat(len));
  }
  const { got, sink } = recorder();
  // How many messages had come when each call of `filled` returned.
  const reads: number[] = [];
  const reader = new FrameReader();
  const data = concat(...texts.map((t) => f(OP_TEXT, t)));
  for (let o = 0; o < data.length;) {
    const space = reader.space();
    const n = Math.min(space.length, data.length - o);
    space.set(data.subarray(o, o + n));
    reader.filled(n, sink);
    reads.push(got.length);
    o += n;
  }
  assert.deepEqual(got.map((g) => g[0]), texts);
  // `more` says exactly whether another message follows in the same call of
  // `filled`, across the runs a read is cut into at their size limit.
  assert.ok(reads.length > 1 && reads.length < texts.length);
  got.forEach((g, i) => {
    assert.equal(g[1], !reads.includes(i + 1), `frame ${i}`);
  });
});

Deno.test("a run cut at its frame limit says more when a whole text frame follows", () => {
  const texts = Array.from({ length: 200 }, (_, i) => `m${i}`);
  const { got, sink } = recorder();
  read(new FrameReader(), concat(...texts.map((t) => f(OP_TEXT, t))), sink);
  assert.deepEqual(got, texts.map((t, i) => [t, i + 1 < texts.length]));
  // Before a partial frame, a ping or a binary frame, a cut run says no more.
  for (
    const after of [
      f(OP_TEXT, "partial").subarray(0, 4),
      f(OP_PING, "p"),
      f(OP_BINARY, "b"),
    ]
  ) {
    const r = recorder();
    const first = texts.slice(0, 64);
    read(
      new FrameReader(),
      concat(...first.map((t) => f(OP_TEXT, t)), after),
      r.sink,
    );
    assert.equal(r.got[63]![1], false);
  }
});

Deno.test("multi-byte UTF-8 and a real U+FFFD in a run are decoded frame by frame, exactly", () => {
  const texts = ["plain", "héllo wörld", "\uFFFD", "日本", "end"];
  const { got, sink } = recorder();
  read(new FrameReader(), concat(...texts.map((t) => f(OP_TEXT, t))), sink);
  assert.deepEqual(got, texts.map((t, i) => [t, i + 1 < texts.length]));
});

Deno.test("frames before a bad one in the same read are delivered, then the reader fails", () => {
  for (
    const [bad, code] of [
      [f(OP_TEXT, Uint8Array.of(0x61, 0xff)), 1007], // not UTF-8
      [f(OP_TEXT, "x", { mask: Uint8Array.of(1, 2, 3, 4) }), 1002], // masked by the server
    ] as const
  ) {
    const { got, sink } = recorder();
    assert.throws(
      () =>
        read(
          new FrameReader(),
          concat(f(OP_TEXT, "one"), f(OP_TEXT, "two"), bad),
          sink,
        ),
      (e: unknown) => e instanceof WsProtocolError && e.closeCode === code,
    );
    assert.deepEqual(got.map((g) => g[0]), ["one", "two"], `close ${code}`);
  }
});
