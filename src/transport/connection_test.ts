import assert from "node:assert/strict";
import { ManualClock, systemClock } from "../core/clock.ts";
import {
  Connection,
  type ConnectionHandlers,
  type ConnectionOptions,
} from "./connection.ts";
import type { ConnectionState } from "./types.ts";
import { FakeSocket } from "./_fake_socket.ts";

function setup(overrides: Partial<ConnectionOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const sockets: FakeSocket[] = [];
  const states: [ConnectionState, string][] = [];
  const frames: [string, number][] = [];
  /** `more` of each frame, as the handler got it. */
  const more: boolean[] = [];
  let opens = 0;
  const handlers: ConnectionHandlers = {
    onOpen: () => {
      opens++;
      conn.send(`subscribe #${opens}`);
    },
    onFrame: (data, ts, m) => {
      frames.push([data, ts]);
      more.push(m);
    },
    onStateChange: (state, detail) => states.push([state, detail]),
  };
  const conn = new Connection({
    id: "test-0",
    url: () => `wss://example.test/ws?n=${sockets.length}`,
    handlers,
    clock,
    socketFactory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    random: () => 0.5,
    ...overrides,
  });
  const last = (): FakeSocket => {
    const socket = sockets.at(-1);
    if (socket === undefined) throw new Error("no socket yet");
    return socket;
  };
  const lastState = () => states.at(-1) ?? ["idle", ""];
  return {
    clock,
    conn,
    sockets,
    states,
    frames,
    more,
    last,
    lastState,
    opens: () => opens,
  };
}

