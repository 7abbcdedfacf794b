/**
 * Conformance tests of the frame reader (`ws_frame.ts`): lengths,
 * fragmentation, UTF-8 and every frame a client must refuse, with the bytes
 * fed in arbitrary splits (every frame split at every byte boundary).
 *
 * @module
 */

import assert from "node:assert/strict";
import { FrameReader, type FrameSink } from "./ws_frame.ts";
import {
  decodeText,
  OP_BINARY,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  WsProtocolError,
} from "./ws_protocol.ts";
import { bytes, concat, serverFrame as f } from "./_raw_ws_server.ts";

type Got = ["message", string | Uint8Array] | ["control", number, number[]];

/** A sink recording what it gets; `accept` says what `message` returns. */
function recorder(accept: (count: number) => boolean = () => true) {
  const got: Got[] = [];
  let messages = 0;
  const sink: FrameSink = {
    message: (data) => {
      got.push(["message", data]);
      return accept(++messages);
    },
    control: (op, payload) => got.push(["control", op, [...payload]]),
  };
  return { got, sink };
}

/** Feeds `data` through `space()`/`filled()`, cut at `cuts` (and wherever space runs out). */
function feed(
  reader: FrameReader,
  data: Uint8Array,
  sink: FrameSink,
  cuts: number[] = [],
): void {
  let o = 0;
  for (const p of [...cuts, data.length]) {
    while (o < p) {
      const space = reader.space();
      if (space.length === 0) throw new Error("space() gave no room");
      const n = Math.min(space.length, p - o);
      space.set(data.subarray(o, o + n));
      reader.filled(n, sink);
      o += n;
    }
  }
}

/** Feeds `data` in reads of `size` bytes. */
function feedChunks(r: FrameReader, d: Uint8Array, s: FrameSink, size: number) {
  const cuts: number[] = [];
  for (let o = size; o < d.length; o += size) cuts.push(o);
  feed(r, d, s, cuts);
}

/** Asserts `data`, fed in every split (whole, at each offset, byte by byte), yields `want`. */
function everySplit(data: Uint8Array, want: Got[], max?: number): void {
  const reader = new FrameReader(max);
  for (let cut = 0; cut <= data.length; cut++) {
    const { got, sink } = recorder();
    feed(reader, data, sink, [cut]);
    assert.deepEqual(got, want, `split at ${cut}`);
    assert.equal(reader.pending, 0);
  }
  const { got, sink } = recorder();
  feedChunks(reader, data, sink, 1);
  assert.deepEqual(got, want, "byte by byte");
}

/** Asserts feeding `data` (whole and byte by byte) throws a WsProtocolError with `code`. */
function refuses(data: Uint8Array, code: number, max?: number): void {
  for (const size of [data.length, 1]) {
    assert.throws(
      () => feedChunks(new FrameReader(max), data, recorder().sink, size),
      (e: unknown) => e instanceof WsProtocolError && e.closeCode === code,
      `reads of ${size}`,
    );
  }
}

const text = (s: string): Got => ["message", s];
const bin = (b: Uint8Array): Got => ["message", b];
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => i * 7);

Deno.test("7-, 16- and 64-bit lengths, every frame split at every byte boundary", () => {
  everySplit(
    concat(
      f(OP_TEXT, ""),
      f(OP_TEXT, "x".repeat(125)),
      f(OP_BINARY, pattern(126)),
      f(OP_BINARY, pattern(300)),
      f(OP_TEXT, "sixty-four", { lengthForm: 64 }),
      f(OP_TEXT, "sixteen", { lengthForm: 16 }),
    ),
    [
      text(""),
      text("x".repeat(125)),
      bin(pattern(126)),
      bin(pattern(300)),
      text("sixty-four"),
      text("sixteen"),
    ],
  );
});

Deno.test("the largest 16-bit and smallest true 64-bit frames, cut in the header and at the end", () => {
  for (const n of [65535, 65536, 200_000]) {
    const data = concat(f(OP_BINARY, pattern(n)), f(OP_TEXT, "next"));
    const cuts = [0, 1, 2, 3, 4, 5, 9, 10, 11, n, n + 9, n + 10, n + 11];
    for (const cut of cuts) {
      const { got, sink } = recorder();
      feed(new FrameReader(), data, sink, [cut]);
      assert.deepEqual(got, [bin(pattern(n)), text("next")], `${n} at ${cut}`);
    }
  }
});

