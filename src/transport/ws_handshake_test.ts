/**
 * Tests of the opening handshake (`ws_handshake.ts`) and of the client
 * frames and close payloads (`ws_client_frame.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  acceptKey,
  checkUpgrade,
  MAX_HEAD_BYTES,
  newKey,
  readResponseHead,
  type ResponseHead,
  upgradeRequest,
  WsHandshakeError,
} from "./ws_handshake.ts";
import {
  checkCloseArguments,
  encodeClientFrame,
  encodeClosePayload,
  readClosePayload,
  sendableCloseCode,
} from "./ws_client_frame.ts";
import {
  OP_BINARY,
  OP_CLOSE,
  OP_TEXT,
  WsProtocolError,
} from "./ws_protocol.ts";
import { bytes, concat } from "./_raw_ws_server.ts";

const decoder = new TextDecoder();

Deno.test("acceptKey matches RFC 6455's example; newKey is 16 random bytes in base64", async () => {
  assert.equal(
    await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
  );
  const a = newKey();
  assert.equal(atob(a).length, 16);
  assert.notEqual(a, newKey());
});

Deno.test("upgradeRequest: GET path and query, Host with a non-default port, the upgrade headers", () => {
  const head = (url: string) =>
    decoder.decode(upgradeRequest(new URL(url), "KEY==", "tickgate/9.9"));
  const r = head("wss://venue.test:8443/ws/v2?streams=a%2Fb&x=1#frag");
  assert.ok(r.endsWith("\r\n\r\n"));
  const [line, ...rest] = r.slice(0, -4).split("\r\n");
  assert.equal(line, "GET /ws/v2?streams=a%2Fb&x=1 HTTP/1.1");
  assert.deepEqual(rest.sort(), [
    "Connection: Upgrade",
    "Host: venue.test:8443",
    "Sec-WebSocket-Key: KEY==",
    "Sec-WebSocket-Version: 13",
    "Upgrade: websocket",
    "User-Agent: tickgate/9.9",
  ]);
  assert.match(
    head("wss://venue.test:443"),
    /^GET \/ HTTP\/1\.1\r\nHost: venue\.test\r\n/,
  );
  assert.match(head("ws://venue.test:80/"), /\r\nHost: venue\.test\r\n/);
  assert.match(head("ws://venue.test:443/"), /\r\nHost: venue\.test:443\r\n/);
  assert.match(
    head("ws://[::1]:9000/p"),
    /^GET \/p HTTP\/1\.1\r\nHost: \[::1\]:9000\r\n/,
  );
});

const response = (text: string) => {
  const b = bytes(text);
  return readResponseHead(b, b.length);
};

Deno.test("readResponseHead is incremental: undefined until the blank line", () => {
  const head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  const whole = concat(bytes(head), Uint8Array.of(0x81, 2, 104, 105));
  const buf = new Uint8Array(1024);
  buf.set(whole);
  const headEnd = head.length;
  for (let end = 0; end < headEnd; end++) {
    assert.equal(readResponseHead(buf, end), undefined, `at ${end}`);
  }
  for (let end = headEnd; end <= whole.length; end++) {
    const head = readResponseHead(buf, end);
    assert.equal(head?.status, 101);
    assert.equal(head?.statusText, "Switching Protocols");
    assert.equal(head?.bodyAt, headEnd);
    assert.equal(head?.headers.get("upgrade"), "websocket");
  }
});

Deno.test("readResponseHead: repeated headers joined, names lower-cased, no reason phrase", () => {
  const head = response(
    "HTTP/1.1 403\r\nSet-Cookie: a=1\r\nX-Why:  rate  \r\nset-cookie: b=2\r\n\r\n",
  );
  assert.equal(head?.status, 403);
  assert.equal(head?.statusText, "");
  assert.equal(head?.headers.get("set-cookie"), "a=1, b=2");
  assert.equal(head?.headers.get("x-why"), "rate");
});

Deno.test("readResponseHead refuses a head over 16 KiB and a response that is not HTTP", () => {
  const long = bytes(`HTTP/1.1 101 OK\r\nX: ${"a".repeat(MAX_HEAD_BYTES)}`);
  assert.equal(readResponseHead(long, MAX_HEAD_BYTES - 1), undefined);
  assert.throws(
    () => readResponseHead(long, long.length),
    (e: unknown) => e instanceof WsHandshakeError && /16384/.test(e.message),
  );
  for (
    const text of [
      "SSH-2.0-OpenSSH\r\n\r\n",
      "HTTP/2 200\r\n\r\n",
      "<html>\r\n\r\n",
    ]
  ) {
    assert.throws(() => response(text), WsHandshakeError, text);
  }
});

function head101(
  extra: Record<string, string>,
  drop: string[] = [],
): ResponseHead {
  const headers = new Map(Object.entries({
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-accept": "good",
    ...extra,
  }));
  for (const d of drop) headers.delete(d);
  return { status: 101, statusText: "Switching Protocols", headers, bodyAt: 0 };
}

function refused(
  head: ResponseHead,
  pattern: RegExp,
  status: number,
  body?: string,
) {
  assert.throws(
    () => checkUpgrade(head, "good", body),
    (e: unknown) =>
      e instanceof WsHandshakeError && pattern.test(e.message) &&
      e.status === status,
    pattern.source,
  );
}

Deno.test("checkUpgrade accepts a proper 101 and refuses what RFC 6455 §4.1 forbids", () => {
  checkUpgrade(head101({}), "good");
  checkUpgrade(
    head101({ upgrade: "WebSocket", connection: "keep-alive, upgrade" }),
    "good",
  );
  refused(
    head101({ "sec-websocket-accept": "bad" }),
    /Sec-WebSocket-Accept/,
    101,
  );
  refused(head101({}, ["sec-websocket-accept"]), /Sec-WebSocket-Accept/, 101);
  refused(head101({}, ["upgrade"]), /upgrade/i, 101);
  refused(head101({ upgrade: "h2c" }), /upgrade/i, 101);
  refused(head101({ connection: "keep-alive" }), /Connection/, 101);
  refused(head101({}, ["connection"]), /Connection/, 101);
  refused(
    head101({ "sec-websocket-extensions": "permessage-deflate" }),
    /extension/,
    101,
  );
  refused(head101({ "sec-websocket-protocol": "chat" }), /subprotocol/, 101);
});

Deno.test("checkUpgrade: a 429 or 403 refusal names the status and quotes the body", () => {
  const head = response(
    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\n\r\n",
  )!;
  const body = '{"code":-1003,"msg":"Too many requests; slow down"}';
  refused(
    head,
    /^HTTP 429 Too Many Requests: \{"code":-1003,"msg":"Too many requests; slow down"\}$/,
    429,
    body,
  );
  refused(
    response("HTTP/1.1 403 Forbidden\r\n\r\n")!,
    /^HTTP 403 Forbidden: geo-blocked$/,
    403,
    "\ngeo-blocked\n",
  );
  refused(response("HTTP/1.1 200 OK\r\n\r\n")!, /^HTTP 200 OK$/, 200);
});

Deno.test("encodeClientFrame masks every length form: mask bit set, unmasking yields the payload", () => {
  const mask = Uint8Array.of(0xa1, 0x00, 0xff, 0x5c);
  const forms: [number, number, number][] = [
    [0, 2, 0],
    [125, 2, 125],
    [126, 4, 126],
    [65535, 4, 126],
    [65536, 10, 127],
    [70000, 10, 127],
  ];
  for (const [n, head, lenByte] of forms) {
    const payload = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
    const frame = encodeClientFrame(OP_BINARY, payload, mask);
    assert.equal(frame.length, head + 4 + n, `length ${n}`);
    assert.equal(frame[0], 0x80 | OP_BINARY);
    assert.equal(frame[1], 0x80 | lenByte);
    const view = new DataView(frame.buffer);
    const len = head === 2
      ? frame[1]! & 0x7f
      : head === 4
      ? view.getUint16(2)
      : view.getUint32(2) * 2 ** 32 + view.getUint32(6);
    assert.equal(len, n);
    assert.deepEqual(frame.subarray(head, head + 4), mask);
    const body = frame.subarray(head + 4);
    if (n >= 4) assert.notDeepEqual(body.slice(0, 4), payload.slice(0, 4));
    const unmasked = body.map((b, i) => b ^ mask[i & 3]!);
    assert.deepEqual(unmasked, payload, `length ${n}`);
  }
  const t = encodeClientFrame(OP_TEXT, bytes("é"), Uint8Array.of(1, 2, 3, 4));
  assert.deepEqual([...t], [0x81, 0x82, 1, 2, 3, 4, 0xc3 ^ 1, 0xa9 ^ 2]);
});

Deno.test("close payloads round-trip; an empty one reads as 1005", () => {
  for (
    const [code, reason] of [[1000, ""], [1001, "going away"], [
      4001,
      "bye é€😀",
    ], [3000, "x".repeat(123)]] as const
  ) {
    const p = encodeClosePayload(code, reason);
    assert.deepEqual(readClosePayload(p), { code, reason });
    const frame = encodeClientFrame(OP_CLOSE, p, new Uint8Array(4));
    assert.equal(frame[1], 0x80 | p.length);
  }
  assert.deepEqual(encodeClosePayload(undefined, "ignored"), new Uint8Array(0));
  assert.deepEqual(readClosePayload(new Uint8Array(0)), {
    code: 1005,
    reason: "",
  });
  assert.deepEqual([...encodeClosePayload(1002)], [3, 234]);
});

Deno.test("readClosePayload refuses a one-byte payload, codes no peer may send, and a reason that is not UTF-8", () => {
  const refusesPayload = (p: Uint8Array, what: string) =>
    assert.throws(
      () => readClosePayload(p),
      (e: unknown) => e instanceof WsProtocolError && e.closeCode === 1002,
      what,
    );
  refusesPayload(Uint8Array.of(3), "one byte");
  for (
    const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]
  ) {
    refusesPayload(encodeClosePayload(code), `code ${code}`);
    assert.equal(sendableCloseCode(code), false, `code ${code}`);
  }
  for (
    const code of [
      1000,
      1001,
      1002,
      1003,
      1007,
      1008,
      1009,
      1010,
      1011,
      1012,
      1013,
      1014,
      3000,
      4999,
    ]
  ) {
    assert.equal(readClosePayload(encodeClosePayload(code)).code, code);
  }
  assert.throws(
    () => readClosePayload(Uint8Array.of(3, 232, 0xc3, 0x28)),
    (e: unknown) => e instanceof WsProtocolError && e.closeCode === 1007,
  );
});

Deno.test("checkCloseArguments is WebSocket.close's check", () => {
  for (const code of [undefined, 1000, 3000, 4001, 4999]) {
    checkCloseArguments(code, undefined);
    checkCloseArguments(code, "x".repeat(123));
    checkCloseArguments(code, "€".repeat(41)); // 123 bytes
  }
  for (const code of [999, 1001, 1002, 1005, 1006, 1011, 2999, 5000]) {
    assert.throws(
      () => checkCloseArguments(code, ""),
      (e: unknown) =>
        e instanceof DOMException && e.name === "InvalidAccessError",
      `code ${code}`,
    );
  }
  for (const reason of ["x".repeat(124), "€".repeat(42)]) {
    assert.throws(
      () => checkCloseArguments(1000, reason),
      (e: unknown) => e instanceof DOMException && e.name === "SyntaxError",
    );
  }
});