Deno.test("connects, sends subscriptions on open and delivers frames", async () => {
  const t = setup();
  assert.equal(t.conn.state, "idle");
  t.conn.start();
  t.conn.start(); // idempotent
  assert.equal(t.sockets.length, 1);
  assert.equal(t.conn.state, "connecting");
  assert.equal(t.conn.send("too early"), false);
  t.last().open();
  assert.equal(t.conn.state, "open");
  assert.equal(t.conn.openedAt, 1_000_000);
  assert.deepEqual(t.last().sent, ["subscribe #1"]);
  t.clock.advance(5);
  t.last().deliver("hello");
  t.last().deliver(new TextEncoder().encode("bïnary").buffer);
  assert.deepEqual(t.frames, [["hello", 1_000_005], ["bïnary", 1_000_005]]);
  assert.equal(t.conn.lastFrameAt, 1_000_005);
  const stats = t.conn.stats;
  assert.equal(stats.connects, 1);
  assert.equal(stats.framesReceived, 2);
  assert.equal(stats.charsReceived, 5 + 6);
  assert.ok(t.conn.send("x"));
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("whether another frame of the read follows reaches the handler; absent, none does", () => {
  const t = setup();
  t.conn.start();
  t.last().open();
  t.last().deliver("a", 1, true);
  t.last().deliver("b", 1, false);
  t.last().deliver("c", 2);
  t.last().deliver("d");
  assert.deepEqual(t.more, [true, false, false, false]);
});

Deno.test("the frames of one socket read share one receive time; each read gets its own", async () => {
  const t = setup();
  t.conn.start();
  t.last().open();
  t.last().deliver("a", 1);
  t.clock.advance(3); // the clock moves while the read's frames are handled
  t.last().deliver("b", 1);
  t.last().deliver("c", 2);
  t.clock.advance(4);
  t.last().deliver("d"); // no batch (Deno's WebSocket): the clock is read
  t.last().deliver("e");
  assert.deepEqual(t.frames, [
    ["a", 1_000_000],
    ["b", 1_000_000],
    ["c", 1_000_003],
    ["d", 1_000_007],
    ["e", 1_000_007],
  ]);
  // A new socket numbers its reads from 1 again: its first read is new.
  t.conn.reconnect("test");
  t.clock.advance(60_000); // past any backoff
  t.last().open();
  t.clock.advance(5);
  t.last().deliver("f", 1);
  assert.deepEqual(t.frames.at(-1), ["f", t.clock.now()]);
  await t.conn.close();
});

Deno.test("a connect attempt that does not open in time counts as failure", async () => {
  const t = setup({ connectTimeoutMs: 2_000 });
  t.conn.start();
  t.clock.advance(1_999);
  assert.equal(t.conn.state, "connecting");
  t.clock.advance(1);
  assert.equal(t.conn.state, "backoff");
  assert.match(t.lastState()[1], /^connect timeout after 2000 ms; /);
  assert.deepEqual(t.sockets[0]?.closeCalls.length, 1);
  assert.equal(t.conn.stats.connectErrors, 1);
  assert.equal(t.conn.stats.lastError, "connect timeout after 2000 ms");
  // 1 consecutive failure: 0.5 * 500 * 2^1 = 500 ms.
  t.clock.advance(499);
  assert.equal(t.sockets.length, 1);
  t.clock.advance(1);
  assert.equal(t.sockets.length, 2);
  // A late event of the abandoned socket is ignored.
  t.sockets[0]?.open();
  assert.equal(t.conn.state, "connecting");
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("reconnects after a server close with growing, capped backoff", async () => {
  const t = setup({ backoff: { baseMs: 1_000, capMs: 5_000 } });
  t.conn.start();
  t.last().open();
  t.last().deliver("first frame"); // success: failure count back to 0
  t.last().serverClose(1011, "simulated drop");
  assert.equal(t.conn.stats.lastCloseCode, 1011);
  assert.deepEqual(t.lastState(), [
    "backoff",
    "closed by server: 1011 simulated drop; reconnecting in 500 ms (0 consecutive failures)",
  ]);
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = t.sockets.length;
    let waited = 0;
    while (t.sockets.length === before) {
      t.clock.advance(1);
      waited++;
    }
    delays.push(waited);
    t.last().fail("refused"); // error + close before open: a failure
  }
  // 0.5 * min(5000, 1000 * 2^n) for n = 0 (after success), then 1, 2, 3, 4.
  assert.deepEqual(delays, [500, 1_000, 2_000, 2_500, 2_500]);
  assert.equal(t.conn.stats.connectErrors, 5);
  assert.equal(t.conn.stats.reconnects, 6);
  assert.match(t.conn.stats.lastError ?? "", /socket error: refused/);
  assert.match(t.lastState()[1], /^connect failed: refused; reconnecting in/);
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("onOpen runs again after every reconnect (resubscribe)", async () => {
  const t = setup({ random: () => 0 });
  t.conn.start();
  t.last().open();
  t.last().deliver("a");
  t.last().serverClose(1001, "going away");
  t.clock.advance(0);
  assert.equal(t.sockets.length, 2);
  t.last().open();
  assert.equal(t.opens(), 2);
  assert.deepEqual(t.sockets[0]?.sent, ["subscribe #1"]);
  assert.deepEqual(t.sockets[1]?.sent, ["subscribe #2"]);
  assert.equal(t.conn.stats.connects, 2);
  await t.conn.close();
});

Deno.test("reconnect() closes the socket and goes through backoff", async () => {
  const t = setup();
  t.conn.start();
  t.last().open();
  t.last().deliver("a");
  t.conn.reconnect("venue error frame");
  assert.equal(t.sockets[0]?.readyState, 3);
  assert.equal(t.conn.state, "backoff");
  assert.match(t.lastState()[1], /^venue error frame; reconnecting in 500 ms/);
  t.clock.advance(500);
  assert.equal(t.sockets.length, 2);
  await t.conn.close();
});

Deno.test("stale detection reconnects when no frame arrives", async () => {
  const t = setup({ staleMs: 30_000, random: () => 0 });
  t.conn.start();
  t.last().open();
  // Before the first frame, staleness is measured from openedAt.
  t.clock.advance(20_000);
  t.last().deliver("tick");
  t.clock.advance(30_000);
  assert.equal(t.conn.state, "open", "exactly staleMs is not stale yet");
  t.clock.advance(1);
  assert.equal(t.conn.stats.staleReconnects, 1);
  assert.ok(
    t.states.some(([s, d]) =>
      s === "backoff" && d.startsWith("stale: no frame for 30 s")
    ),
  );
  t.clock.advance(1_000);
  assert.equal(t.sockets.length, 2);
  t.last().open();
  t.clock.advance(30_001); // never a frame on this socket
  assert.equal(t.conn.stats.staleReconnects, 2);
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("staleMs 0 disables stale detection", async () => {
  const t = setup({ staleMs: 0 });
  t.conn.start();
  t.last().open();
  t.clock.advance(10 * 60_000);
  assert.equal(t.conn.state, "open");
  assert.equal(t.clock.pending, 0);
  await t.conn.close();
});

Deno.test("heartbeat is sent every intervalMs while open only", async () => {
  let n = 0;
  const t = setup({
    heartbeat: { intervalMs: 5_000, message: () => `ping ${++n}` },
  });
  t.conn.start();
  t.clock.advance(6_000);
  assert.equal(n, 0, "no heartbeat while connecting");
  t.last().open();
  t.last().deliver("x");
  t.clock.advance(15_000);
  assert.deepEqual(t.last().sent, [
    "subscribe #1",
    "ping 1",
    "ping 2",
    "ping 3",
  ]);
  t.last().serverClose(1006);
  t.clock.advance(200); // in backoff: no heartbeat
  assert.equal(n, 3);
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("breaker opens after consecutive failures, then probes once", async () => {
  const t = setup({
    breaker: { threshold: 3, cooldownMs: 60_000 },
    random: () => 0,
  });
  t.conn.start();
  for (let i = 0; i < 3; i++) {
    t.last().open();
    t.last().serverClose(1008, "policy"); // closed before any frame: failure
    t.clock.advance(0);
  }
  assert.equal(t.conn.state, "breaker-open");
  assert.equal(
    t.lastState()[1],
    "closed by server: 1008 policy; breaker open (3 consecutive failures); probing in 60 s",
  );
  assert.equal(t.sockets.length, 3);
  t.clock.advance(59_999);
  assert.equal(t.sockets.length, 3);
  t.clock.advance(1);
  assert.equal(t.sockets.length, 4, "the probe");
  t.last().fail("refused");
  assert.equal(t.conn.state, "breaker-open");
  assert.match(t.lastState()[1], /breaker open \(probe failed\)/);
  t.clock.advance(60_000);
  assert.equal(t.sockets.length, 5);
  t.last().open();
  t.last().deliver("ok"); // success closes the breaker
  t.last().serverClose(1006);
  assert.equal(t.conn.state, "backoff");
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("tripBreaker stops reconnecting until the cooldown (auth failure)", async () => {
  const t = setup({ breaker: { cooldownMs: 60_000 } });
  t.conn.start();
  t.last().open();
  t.last().deliver("error: invalid api key");
  t.conn.tripBreaker("authentication failed");
  assert.equal(t.sockets[0]?.readyState, 3);
  assert.deepEqual(t.lastState(), [
    "breaker-open",
    "breaker open (authentication failed); probing in 60 s",
  ]);
  t.clock.advance(59_999);
  assert.equal(t.sockets.length, 1, "no tight loop on a bad key");
  t.clock.advance(1);
  assert.equal(t.sockets.length, 2);
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
});

Deno.test("close() stops everything: no timers, no reconnect", async () => {
  const t = setup({ heartbeat: { intervalMs: 1_000, message: () => "ping" } });
  t.conn.start();
  t.last().open();
  t.last().deliver("x");
  await t.conn.close();
  assert.equal(t.conn.state, "closed");
  assert.deepEqual(t.lastState(), ["closed", "closed by client"]);
  assert.deepEqual(t.sockets[0]?.closeCalls, [{
    code: 1000,
    reason: "client close",
  }]);
  assert.equal(t.clock.pending, 0);
  t.clock.advance(10 * 60_000);
  assert.equal(t.sockets.length, 1);
  assert.equal(t.conn.send("late"), false);
  t.conn.start();
  t.conn.reconnect("late");
  t.conn.tripBreaker("late");
  assert.equal(t.sockets.length, 1);
  assert.equal(t.clock.pending, 0);
  await t.conn.close(); // idempotent
});

Deno.test("close() during backoff cancels the pending reconnect", async () => {
  const t = setup();
  t.conn.start();
  t.last().fail("refused");
  assert.equal(t.conn.state, "backoff");
  await t.conn.close();
  assert.equal(t.clock.pending, 0);
  t.clock.advance(60_000);
  assert.equal(t.sockets.length, 1);
});

Deno.test("close() resolves after 2 s when the peer never confirms", async () => {
  const t = setup();
  t.conn.start();
  t.last().open();
  t.last().reportsClose = false;
  let resolved = false;
  const closing = t.conn.close().then(() => resolved = true);
  await Promise.resolve();
  assert.equal(resolved, false);
  t.clock.advance(2_000);
  await closing;
  assert.equal(resolved, true);
  assert.equal(t.clock.pending, 0);
});

Deno.test("throwing handlers and sockets do not kill the machine", async () => {
  const clock = new ManualClock();
  const sockets: FakeSocket[] = [];
  let frames = 0;
  const conn = new Connection({
    id: "boom-0",
    url: () => "wss://example.test",
    clock,
    random: () => 0,
    socketFactory: (url) => {
      if (sockets.length === 0) {
        sockets.push(new FakeSocket(url));
        throw new Error("factory exploded");
      }
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    handlers: {
      onOpen: () => {
        throw new Error("onOpen bug");
      },
      onFrame: () => {
        frames++;
        throw new Error("onFrame bug");
      },
      onStateChange: () => {
        throw new Error("onStateChange bug");
      },
    },
  });
  conn.start();
  assert.equal(conn.state, "backoff");
  assert.match(conn.stats.lastError ?? "", /bug|factory exploded/);
  clock.advance(0);
  const socket = sockets[1];
  assert.ok(socket);
  socket.open();
  assert.equal(conn.state, "open");
  assert.match(conn.stats.lastError ?? "", /onOpen threw: onOpen bug/);
  socket.deliver("a");
  socket.deliver("b");
  assert.equal(frames, 2);
  assert.match(conn.stats.lastError ?? "", /onFrame threw: onFrame bug/);
  await conn.close();
  assert.equal(clock.pending, 0);
});

Deno.test({
  name:
    "real WebSocket: connects, receives, reconnects after server close, closes",
  sanitizeOps: true,
  sanitizeResources: true,
  async fn() {
    let accepted = 0;
    const serverSockets: WebSocket[] = [];
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => {
        const { socket, response } = Deno.upgradeWebSocket(req);
        const n = ++accepted;
        serverSockets.push(socket);
        socket.onopen = () => {
          socket.send(`hello ${n}`);
          socket.send(new TextEncoder().encode(`binary ${n}`));
          if (n === 1) socket.close(4000, "simulated drop");
        };
        return response;
      },
    );
    const frames: string[] = [];
    const states: ConnectionState[] = [];
    const { promise: gotSecond, resolve } = Promise.withResolvers<void>();
    const conn = new Connection({
      id: "real-0",
      url: () => `ws://127.0.0.1:${server.addr.port}/`,
      clock: systemClock,
      backoff: { baseMs: 20, capMs: 50 },
      handlers: {
        onOpen: () => {},
        onFrame: (data) => {
          frames.push(data);
          if (data === "binary 2") resolve();
        },
        onStateChange: (state) => states.push(state),
      },
    });
    conn.start();
    await gotSecond;
    assert.deepEqual(frames, ["hello 1", "binary 1", "hello 2", "binary 2"]);
    assert.equal(conn.stats.connects, 2);
    assert.equal(conn.stats.lastCloseCode, 4000);
    assert.deepEqual(states.slice(0, 5), [
      "connecting",
      "open",
      "backoff",
      "connecting",
      "open",
    ]);
    await conn.close();
    assert.equal(conn.state, "closed");
    assert.equal(conn.stats.lastCloseCode, 1000);
    await Promise.all(
      serverSockets.map((s) =>
        s.readyState === WebSocket.CLOSED
          ? undefined
          : new Promise((r) => s.addEventListener("close", r))
      ),
    );
    await server.shutdown();
  },
});

Deno.test("a ping unanswered when the next one is due reconnects as stale", async () => {
  const t = setup({
    staleMs: 0,
    heartbeat: {
      intervalMs: 20_000,
      message: () => '{"op":"ping"}',
      isPong: (f) => f.includes('"pong"'),
    },
  });
  t.conn.start();
  t.last().open();
  t.last().deliver("data");
  t.clock.advance(20_000);
  assert.equal(t.last().sent.at(-1), '{"op":"ping"}');
  t.last().deliver('{"op":"pong"}');
  t.clock.advance(20_000); // answered: a second ping, same socket
  assert.equal(t.sockets.length, 1);
  assert.equal(t.last().sent.filter((f) => f.includes("ping")).length, 2);
  // Data keeps flowing, but the pong does not come back.
  t.clock.advance(10_000);
  t.last().deliver("data");
  t.clock.advance(10_000);
  assert.equal(t.conn.stats.staleReconnects, 1);
  assert.equal(t.conn.state, "backoff");
  assert.match(t.lastState()[1], /stale: no pong within 20 s/);
  await t.conn.close();
});

Deno.test("without isPong a heartbeat expects no answer", async () => {
  const t = setup({
    staleMs: 0,
    heartbeat: { intervalMs: 1_000, message: () => "ping" },
  });
  t.conn.start();
  t.last().open();
  t.clock.advance(5_000);
  assert.equal(t.sockets.length, 1);
  assert.equal(t.last().sent.filter((f) => f === "ping").length, 5);
  await t.conn.close();
});

Deno.test("tripBreaker with a cooldown holds for that long, then probes", async () => {
  const t = setup({ breaker: { cooldownMs: 60_000 } });
  t.conn.start();
  t.last().open();
  t.last().deliver("auth rejected");
  t.conn.tripBreaker("authentication failed", 300_000);
  assert.match(t.lastState()[1], /probing in 300 s/);
  t.clock.advance(299_999);
  assert.equal(t.sockets.length, 1, "no attempt during the long cooldown");
  t.clock.advance(1);
  assert.equal(t.sockets.length, 2);
  t.last().serverClose(1006); // the probe fails: the usual cooldown now
  assert.match(t.lastState()[1], /probing in 60 s/);
  await t.conn.close();
});
