import assert from "node:assert/strict";
import {
  INCOMPLETE,
  RedisReplyError,
  type Reply,
  RespProtocolError,
  RespReader,
} from "./resp_reader.ts";
import { encodeCommands, RespWriter } from "./resp_writer.ts";

const te = new TextEncoder();
const td = new TextDecoder();

/** Every reply `reader` yields for `bytes` pushed in one go. */
function readAll(bytes: Uint8Array, reader = new RespReader()): Reply[] {
  reader.push(bytes);
  const out: Reply[] = [];
  for (;;) {
    const r = reader.next();
    if (r === INCOMPLETE) return out;
    out.push(r);
  }
}

/** Parses a command encoding back into its arguments (the server's view). */
function decodeCommands(bytes: Uint8Array): string[][] {
  const replies = readAll(bytes);
  return replies.map((r) => {
    assert.ok(Array.isArray(r));
    return r.map((a) => {
      assert.equal(typeof a, "string");
      return a as string;
    });
  });
}

Deno.test("RespWriter encodes arrays of bulk strings byte-exactly", () => {
  const w = new RespWriter(64);
  w.command(["PING"]);
  w.command(["SET", "k", ""]);
  assert.equal(
    td.decode(w.bytes()),
    "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n",
  );
  w.reset();
  assert.equal(w.length, 0);
  w.command(["é", "€", "😀", "a\r\nb"]);
  assert.equal(
    td.decode(w.bytes()),
    "*4\r\n$2\r\né\r\n$3\r\n€\r\n$4\r\n😀\r\n$4\r\na\r\nb\r\n",
  );
  assert.deepEqual(
    encodeCommands([["PING"]]),
    te.encode("*1\r\n$4\r\nPING\r\n"),
  );
});

Deno.test("RespWriter round-trips non-ASCII, long, and length-boundary strings", () => {
  const args: string[] = [];
  // Lengths where the UTF-8 byte count needs more digits than the units.
  for (const n of [1, 3, 4, 9, 10, 33, 34, 99, 100, 333, 334, 3333, 3334]) {
    args.push("€".repeat(n), "x".repeat(n), "ü".repeat(n));
  }
  args.push("mixed ascii then ü€😀 and a lone \ud800".replace("\ud800", ""));
  args.push(JSON.stringify({ s: "Zürich – 東京", n: 1 }));
  const big = "y".repeat(300_000) + "ž";
  args.push(big);
  const w = new RespWriter(16);
  w.command(args);
  w.command(["XADD", "k", "*", "f", "v"]);
  const [first, second] = decodeCommands(w.bytes());
  assert.deepEqual(first, args);
  assert.deepEqual(second, ["XADD", "k", "*", "f", "v"]);
  // Declared lengths are UTF-8 bytes.
  const text = td.decode(w.bytes());
  assert.ok(text.includes(`$${te.encode(big).length}\r\n`));
  assert.ok(text.includes(`$${3 * 334}\r\n${"€".repeat(334)}\r\n`));
});

Deno.test("RespReader parses every reply type", () => {
  const bytes = te.encode(
    "+OK\r\n-WRONGTYPE Operation against a key\r\n:42\r\n:-7\r\n" +
      "$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n" +
      "*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n+x\r\n$5\r\nü€\r\n",
  );
  const replies = readAll(bytes);
  assert.equal(replies.length, 11);
  assert.equal(replies[0], "OK");
  const err = replies[1];
  assert.ok(err instanceof RedisReplyError);
  assert.equal(err.code, "WRONGTYPE");
  assert.equal(err.name, "ReplyError");
  assert.equal(err.message, "WRONGTYPE Operation against a key");
  assert.deepEqual(replies.slice(2), [
    42,
    -7,
    "hello",
    "",
    null,
    null,
    [],
    ["a", [1, null], "x"],
    "ü€",
  ]);
  // the last one was consumed too
  const r = new RespReader();
  assert.deepEqual(readAll(bytes, r).at(-1), "ü€");
  assert.equal(r.buffered, 0);
  assert.deepEqual(readAll(te.encode("$5\r\nü€\r\n")), ["ü€"]);
});

Deno.test("RespReader: every split point of a multi-reply buffer", () => {
  const text = "+OK\r\n$15\r\n1700000000000-0\r\n-ERR bad\r\n:12\r\n" +
    "*2\r\n$3\r\nfoo\r\n$-1\r\n$5\r\nÜber\r\n*0\r\n$-1\r\n";
  const bytes = te.encode(text);
  const expected = readAll(bytes);
  assert.equal(expected.length, 8);
  for (let a = 0; a <= bytes.length; a++) {
    for (const b of [a, Math.min(bytes.length, a + 1), bytes.length]) {
      const r = new RespReader();
      const got = [
        ...readAll(bytes.subarray(0, a), r),
        ...readAll(bytes.subarray(a, b), r),
        ...readAll(bytes.subarray(b), r),
      ];
      assert.deepEqual(got, expected, `split at ${a}/${b}`);
      assert.equal(r.buffered, 0);
    }
  }
  // one byte at a time
  const r = new RespReader();
  const got: Reply[] = [];
  for (let i = 0; i < bytes.length; i++) {
    got.push(...readAll(bytes.subarray(i, i + 1), r));
  }
  assert.deepEqual(got, expected);
});

Deno.test("RespReader: large bulk strings in small chunks, many replies in one read", () => {
  const big = "z".repeat(1_000_000) + "€";
  const bytes = te.encode(`$${te.encode(big).length}\r\n${big}\r\n:1\r\n`);
  const r = new RespReader();
  const got: Reply[] = [];
  for (let i = 0; i < bytes.length; i += 4096) {
    got.push(...readAll(bytes.subarray(i, i + 4096), r));
  }
  assert.equal(got.length, 2);
  assert.equal(got[0], big);
  assert.equal(got[1], 1);

  const many = te.encode("$3\r\n1-0\r\n".repeat(5000));
  const replies = readAll(many);
  assert.equal(replies.length, 5000);
  assert.ok(replies.every((x) => x === "1-0"));
});

Deno.test("RespReader: protocol errors are typed RespProtocolErrors", () => {
  const bad = [
    ["HTTP/1.1 400 Bad Request\r\n", /unexpected type byte 0x48/],
    ["+OK\rX", /CR without LF/],
    [":12a\r\n", /not an integer/],
    [":\r\n", /empty integer/],
    ["$3\r\nabcd\r\n", /not followed by CRLF/],
    ["$-2\r\n", /negative length -2/],
    ["*-5\r\n", /negative length -5/],
    ["$99999999999\r\n", /bulk length/],
  ] as const;
  for (const [text, re] of bad) {
    const r = new RespReader();
    r.push(te.encode(text));
    assert.throws(
      () => r.next(),
      (e: unknown) =>
        e instanceof RespProtocolError && re.test(e.message) &&
        e.offset >= 0,
      text,
    );
  }
  // an error after good replies: those come first, with the offset relative
  const r = new RespReader();
  r.push(te.encode("+OK\r\n?"));
  assert.equal(r.next(), "OK");
  assert.throws(
    () => r.next(),
    (e: unknown) => e instanceof RespProtocolError && e.offset === 0,
  );
});
