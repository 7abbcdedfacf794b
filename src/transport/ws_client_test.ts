/**
 * End-to-end tests of tickgate's own WebSocket client (`ws_client.ts`) over
 * real loopback sockets: against Deno's server (an independent RFC 6455
 * implementation), against a raw-TCP server scripted byte by byte, through
 * the `Connection` machine, and over TLS.
 *
 * @module
 */

import assert from "node:assert/strict";
import { delay } from "../core/async.ts";
import { WsClient, type WsClientOptions } from "./ws_client.ts";
import { Connection } from "./connection.ts";
import { OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from "./ws_protocol.ts";
import {
  bytes,
  closeCode,
  concat,
  RawWsServer,
  serverFrame,
} from "./_raw_ws_server.ts";
import { denoServer, echo, selfSigned } from "./_ws_test_servers.ts";
import { watch } from "./_ws_watch.ts";

const decoder = new TextDecoder();
const closeFrame = (code: number, reason = "") =>
  serverFrame(
    OP_CLOSE,
    concat(Uint8Array.of(code >> 8, code & 255), bytes(reason)),
  );

Deno.test("against Deno's server: text echoes, non-ASCII, a BOM, 1,000 messages in order, a 1 MiB message", async () => {
  const { server, url } = denoServer(echo);
  const ws = new WsClient(url);
  const w = watch(ws);
  await w.opened;
  const many = Array.from({ length: 1000 }, (_, i) => `{"n":${i}}`);
  const big = "0123456789abcdef".repeat(65536);
  // A leading U+FEFF is kept, as Deno's WebSocket keeps it.
  const sent = ["hello", "é€😀 ünï", ...many, big, "\uFFFD", "\uFEFF{}", "end"];
  for (const s of sent) ws.send(s);
  await w.messagesAt(sent.length);
  assert.deepEqual(w.messages, sent);
  ws.send("close-me"); // the server closes with 4001 "bye"
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.reason, ev.wasClean], [4001, "bye", true]);
  assert.equal(ws.readyState, 3);
  assert.deepEqual(w.errors, []);
  await server.shutdown();
});

Deno.test("against Deno's server: the client closing with 1000 is seen by the server; onclose fires", async () => {
  let serverSaw!: (ev: CloseEvent) => void;
  const seen = new Promise<CloseEvent>((r) => serverSaw = r);
  const { server, url } = denoServer((s) => s.onclose = serverSaw);
  const ws = new WsClient(url);
  const w = watch(ws);
  await w.opened;
  ws.close(1000, "done");
  assert.equal(ws.readyState, 2);
  ws.send("ignored while closing");
  const [atServer, atClient] = await Promise.all([seen, w.closed]);
  assert.deepEqual([atServer.code, atServer.reason], [1000, "done"]);
  assert.deepEqual([atClient.code, atClient.wasClean], [1000, true]);
  assert.deepEqual(w.log, ["open", "close:1000"]);
  await server.shutdown();
});

/** A raw server and a client connected to it (the head read, not answered). */
async function raw(opts: WsClientOptions = {}, readFrames = true) {
  const server = new RawWsServer();
  const ws = new WsClient(server.url("/raw?q=1"), opts);
  const w = watch(ws);
  const peer = await server.next(readFrames);
  return { server, ws, w, peer };
}

Deno.test("the raw server sees the upgrade request; the client's frames are masked with fresh keys", async () => {
  const { server, ws, w, peer } = await raw({ userAgent: "test-agent/1" });
  assert.match(peer.request, /^GET \/raw\?q=1 HTTP\/1\.1\r\n/);
  assert.equal(peer.header("user-agent"), "test-agent/1");
  assert.equal(peer.header("sec-websocket-version"), "13");
  await peer.upgrade();
  await w.opened;
  const long = "é".repeat(40_000);
  ws.send("hello");
  ws.send(long);
  const a = await peer.frame();
  const b = await peer.frame();
  for (const [f, s] of [[a, "hello"], [b, long]] as const) {
    assert.ok(f?.masked && f.fin && f.rsv === 0 && f.opcode === OP_TEXT);
    assert.equal(decoder.decode(f.payload), s);
  }
  assert.notDeepEqual(a?.mask, b?.mask);
  ws.close(4000);
  const c = await peer.frame();
  assert.ok(c?.masked && c.opcode === OP_CLOSE && closeCode(c) === 4000);
  // A message after close() is not delivered (the socket is CLOSING).
  await peer.write(concat(serverFrame(OP_TEXT, "late"), closeFrame(4000)));
  assert.equal((await w.closed).wasClean, true);
  assert.deepEqual(w.messages, []);
  await server.close();
});

