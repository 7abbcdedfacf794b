import assert from "node:assert/strict";
import { fakeProtocol, setup, stream } from "./_session_harness.ts";

Deno.test("start connects with the streams in the URL and subscribes on open", async () => {
  const t = setup(10);
  const streams = [stream("trades", "BTC"), stream("ticker", "BTC")];
  t.session.setDesired(streams);
  assert.deepEqual(t.ids(), ["fake-0"]);
  assert.equal(t.session.connections[0]?.state, "idle", "not before start()");
  t.session.start();
  const socket = t.socketOf("fake-0");
  assert.equal(socket.url, "wss://venue.test/trades:BTC,ticker:BTC");
  socket.open();
  assert.deepEqual(socket.sent, ["sub trades:BTC,ticker:BTC"]);
  assert.deepEqual(t.opened, ["fake-0"]);
  socket.deliver("frame");
  assert.deepEqual(t.frames, [["fake-0", "frame"]]);
  assert.deepEqual(t.session.desired, streams);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("shards by the per-connection limit, creating connections as needed", async () => {
  const t = setup(3);
  t.session.start();
  t.session.setDesired(["A", "B", "C", "D", "E"].map((s) => stream("t", s)));
  assert.deepEqual(t.ids(), ["fake-0", "fake-1"]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:A", "t:B", "t:C"]);
  assert.deepEqual(t.keysOf("fake-1"), ["t:D", "t:E"]);
  assert.deepEqual(t.session.streamsOf("nope"), []);
  for (const c of t.session.connections) assert.equal(c.state, "connecting");
  await t.session.close();
  assert.equal(t.clock.pending, 0);
  assert.deepEqual(t.session.connections, []);
});

Deno.test("a group stays on one connection and is sticky", async () => {
  const t = setup(3);
  t.session.start();
  t.session.setDesired([stream("t", "X"), stream("t", "Y")]);
  // A group of two does not fit in fake-0's one free slot: it moves on whole.
  const btc = [stream("trades", "BTC"), stream("ticker", "BTC")];
  t.session.setDesired([stream("t", "X"), stream("t", "Y"), ...btc]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:X", "t:Y"]);
  assert.deepEqual(t.keysOf("fake-1"), ["trades:BTC", "ticker:BTC"]);
  // A later stream of the group joins its group, although fake-0 has room.
  t.session.setDesired([
    stream("t", "X"),
    stream("t", "Y"),
    ...btc,
    stream("book", "BTC"),
  ]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:X", "t:Y"]);
  assert.deepEqual(t.keysOf("fake-1"), [
    "trades:BTC",
    "ticker:BTC",
    "book:BTC",
  ]);
  // An explicit group overrides the symbol.
  t.session.setDesired([
    stream("t", "X"),
    stream("t", "Y"),
    ...btc,
    stream("book", "BTC"),
    stream("status", "", "X"),
  ]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:X", "t:Y", "status:"]);
  await t.session.close();
});

Deno.test("a diff sends only the subscribe/unsubscribe of the change", async () => {
  const t = setup(10);
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  t.session.start();
  const socket = t.socketOf("fake-0");
  socket.open();
  socket.deliver("hi");
  t.session.setDesired([stream("t", "A"), stream("t", "B"), stream("t", "C")]);
  t.session.setDesired([stream("t", "C"), stream("t", "B")]);
  t.session.setDesired([stream("t", "C"), stream("t", "B")]); // no change
  assert.deepEqual(socket.sent, ["sub t:A,t:B", "sub t:C", "unsub t:A"]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:B", "t:C"]);
  await t.session.close();
});

Deno.test("a connection left without streams is closed; ids are never reused", async () => {
  const t = setup(2);
  t.session.start();
  t.session.setDesired(["A", "B", "C"].map((s) => stream("t", s)));
  const second = t.socketOf("fake-1");
  second.open();
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  assert.deepEqual(t.ids(), ["fake-0"]);
  assert.deepEqual(second.sent, ["sub t:C"], "closed, not unsubscribed");
  assert.equal(second.readyState, 3);
  assert.ok(
    t.states.some(([id, state]) => id === "fake-1" && state === "closed"),
  );
  t.session.setDesired(["A", "B", "D"].map((s) => stream("t", s)));
  assert.deepEqual(t.ids(), ["fake-0", "fake-2"]);
  assert.deepEqual(t.keysOf("fake-2"), ["t:D"]);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("every reconnect resubscribes the current streams of the connection", async () => {
  const t = setup(10);
  t.session.setDesired([stream("t", "A")]);
  t.session.start();
  const first = t.socketOf("fake-0");
  first.open();
  first.deliver("x");
  first.serverClose(1011, "simulated drop");
  // Changed while disconnected: nothing can be sent now.
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  t.clock.advance(0);
  const second = t.socketOf("fake-0");
  assert.notEqual(first, second);
  assert.equal(second.url, "wss://venue.test/t:A,t:B");
  second.open();
  assert.deepEqual(second.sent, ["sub t:A,t:B"]);
  assert.deepEqual(t.opened, ["fake-0", "fake-0"]);
  assert.ok(
    t.states.some(([, state, detail]) =>
      state === "backoff" && detail.startsWith("closed by server: 1011")
    ),
  );
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("the protocol heartbeat is sent on every connection", async () => {
  const t = setup(1, {
    protocol: fakeProtocol(1, {
      heartbeat: { intervalMs: 20_000, message: () => "ping" },
    }),
  });
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  t.session.start();
  for (const id of ["fake-0", "fake-1"]) t.socketOf(id).open();
  t.clock.advance(20_000);
  assert.deepEqual(t.socketOf("fake-0").sent, ["sub t:A", "ping"]);
  assert.deepEqual(t.socketOf("fake-1").sent, ["sub t:B", "ping"]);
  await t.session.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("close() closes every connection; setDesired afterwards is ignored", async () => {
  const t = setup(1);
  t.session.setDesired([stream("t", "A"), stream("t", "B")]);
  t.session.start();
  t.socketOf("fake-0").open();
  await t.session.close();
  assert.equal(t.clock.pending, 0);
  t.session.setDesired([stream("t", "C")]);
  t.session.start();
  assert.deepEqual(t.session.connections, []);
  t.clock.advance(120_000);
  assert.equal(t.clock.pending, 0);
});