Deno.test("many frames in one read are all delivered, in order", () => {
  const want = Array.from({ length: 2000 }, (_, i) => `{"seq":${i}}`);
  const { got, sink } = recorder();
  feed(new FrameReader(), concat(...want.map((s) => f(OP_TEXT, s))), sink);
  assert.deepEqual(got, want.map(text));
});

Deno.test("a fragmented message is reassembled; control frames between its fragments are delivered", () => {
  everySplit(
    concat(
      f(OP_TEXT, "Hel", { fin: false }),
      f(OP_PING, "p1"),
      f(OP_CONTINUATION, "lo, ", { fin: false }),
      f(OP_PONG, ""),
      f(OP_CONTINUATION, "world"),
      f(OP_BINARY, pattern(2), { fin: false }),
      f(OP_CONTINUATION, pattern(0), { fin: false }),
      f(OP_CONTINUATION, pattern(3)),
      f(OP_TEXT, "after"),
    ),
    [
      ["control", OP_PING, [...bytes("p1")]],
      ["control", OP_PONG, []],
      text("Hello, world"),
      bin(Uint8Array.of(0, 7, 0, 7, 14)),
      text("after"),
    ],
  );
});

Deno.test("a fragmented message over the size limit fails with 1009", () => {
  const parts = [f(OP_TEXT, "123456", { fin: false }), f(OP_CONTINUATION, "7")];
  refuses(concat(...parts), 1009, 6);
  everySplit(concat(...parts), [text("1234567")], 7);
});

Deno.test("multi-byte UTF-8 is delivered exactly, also split across fragments", () => {
  const s = "é€😀 ascii ünï";
  const b = bytes(s);
  everySplit(f(OP_TEXT, s), [text(s)]);
  for (let cut = 0; cut <= b.length; cut++) {
    const frames = concat(
      f(OP_TEXT, b.subarray(0, cut), { fin: false }),
      f(OP_CONTINUATION, b.subarray(cut)),
    );
    const { got, sink } = recorder();
    feed(new FrameReader(), frames, sink);
    assert.deepEqual(got, [text(s)], `fragment cut at ${cut}`);
  }
  const oneByteEach = [...b].map((x, i) =>
    f(i === 0 ? OP_TEXT : OP_CONTINUATION, Uint8Array.of(x), {
      fin: i === b.length - 1,
    })
  );
  everySplit(concat(...oneByteEach), [text(s)]);
});

Deno.test("text that is not UTF-8 fails with 1007; a real U+FFFD is accepted", () => {
  const invalid = [
    [0xc3, 0x28], // bad continuation
    [0xc0, 0xaf], // overlong "/"
    [0xed, 0xa0, 0x80], // a UTF-16 surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0x61, 0xf0, 0x9f, 0x98], // truncated at the end
    [0xff],
  ];
  for (const b of invalid) {
    refuses(f(OP_TEXT, Uint8Array.from(b)), 1007);
    refuses(
      concat(
        f(OP_TEXT, Uint8Array.of(0x61), { fin: false }),
        f(OP_CONTINUATION, Uint8Array.from(b)),
      ),
      1007,
    );
    assert.throws(() => decodeText(Uint8Array.from(b)), WsProtocolError);
  }
  everySplit(f(OP_TEXT, "a\uFFFDb"), [text("a\uFFFDb")]);
  everySplit(
    concat(f(OP_TEXT, "\uFFFD", { fin: false }), f(OP_CONTINUATION, "\uFFFD")),
    [text("\uFFFD\uFFFD")],
  );
  assert.equal(decodeText(bytes("\uFFFD")), "\uFFFD");
});

Deno.test("a leading U+FEFF in a text message is delivered, not stripped as a BOM", () => {
  everySplit(f(OP_TEXT, "\uFEFF{}"), [text("\uFEFF{}")]);
});