Deno.test("a ping is answered with a pong of the same payload; a server close is echoed", async () => {
  const { server, w, peer } = await raw();
  await peer.upgrade();
  await w.opened;
  await peer.write(serverFrame(OP_PING, "are you there"));
  const pong = await peer.frame();
  assert.ok(pong?.opcode === OP_PONG && pong.masked);
  assert.equal(decoder.decode(pong.payload), "are you there");
  await peer.write(closeFrame(4001, "bye"));
  const echoed = await peer.frame();
  assert.equal(echoed?.opcode, OP_CLOSE);
  assert.equal(closeCode(echoed!), 4001);
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.reason, ev.wasClean], [4001, "bye", true]);
  await server.close();
});

Deno.test("a server that sends its close frame and drops TCP at once: onclose still has its code and reason", async () => {
  const { server, ws, w, peer } = await raw({}, false);
  await peer.upgrade();
  await w.opened;
  ws.send("left unread, so the server's close resets the connection");
  await delay(20); // it reaches the server
  await peer.write(closeFrame(4001, "bye"));
  await peer.close();
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.reason], [4001, "bye"], w.errors.join());
  await server.close();
});

Deno.test("frames in the same TCP write as the 101 response are delivered after onopen", async () => {
  const { server, w, peer } = await raw();
  const after = concat(
    serverFrame(OP_TEXT, "first"),
    serverFrame(OP_TEXT, "second"),
    serverFrame(OP_CLOSE, ""),
  );
  await peer.upgrade({ after });
  await peer.conn.closeWrite(); // EOF next: no hang should the frames be lost
  assert.equal((await w.closed).code, 1005);
  assert.deepEqual(w.log, [
    "open",
    "message:first",
    "message:second",
    "close:1005",
  ]);
  assert.equal((await peer.frame())?.opcode, OP_CLOSE);
  await server.close();
});

Deno.test("close() from onmessage: later messages of the same read are not delivered", async () => {
  const { server, ws, w, peer } = await raw({ closeTimeoutMs: 100 });
  const record = ws.onmessage!;
  ws.onmessage = (ev) => {
    record(ev);
    ws.close();
  };
  const texts = ["a", "b", "c"].map((s) => serverFrame(OP_TEXT, s));
  await peer.upgrade({ after: concat(...texts) });
  assert.equal(closeCode((await peer.frame())!), undefined);
  await peer.write(serverFrame(OP_CLOSE, ""));
  await w.closed;
  assert.deepEqual(w.messages, ["a"]);
  await server.close();
});

Deno.test("HTTP 429 with a JSON body: onerror names the status and the body, onclose 1006, never onopen", async () => {
  const { server, w, peer } = await raw();
  const body = '{"code":-1003,"msg":"Way too many requests"}';
  await peer.write(
    "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${body.length}\r\n\r\n${body}`,
  );
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  assert.deepEqual(w.log, ["error", "close:1006"]);
  assert.match(w.errors[0]!, /429/);
  assert.ok(w.errors[0]!.includes(body), w.errors[0]);
  await server.close();
});

Deno.test("HTTP 403 whose body arrives in a later TCP segment than the head: the body is still quoted", async () => {
  const { server, w, peer } = await raw();
  await peer.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 11\r\n\r\n");
  await delay(50); // a separate segment
  await peer.write("geo-blocked").catch(() => {});
  await w.closed;
  assert.match(w.errors[0]!, /^HTTP 403 Forbidden: geo-blocked$/);
  await server.close();
});

