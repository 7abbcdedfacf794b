import assert from "node:assert/strict";
import type { RenewalNotice } from "./session.ts";
import { setup, stream } from "./_session_harness.ts";

Deno.test("renew() connects a successor beside the old connection and swaps on its first frame", async () => {
  const notices: RenewalNotice[] = [];
  const t = setup(10, { onRenew: (n) => notices.push(n) });
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  t.session.start();
  const old = t.socketOf("fake-0");
  old.open();
  old.deliver("a1");
  assert.equal(t.session.renew("fake-0", "server shutdown"), true);
  assert.equal(t.session.renew("fake-0", "again"), false, "one at a time");
  assert.equal(t.session.renew("nope", "x"), false);
  assert.deepEqual(t.ids(), ["fake-0", "fake-1"]);
  assert.deepEqual(t.keysOf("fake-1"), ["t:A", "t:B"]);
  const next = t.socketOf("fake-1");
  assert.equal(next.url, "wss://venue.test/t:A,t:B");
  // Changes during the overlap reach both sockets.
  next.open();
  t.session.setDesired([stream("t", "A"), stream("t", "B"), stream("t", "C")]);
  assert.deepEqual(old.sent, ["sub t:A,t:B", "sub t:C"]);
  assert.deepEqual(next.sent, ["sub t:A,t:B", "sub t:C"]);
  old.deliver("a2"); // still serving until the successor delivers
  assert.equal(old.closeCalls.length, 0);
  next.deliver("b1");
  old.deliver("a3"); // the overlap: both deliver
  t.clock.advance(2_999);
  assert.equal(old.closeCalls.length, 0);
  t.clock.advance(1);
  assert.deepEqual(t.frames, [
    ["fake-0", "a1"],
    ["fake-0", "a2"],
    ["fake-1", "b1"],
    ["fake-0", "a3"],
  ]);
  assert.equal(old.closeCalls.length, 1, "old closed after the overlap");
  assert.deepEqual(t.ids(), ["fake-1"]);
  assert.deepEqual(t.keysOf("fake-0"), []);
  assert.deepEqual(t.keysOf("fake-1"), ["t:A", "t:B", "t:C"]);
  assert.deepEqual(notices, [
    { from: "fake-0", to: "fake-1", reason: "server shutdown", done: false },
    {
      from: "fake-0",
      to: "fake-1",
      reason: "successor delivered through the overlap",
      done: true,
    },
  ]);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("connections renew themselves at maxConnectionAgeMs", async () => {
  const notices: RenewalNotice[] = [];
  const day = 24 * 3600_000;
  const t = setup(10, { onRenew: (n) => notices.push(n) }, {
    maxConnectionAgeMs: day - 3600_000,
  }, { staleMs: 0 });
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  t.socketOf("fake-0").open();
  t.clock.advance(day - 3600_001);
  assert.deepEqual(t.ids(), ["fake-0"]);
  t.clock.advance(1);
  assert.deepEqual(t.ids(), ["fake-0", "fake-1"]);
  assert.match(notices[0]?.reason ?? "", /age limit/);
  t.socketOf("fake-1").open();
  t.socketOf("fake-1").deliver("x");
  t.clock.advance(3_000);
  assert.deepEqual(t.ids(), ["fake-1"]);
  // The successor's own age timer runs from its open.
  t.clock.advance(day - 3600_000 - 3_000);
  assert.deepEqual(t.ids(), ["fake-1", "fake-2"]);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("a reconnect restarts the age timer; closing the session cancels it", async () => {
  const t = setup(10, {}, { maxConnectionAgeMs: 10_000 }, { staleMs: 0 });
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  t.socketOf("fake-0").open();
  t.clock.advance(6_000);
  t.socketOf("fake-0").serverClose(1001, "going away");
  t.clock.advance(5_000); // backoff elapses, a new socket connects
  t.socketOf("fake-0").open();
  t.clock.advance(9_000);
  assert.deepEqual(t.ids(), ["fake-0"], "age counts from the latest open");
  t.clock.advance(1_000);
  assert.deepEqual(t.ids(), ["fake-0", "fake-1"]);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("streams carried by the URL are not subscribed again; openFrames follow", async () => {
  const t = setup(10, {}, {
    urlStreams: (streams) => streams.slice(0, 2),
    url: (streams) =>
      `wss://venue.test/${streams.slice(0, 2).map((s) => s.key).join(",")}`,
    openFrames: () => ["list"],
  });
  t.session.setDesired(["A", "B", "C"].map((s) => stream("t", s)));
  t.session.start();
  const socket = t.socketOf("fake-0");
  assert.equal(socket.url, "wss://venue.test/t:A,t:B");
  socket.open();
  assert.deepEqual(socket.sent, ["sub t:C", "list"]);
  // After a reconnect the URL carries what is assigned then.
  t.session.setDesired(["B", "C"].map((s) => stream("t", s)));
  socket.serverClose(1006);
  t.clock.advance(60_000);
  const again = t.socketOf("fake-0");
  assert.equal(again.url, "wss://venue.test/t:B,t:C");
  again.open();
  assert.deepEqual(again.sent, ["list"]);
  await t.session.close();
});

Deno.test("streams the URL carried but the connection lost while connecting are unsubscribed on open", async () => {
  const t = setup(10, {}, {
    urlStreams: (streams) => streams,
    openFrames: () => ["list"],
  });
  t.session.setDesired(["A", "B", "C"].map((s) => stream("t", s)));
  t.session.start();
  const socket = t.socketOf("fake-0");
  assert.equal(socket.url, "wss://venue.test/t:A,t:B,t:C");
  // Not open yet: no frame can go out, the venue will subscribe A, B and C.
  t.session.setDesired(["A", "C", "D"].map((s) => stream("t", s)));
  assert.deepEqual(t.keysOf("fake-0"), ["t:A", "t:C", "t:D"]);
  socket.open();
  assert.deepEqual(socket.sent, ["unsub t:B", "sub t:D", "list"]);
  // A reconnect's URL carries what is assigned then: nothing to undo.
  socket.serverClose(1006);
  t.clock.advance(60_000);
  const again = t.socketOf("fake-0");
  assert.equal(again.url, "wss://venue.test/t:A,t:C,t:D");
  again.open();
  assert.deepEqual(again.sent, ["list"]);
  await t.session.close();
});

Deno.test("the protocol's send limit paces control frames per connection", async () => {
  const t = setup(1, {}, { sendLimit: { messages: 2, windowMs: 1000 } });
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  const socket = t.socketOf("fake-0");
  socket.open(); // 1 frame: sub t:A
  const keys = ["A", "B", "C", "D"];
  // Each setDesired on a max-1 session adds a connection, so drive the
  // first connection directly: its limit is what is being tested.
  const conn = t.session.connections[0]!;
  for (const k of keys) assert.equal(conn.send(`x ${k}`), true);
  assert.deepEqual(socket.sent, ["sub t:A", "x A"]);
  assert.equal(conn.stats.sendQueue, 3);
  t.clock.advance(999);
  assert.deepEqual(socket.sent, ["sub t:A", "x A"]);
  t.clock.advance(1);
  assert.deepEqual(socket.sent, ["sub t:A", "x A", "x B", "x C"]);
  t.clock.advance(1000);
  assert.deepEqual(socket.sent.slice(4), ["x D"]);
  assert.equal(conn.stats.sendQueue, 0);
  assert.equal(conn.stats.framesSent, 5);
  // Frames still queued when the socket goes are discarded.
  conn.send("y1"); // the window [1000, 2000] has room at 2000
  conn.send("y2");
  conn.send("y3");
  assert.deepEqual(socket.sent.slice(5), ["y1"]);
  assert.equal(conn.stats.sendQueue, 2);
  socket.serverClose(1006);
  assert.equal(conn.stats.sendQueue, 0);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("a successor that loses its socket during the overlap is not promoted", async () => {
  const t = setup(10);
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  t.socketOf("fake-0").open();
  t.session.renew("fake-0", "test");
  t.socketOf("fake-1").open();
  t.socketOf("fake-1").deliver("x");
  t.socketOf("fake-1").serverClose(1006);
  t.clock.advance(3_000);
  assert.deepEqual(t.ids(), ["fake-0", "fake-1"], "old keeps serving");
  t.clock.advance(60_000); // backoff: the successor reconnects
  t.socketOf("fake-1").open();
  t.socketOf("fake-1").deliver("y");
  t.clock.advance(3_000);
  assert.deepEqual(t.ids(), ["fake-1"]);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});
