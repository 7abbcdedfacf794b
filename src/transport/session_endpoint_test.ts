import assert from "node:assert/strict";
import { setup, stream } from "./_session_harness.ts";
import type { StreamSpec } from "./types.ts";

const priv = (channel: string): StreamSpec => ({
  key: `private:${channel}`,
  channel,
  symbol: "",
  group: "private",
  endpoint: "private",
});

Deno.test("streams of different endpoints never share a connection", async () => {
  const t = setup(10);
  t.session.start();
  t.session.setDesired([stream("t", "A"), priv("order")]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:A"]);
  assert.deepEqual(t.keysOf("fake-1"), ["private:order"]);
  // Room on either connection goes only to streams of its endpoint.
  t.session.setDesired([
    stream("t", "A"),
    priv("order"),
    stream("t", "B"),
    priv("wallet"),
  ]);
  assert.deepEqual(t.ids(), ["fake-0", "fake-1"]);
  assert.deepEqual(t.keysOf("fake-0"), ["t:A", "t:B"]);
  assert.deepEqual(t.keysOf("fake-1"), ["private:order", "private:wallet"]);
  await t.session.close();
});

Deno.test("a cost budget shards beside the stream count", async () => {
  const t = setup(100, {}, { budget: { max: 10, cost: (s) => s.key.length } });
  t.session.start();
  // Keys cost 3 ("t:A"): three fit in 10, the fourth opens a connection.
  t.session.setDesired(["A", "B", "C", "D"].map((s) => stream("t", s)));
  assert.deepEqual(t.keysOf("fake-0"), ["t:A", "t:B", "t:C"]);
  assert.deepEqual(t.keysOf("fake-1"), ["t:D"]);
  // Removing frees budget for the next stream.
  t.session.setDesired(["A", "C", "D", "E"].map((s) => stream("t", s)));
  assert.deepEqual(t.keysOf("fake-0"), ["t:A", "t:C", "t:E"]);
  // A stream over the whole budget still gets a connection of its own.
  t.session.setDesired([stream("huge", "XXXXXXXXXXXX")]);
  assert.equal(t.ids().length, 1);
  assert.deepEqual(t.keysOf(t.ids()[0]!), ["huge:XXXXXXXXXXXX"]);
  await t.session.close();
});

Deno.test("authentication frames go first; subscriptions wait for them", async () => {
  let release: (frames: string[]) => void = () => {};
  const asked: string[][] = [];
  const t = setup(10, {}, {
    authenticate: (streams) => {
      if (streams[0]?.endpoint !== "private") return undefined;
      asked.push(streams.map((s) => s.key));
      return new Promise((resolve) => release = resolve);
    },
  });
  t.session.start();
  t.session.setDesired([stream("t", "A"), priv("order")]);
  t.socketOf("fake-0").open();
  assert.deepEqual(t.socketOf("fake-0").sent, ["sub t:A"], "public: no auth");
  const socket = t.socketOf("fake-1");
  socket.open();
  assert.deepEqual(asked, [["private:order"]]);
  // A stream added while signing waits too, and goes out with the rest.
  t.session.setDesired([stream("t", "A"), priv("order"), priv("wallet")]);
  assert.deepEqual(socket.sent, []);
  assert.deepEqual(t.opened, ["fake-0"]);
  release(["auth"]);
  await Promise.resolve();
  assert.deepEqual(socket.sent, ["auth", "sub private:order,private:wallet"]);
  assert.deepEqual(t.opened, ["fake-0", "fake-1"]);
  // Once subscribed, changes are sent at once.
  t.session.setDesired([stream("t", "A"), priv("order")]);
  assert.equal(socket.sent.at(-1), "unsub private:wallet");
  await t.session.close();
});

Deno.test("a signature finished after its socket went is not sent", async () => {
  let release: (frames: string[]) => void = () => {};
  const t = setup(10, {}, {
    authenticate: () => new Promise((resolve) => release = resolve),
  });
  t.session.start();
  t.session.setDesired([priv("order")]);
  const first = t.socketOf("fake-0");
  first.open();
  first.serverClose(1006);
  release(["auth"]);
  await Promise.resolve();
  assert.deepEqual(first.sent, []);
  await t.session.close();
});

Deno.test("a failed signature reconnects through backoff", async () => {
  const t = setup(10, {}, {
    authenticate: () => Promise.reject(new Error("bad key material")),
  });
  t.session.start();
  t.session.setDesired([priv("order")]);
  t.socketOf("fake-0").open();
  await new Promise((r) => setTimeout(r, 0));
  const [, state, detail] = t.states.at(-1)!;
  assert.equal(state, "backoff");
  assert.match(detail, /authentication failed: bad key material/);
  await t.session.close();
});

Deno.test("suspend opens a connection's breaker for the given cooldown", async () => {
  const t = setup(10, {}, {}, { breaker: { cooldownMs: 1_000 } });
  t.session.start();
  t.session.setDesired([priv("order")]);
  t.socketOf("fake-0").open();
  assert.equal(
    t.session.suspend("fake-0", "authentication failed", 600_000),
    true,
  );
  assert.equal(t.session.suspend("nope", "x"), false);
  const [, state, detail] = t.states.at(-1)!;
  assert.equal(state, "breaker-open");
  assert.match(detail, /authentication failed.*probing in 600 s/);
  await t.session.close();
});