Deno.test("a wrong Sec-WebSocket-Accept fails the connection before it opens", async () => {
  const { server, w, peer } = await raw();
  await peer.upgrade({ accept: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" });
  await assert.rejects(w.opened);
  assert.equal((await w.closed).code, 1006);
  assert.deepEqual(w.log, ["error", "close:1006"]);
  assert.match(w.errors[0]!, /Sec-WebSocket-Accept/);
  await server.close();
});

Deno.test("a masked frame, or a close code no peer may send: the client sends close 1002 and fails (1006 with the cause)", async () => {
  const masked = serverFrame(OP_TEXT, "x", { mask: Uint8Array.of(9, 8, 7, 6) });
  const cases = [[masked, /masked/], [closeFrame(1005), /1005/]] as const;
  for (const [bad, why] of cases) {
    const { server, w, peer } = await raw();
    await peer.upgrade();
    await w.opened;
    await peer.write(concat(bad, closeFrame(1000))); // no hang if accepted
    const close = await peer.frame();
    assert.ok(close?.opcode === OP_CLOSE && closeCode(close) === 1002);
    const ev = await w.closed;
    // As WebSocket reports a failed connection: 1006, the cause in onerror.
    assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
    assert.deepEqual(w.log, ["open", "error", "close:1006"]);
    assert.match(w.errors[0]!, why);
    assert.deepEqual(w.messages, []);
    await server.close();
  }
});

Deno.test("a frame over maxMessageBytes: the client sends close 1009 and fails", async () => {
  const { server, w, peer } = await raw({ maxMessageBytes: 1024 });
  await peer.upgrade();
  await w.opened;
  await peer.write(serverFrame(OP_TEXT, "x".repeat(1024)));
  const tooBig = serverFrame(OP_TEXT, "x".repeat(1025));
  await peer.write(concat(tooBig, serverFrame(OP_CLOSE, "")));
  assert.equal(closeCode((await peer.frame())!), 1009);
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  assert.equal(w.messages.length, 1);
  assert.match(w.errors[0]!, /1025/);
  await server.close();
});

Deno.test("TCP closed without a close frame: onerror, then onclose 1006", async () => {
  const { server, w, peer } = await raw();
  await peer.upgrade({ after: serverFrame(OP_TEXT, "only") });
  await w.messagesAt(1);
  await peer.close();
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  assert.deepEqual(w.log, ["open", "message:only", "error", "close:1006"]);
  await server.close();
});

Deno.test("send() while connecting throws InvalidStateError; close() while connecting: onclose 1006, no onopen", async () => {
  const server = new RawWsServer();
  const ws = new WsClient(server.url());
  const w = watch(ws);
  // The dial may be abandoned before or after TCP connects: accept either.
  const late = server.next().then((peer) => peer.done, () => {});
  assert.equal(ws.readyState, 0);
  assert.throws(
    () => ws.send("too early"),
    (e: unknown) => e instanceof DOMException && e.name === "InvalidStateError",
  );
  ws.close();
  assert.equal(ws.readyState, 2);
  assert.equal(w.log.length, 0, "no event from inside close()");
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  await delay(50); // room for a late onopen
  assert.deepEqual(w.log, ["error", "close:1006"]); // as WebSocket fails it
  assert.equal(ws.readyState, 3);
  await server.close();
  await late;
});

Deno.test("close() to a server that never answers: onclose 1006 after closeTimeoutMs", async () => {
  const { server, ws, w, peer } = await raw({ closeTimeoutMs: 100 });
  await peer.upgrade();
  await w.opened;
  ws.close(1000, "bye");
  assert.equal(closeCode((await peer.frame())!), 1000);
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  assert.match(w.errors[0]!, /100 ms/);
  await peer.done;
  await server.close();
});

Deno.test("connection refused: onerror, then onclose 1006", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const w = watch(new WsClient(`ws://127.0.0.1:${port}/`));
  const ev = await w.closed;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
  assert.deepEqual(w.log, ["error", "close:1006"]);
  assert.ok(w.errors[0]);
  assert.throws(() => new WsClient("http://x/"), SyntaxError);
});

Deno.test("Connection with the default socket factory: frames through onFrame; a 429 in stats.lastError", async () => {
  const { server, url } = denoServer((s) => {
    s.onopen = () => s.send("welcome");
    echo(s);
  });
  const frames: string[] = [];
  let done!: [() => void, (e: Error) => void];
  const got = new Promise<void>((...r) => done = r);
  const conn: Connection = new Connection({
    id: "ws-test",
    url: () => url,
    handlers: {
      onOpen: () => conn.send("subscribe é"),
      onFrame: (data) => frames.push(data) === 2 && done[0](),
      onStateChange: (state, why) =>
        state === "backoff" && done[1](new Error(why)),
    },
  });
  conn.start();
  await got;
  assert.deepEqual(frames, ["welcome", "subscribe é"]);
  await conn.close();
  await server.shutdown();

  const refusing = denoServer(() => {}, {
    refuse: () => new Response("slow down", { status: 429 }),
  });
  let backoff!: () => void;
  const inBackoff = new Promise<void>((r) => backoff = r);
  const c2 = new Connection({
    id: "ws-429",
    url: () => refusing.url,
    handlers: {
      onOpen: () => {},
      onFrame: () => {},
      onStateChange: (state) => state === "backoff" && backoff(),
    },
  });
  c2.start();
  await inBackoff;
  assert.match(c2.stats.lastError ?? "", /429.*slow down/);
  await c2.close();
  await refusing.server.shutdown();
});

const tls = await selfSigned();
if (typeof tls === "string") {
  console.log(`wss: test skipped, no certificate: ${tls}`);
}

Deno.test({
  name: "wss: a message round-trips over TLS with a self-signed certificate",
  ignore: typeof tls === "string",
  fn: async () => {
    if (typeof tls === "string") return;
    const { server, url } = denoServer(echo, { tls });
    const ws = new WsClient(url, {
      dial: (u) =>
        Deno.connectTls({
          hostname: u.hostname,
          port: Number(u.port),
          caCerts: [tls.cert],
        }),
    });
    const w = watch(ws);
    await w.opened;
    ws.send("over TLS é€😀");
    await w.messagesAt(1);
    ws.send("close-me");
    const ev = await w.closed;
    assert.deepEqual(w.messages, ["over TLS é€😀"]);
    assert.deepEqual([ev.code, ev.wasClean], [4001, true]);
    await server.shutdown();
  },
});