Deno.test("refuses what a client must refuse, with the right close code", () => {
  const mask = Uint8Array.of(1, 2, 3, 4);
  const open = f(OP_TEXT, "a", { fin: false });
  const cases: [string, Uint8Array, number, number?][] = [
    ["masked", f(OP_TEXT, "hi", { mask }), 1002],
    ["masked, empty", f(OP_PONG, "", { mask }), 1002],
    ["RSV1", f(OP_TEXT, "hi", { rsv: 4 }), 1002],
    ["RSV2", f(OP_TEXT, "hi", { rsv: 2 }), 1002],
    ["RSV3", f(OP_PING, "", { rsv: 1 }), 1002],
    ["opcode 3", f(3, "x"), 1002],
    ["opcode 7", f(7, ""), 1002],
    ["opcode 0xB", f(0xb, "x"), 1002],
    ["opcode 0xF", f(0xf, ""), 1002],
    ["ping of 126 bytes", f(OP_PING, pattern(126)), 1002],
    ["close of 126 bytes", f(OP_CLOSE, pattern(126)), 1002],
    ["ping without FIN", f(OP_PING, "x", { fin: false }), 1002],
    ["lone continuation", f(OP_CONTINUATION, "x"), 1002],
    ["lone, not FIN", f(OP_CONTINUATION, "x", { fin: false }), 1002],
    ["text in a text", concat(open, f(OP_TEXT, "b")), 1002],
    ["binary in a text", concat(open, f(OP_BINARY, "b", { fin: false })), 1002],
    ["over max", f(OP_TEXT, "x".repeat(101)), 1009, 100],
    ["binary over max", f(OP_BINARY, pattern(70_000)), 1009, 65_536],
    ["1 TiB announced", f(OP_BINARY, "", { declared64: [256, 0] }), 1009],
    ["top bit set", f(OP_BINARY, "", { declared64: [2 ** 31, 5] }), 1002],
  ];
  for (const [name, data, code, max] of cases) {
    assert.doesNotThrow(() => refuses(data, code, max), name);
  }
});

Deno.test("a 1 MiB frame arrives whole, then small frames and another big one, in TCP-sized reads", () => {
  const big = pattern(1 << 20);
  const small = Array.from({ length: 1000 }, (_, i) => `small ${i}`);
  const bigText = "€".repeat(400_000);
  const data = concat(
    f(OP_BINARY, big),
    ...small.map((s) => f(OP_TEXT, s)),
    f(OP_TEXT, bigText),
    f(OP_TEXT, "last"),
  );
  const want = [bin(big), ...small.map(text), text(bigText), text("last")];
  for (const size of [65_536, 100_003, data.length]) {
    const reader = new FrameReader();
    const { got, sink } = recorder();
    feedChunks(reader, data, sink, size);
    assert.deepEqual(got, want, `reads of ${size}`);
    // After the big frames the (shrunk) buffer still works.
    const after = recorder();
    feedChunks(reader, concat(f(OP_TEXT, "a"), f(OP_TEXT, "b")), after.sink, 1);
    assert.deepEqual(after.got, [text("a"), text("b")]);
    // Empty again, the buffer is back to its initial 128 KiB.
    assert.equal(reader.space().length, 128 * 1024);
  }
});

Deno.test("when message() returns false, later messages of that read are dropped but control frames still come", () => {
  const reader = new FrameReader();
  const { got, sink } = recorder((n) => n < 1);
  feed(
    reader,
    concat(
      f(OP_TEXT, "a"),
      f(OP_TEXT, "b"),
      f(OP_PING, "p"),
      f(OP_BINARY, "c"),
      f(OP_TEXT, "d", { fin: false }),
      f(OP_CONTINUATION, "e"),
      f(OP_CLOSE, Uint8Array.of(3, 232)),
    ),
    sink,
  );
  assert.deepEqual(got, [
    text("a"),
    ["control", OP_PING, [...bytes("p")]],
    ["control", OP_CLOSE, [3, 232]],
  ]);
  // The next read delivers again.
  const next = recorder();
  feed(reader, f(OP_TEXT, "later"), next.sink);
  assert.deepEqual(next.got, [text("later")]);
});

Deno.test("binary messages and control payloads are copies the reader's buffer does not change later", () => {
  const reader = new FrameReader();
  const kept: Uint8Array[] = [];
  const sink: FrameSink = {
    message: (data) => kept.push(data as Uint8Array) > 0,
    control: (_op, payload) => kept.push(payload),
  };
  feed(
    reader,
    concat(
      f(OP_BINARY, Uint8Array.of(1, 2, 3)),
      f(OP_BINARY, Uint8Array.of(4), { fin: false }),
      f(OP_CONTINUATION, Uint8Array.of(5)),
      f(OP_PING, Uint8Array.of(6)),
    ),
    sink,
  );
  reader.space().fill(0xee);
  feed(reader, f(OP_BINARY, Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9)), sink);
  assert.deepEqual(kept, [
    Uint8Array.of(1, 2, 3),
    Uint8Array.of(4, 5),
    Uint8Array.of(6),
    Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9),
  ]);
});
