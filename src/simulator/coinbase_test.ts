import assert from "node:assert/strict";
import {
  CoinbaseSimulator,
  type CoinbaseSimulatorOptions,
} from "./coinbase.ts";

type Frame = Record<string, unknown>;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const BOTH = ["BTC-USD", "ETH-USD"];

/** A real WebSocket client recording every frame (raw text when not JSON), its arrival time and per-type counts. */
class Client {
  readonly frames: (Frame | string)[] = [];
  readonly times: number[] = [];
  readonly closed: Promise<CloseEvent>;
  #counts = new Map<string, number>();
  #ws: WebSocket;
  #listeners = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", resolve)
    );
    ws.onmessage = (e) => {
      let frame: Frame | string = e.data;
      try {
        frame = JSON.parse(e.data);
      } catch { /* kept as raw text */ }
      this.frames.push(frame);
      this.times.push(performance.now());
      const type = typeof frame === "string"
        ? "(malformed)"
        : String(frame.type);
      this.#counts.set(type, this.count(type) + 1);
      for (const listener of [...this.#listeners]) listener();
    };
  }

  static async connect(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => ws.onclose = () => reject(new Error("connect failed"));
    });
    return new Client(ws);
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  send(message: unknown): void {
    this.#ws.send(
      typeof message === "string" ? message : JSON.stringify(message),
    );
  }

  subscribe(productIds: string[], channels: unknown[]): void {
    this.send({ type: "subscribe", product_ids: productIds, channels });
  }

  count(type: string): number {
    return this.#counts.get(type) ?? 0;
  }

  json(type?: string): Frame[] {
    return this.frames.filter((f): f is Frame =>
      typeof f !== "string" && (type === undefined || f.type === type)
    );
  }

  /** Resolves once `done()` holds (checked on every frame); rejects after `ms`. */
  until(done: () => boolean, ms = 5000, what = "condition"): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => done() && finish();
      const timer = setTimeout(
        () => finish(new Error(`timed out waiting for ${what}`)),
        ms,
      );
      this.#listeners.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    if (this.#ws.readyState < WebSocket.CLOSING) this.#ws.close();
    await this.closed;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Registers a sanitized test with a fresh simulator; every socket is closed afterwards. */
function simTest(
  name: string,
  options: CoinbaseSimulatorOptions,
  body: (
    sim: CoinbaseSimulator,
    connect: () => Promise<Client>,
  ) => Promise<void>,
): void {
  Deno.test({ name, sanitizeOps: true, sanitizeResources: true }, async () => {
    const sim = await CoinbaseSimulator.start(options);
    const clients: Client[] = [];
    const connect = async () => {
      clients.push(await Client.connect(sim.url));
      return clients.at(-1) as Client;
    };
    try {
      await body(sim, connect);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    }
  });
}

simTest("every subscribe/unsubscribe is acked with ALL current subscriptions", {
  products: [...BOTH, "ETH-EUR"],
}, async (sim, connect) => {
  const c = await connect();
  c.subscribe(["ETH-USD", "ETH-EUR"], [
    "level2_batch",
    "heartbeat",
    { name: "ticker", product_ids: ["BTC-USD", "ETH-USD"] },
  ]);
  c.send({ type: "unsubscribe", channels: ["heartbeat"] });
  c.send({
    type: "unsubscribe",
    product_ids: ["ETH-EUR"],
    channels: ["ticker"],
  });
  c.subscribe([], [{ name: "status" }, {
    name: "matches",
    product_ids: ["BTC-USD"],
  }]);
  await c.until(() => c.count("subscriptions") === 4);
  const l2 = { name: "level2_batch", "product_ids": ["ETH-USD", "ETH-EUR"] };
  const acks = c.json("subscriptions").map((f) => f.channels);
  assert.deepEqual(acks, [
    [l2, { name: "heartbeat", product_ids: ["ETH-USD", "ETH-EUR"] }, {
      name: "ticker",
      product_ids: ["ETH-USD", "ETH-EUR", "BTC-USD"],
    }],
    [l2, { name: "ticker", product_ids: ["ETH-USD", "ETH-EUR", "BTC-USD"] }],
    [l2, { name: "ticker", product_ids: ["ETH-USD", "BTC-USD"] }],
    [
      l2,
      { name: "ticker", product_ids: ["ETH-USD", "BTC-USD"] },
      { name: "status", product_ids: [] },
      { name: "matches", product_ids: ["BTC-USD"] },
    ],
  ]);
  const recorded = sim.sent.filter((s) => s.frame.type === "subscriptions");
  assert.deepEqual(recorded.map((s) => s.connection), [1, 1, 1, 1]);
  assert.deepEqual(recorded.map((s) => s.frame.channels), acks);
});

simTest("bad requests get error frames and the connection stays usable", {
  products: BOTH,
}, async (sim, connect) => {
  const c = await connect();
  const failed = "Failed to subscribe";
  const bad: [unknown, string, RegExp][] = [
    [
      { type: "subscribe", product_ids: ["BTC-USD"], channels: ["nope"] },
      failed,
      /^nope is not a valid channel$/,
    ],
    [
      { type: "subscribe", product_ids: ["DOGE-USD"], channels: ["ticker"] },
      failed,
      /^DOGE-USD is not a valid product$/,
    ],
    [
      { type: "subscribe", channels: ["heartbeat"] },
      failed,
      /^You need to specify at least one product ID for channel heartbeat$/,
    ],
    [
      { type: "subscribe", product_ids: ["BTC-USD"], channels: ["level2"] },
      failed,
      /^level2 requires authentication/,
    ],
    [
      { type: "subscribe", product_ids: ["BTC-USD"], channels: ["full"] },
      failed,
      /^full requires authentication/,
    ],
    [
      { type: "subscribe", product_ids: ["BTC-USD"], channels: ["user"] },
      failed,
      /^user requires authentication/,
    ],
    ['{"type":"subscribe",', "Malformed JSON", /./],
    [{ type: "ping" }, "Unsupported message type", /"ping"/],
  ];
  for (const [message, expected, reason] of bad) {
    const before = c.count("error");
    c.send(message);
    await c.until(
      () => c.count("error") > before,
      5000,
      `error for ${JSON.stringify(message)}`,
    );
    const error = c.json("error")[before] as Frame;
    assert.equal(error.message, expected);
    assert.match(String(error.reason), reason);
  }
  assert.equal(
    c.count("subscriptions"),
    0,
    "a failed subscribe subscribes nothing",
  );
  c.subscribe(["BTC-USD"], ["ticker"]);
  await c.until(() => c.count("subscriptions") === 1);
  assert.ok(c.open);
  assert.equal(
    sim.sent.filter((s) => s.frame.type === "error").length,
    bad.length,
  );
});

simTest("no subscribe within the deadline closes the connection", {
  subscribeDeadlineMs: 150,
}, async (sim, connect) => {
  const idle = await connect();
  const active = await connect();
  active.subscribe(["BTC-USD"], ["heartbeat"]);
  assert.equal((await idle.closed).code, 1008);
  await sleep(300);
  assert.ok(active.open, "a subscribed client is not closed");
  assert.equal(sim.connections, 1);
  assert.equal(sim.totalConnections, 2);
});

simTest(
  "matches/ticker: last_match first, one sequence line, consecutive trade ids",
  {
    products: BOTH,
    tradesPerSecond: 300,
  },
  async (sim, connect) => {
    const c = await connect();
    c.subscribe(BOTH, ["matches", "ticker", "heartbeat"]);
    await c.until(() => c.count("match") >= 100 && c.count("heartbeat") >= 2);
    const received = [...c.frames];
    for (const product of BOTH) {
      const frames = c.json().filter((f) => f.product_id === product);
      const trades = frames.filter((f) =>
        f.type === "match" || f.type === "last_match"
      );
      assert.equal(
        trades[0]?.type,
        "last_match",
        "first trade frame is last_match",
      );
      assert.equal(trades.filter((f) => f.type === "last_match").length, 1);
      trades.slice(1).forEach((m, i) => {
        assert.equal(
          m.trade_id,
          Number(trades[i]?.trade_id) + 1,
          "consecutive trade ids",
        );
        assert.ok(Number(m.sequence) > Number(trades[i]?.sequence));
        assert.match(String(m.time), TIME);
      });
      // match, ticker and heartbeat share the product's sequence line: never backwards.
      const seqs = frames.map((f) => Number(f.sequence));
      seqs.slice(1).forEach((seq, i) => assert.ok(seq >= Number(seqs[i])));
      const bySeq = new Map(trades.map((m) => [m.sequence, m]));
      for (const ticker of frames.filter((f) => f.type === "ticker")) {
        const match = bySeq.get(ticker.sequence);
        assert.ok(match, "every ticker shares its sequence with a match");
        assert.equal(ticker.trade_id, match.trade_id);
        assert.equal(ticker.price, match.price);
        assert.equal(ticker.side, match.side === "sell" ? "buy" : "sell");
        assert.ok(Number(ticker.best_bid) < Number(ticker.best_ask));
      }
      const lastId = Number(trades.at(-1)?.trade_id);
      assert.ok(
        frames.every((f) =>
          f.type !== "heartbeat" || Number(f.last_trade_id) <= lastId
        ),
      );
    }
    const recorded = sim.sent.filter((s) => s.connection === 1).map((s) =>
      s.frame
    );
    assert.deepEqual(
      recorded.slice(0, received.length),
      received,
      "sent is the truth",
    );
  },
);

simTest("cascading matches in one tick get ONE ticker, for the last trade", {
  products: ["BTC-USD"],
  tradesPerSecond: 20_000,
}, async (_sim, connect) => {
  const c = await connect();
  c.subscribe(["BTC-USD"], ["matches", "ticker"]);
  await c.until(() => c.count("ticker") >= 20);
  const frames = c.json().filter((f) =>
    f.type === "match" || f.type === "ticker"
  );
  const tickers = frames.filter((f) => f.type === "ticker").length;
  assert.ok(
    frames.length - tickers > 5 * tickers,
    "far fewer tickers than matches",
  );
  frames.forEach((f, i) => {
    if (f.type !== "ticker" || i === 0) return;
    const previous = frames[i - 1] as Frame;
    assert.equal(previous.type, "match", "a ticker follows its cascade");
    assert.equal(f.trade_id, previous.trade_id);
    assert.equal(f.sequence, previous.sequence);
  });
});

simTest("heartbeats arrive per product at the configured cadence", {
  products: BOTH,
  heartbeatIntervalMs: 100,
  tradesPerSecond: 50,
}, async (_sim, connect) => {
  const c = await connect();
  c.subscribe(BOTH, ["heartbeat"]);
  await c.until(() => c.count("subscriptions") === 1);
  await sleep(1000);
  for (const product of BOTH) {
    const beats = c.json("heartbeat").filter((f) => f.product_id === product);
    assert.ok(
      beats.length >= 4 && beats.length <= 16,
      `${beats.length} heartbeats in ~1 s`,
    );
    beats.slice(1).forEach((b, i) => {
      assert.ok(
        Number(b.last_trade_id) > Number(beats[i]?.last_trade_id),
        "trades keep happening",
      );
      assert.ok(Number(b.sequence) > Number(beats[i]?.sequence));
      assert.match(String(b.time), TIME);
    });
  }
  assert.equal(c.count("match"), 0, "heartbeat subscribers get no matches");
});

simTest(
  "level2_batch: snapshot first, then l2update batches that keep a valid book",
  {
    products: ["ETH-USD"],
    tradesPerSecond: 100,
  },
  async (_sim, connect) => {
    const c = await connect();
    c.subscribe(["ETH-USD"], ["level2_batch"]);
    await c.until(() => c.count("l2update") >= 10);
    const [ack, snapshot, ...updates] = c.json();
    assert.equal(ack?.type, "subscriptions");
    assert.equal(snapshot?.type, "snapshot");
    const level = (
      [p, s]: string[],
    ): [number, number] => [Number(p), Number(s)];
    const bids = new Map((snapshot?.bids as string[][]).map(level));
    const asks = new Map((snapshot?.asks as string[][]).map(level));
    assert.ok(bids.size >= 40 && asks.size >= 40, "about 50 levels per side");
    for (const update of updates) {
      assert.deepEqual(Object.keys(update), [
        "type",
        "product_id",
        "changes",
        "time",
      ]);
      assert.match(String(update.time), TIME);
      for (const [side, price, size] of update.changes as string[][]) {
        assert.match(String(price), /^\d+\.\d{2}$/);
        assert.match(String(size), /^\d+\.\d{8}$/);
        const book = side === "buy" ? bids : asks;
        if (Number(size) === 0) book.delete(Number(price));
        else book.set(Number(price), Number(size));
      }
      assert.ok(
        Math.max(...bids.keys()) < Math.min(...asks.keys()),
        "book never crosses",
      );
    }
  },
);

simTest("status channel sends products and currencies on subscribe", {
  products: BOTH,
}, async (_sim, connect) => {
  const c = await connect();
  c.send({ type: "subscribe", channels: [{ name: "status" }] });
  await c.until(() => c.count("status") === 1);
  assert.deepEqual(c.json("subscriptions")[0]?.channels, [{
    name: "status",
    product_ids: [],
  }]);
  const status = c.json("status")[0] as {
    products: { id: string }[];
    currencies: { id: string }[];
  };
  assert.deepEqual(status.products.map((p) => p.id), BOTH);
  assert.deepEqual(status.currencies.map((p) => p.id), ["BTC", "USD", "ETH"]);
});

simTest(
  "drop closes with code 1011; the market trades on, so a reconnect sees a gap",
  {
    products: ["BTC-USD"],
    tradesPerSecond: 100,
  },
  async (sim, connect) => {
    const first = await connect();
    first.subscribe(["BTC-USD"], ["matches"]);
    await first.until(() => first.count("match") >= 3);
    sim.dropConnections();
    const event = await first.closed;
    assert.deepEqual([event.code, event.reason], [1011, "simulated drop"]);
    const lastSeen = Number(first.json("match").at(-1)?.trade_id);
    await sleep(200);
    assert.equal(sim.connections, 0);
    const second = await connect();
    second.subscribe(["BTC-USD"], ["matches"]);
    await second.until(() => second.count("last_match") === 1);
    assert.ok(
      Number(second.json("last_match")[0]?.trade_id) > lastSeen + 5,
      "a real gap",
    );
    assert.equal(sim.totalConnections, 2);
  },
);

simTest("skip, malformed, unknown-type and stall faults", {
  products: ["BTC-USD"],
  tradesPerSecond: 50,
  heartbeatIntervalMs: 50,
}, async (sim, connect) => {
  const c = await connect();
  c.subscribe(["BTC-USD"], ["matches", "heartbeat"]);
  await c.until(() => c.count("match") >= 3);
  sim.skipSequences(5);
  const before = c.count("match");
  await c.until(() => c.count("match") >= before + 3);
  const ids = c.json().filter((f) => f.trade_id !== undefined).map((f) =>
    Number(f.trade_id)
  );
  const jumps = ids.slice(1).map((id, i) => id - Number(ids[i])).filter((d) =>
    d !== 1
  );
  assert.deepEqual(jumps, [6], "exactly 5 trades never sent");

  sim.sendMalformed();
  sim.sendUnknownType();
  await c.until(() =>
    c.count("(malformed)") === 1 && c.count("simulator_unknown") === 1
  );
  assert.throws(() =>
    JSON.parse(c.frames.find((f) => typeof f === "string") as string)
  );

  const count = c.frames.length;
  const stalledAt = performance.now();
  sim.stall(600);
  await sleep(620);
  const during = c.times.slice(count).filter((t) =>
    t > stalledAt + 100 && t < stalledAt + 550
  );
  assert.deepEqual(during, [], "nothing is sent while stalled");
  assert.ok(c.open, "a stall does not close the connection");
  const after = c.frames.length;
  await c.until(
    () => c.frames.length > after + 2,
    3000,
    "frames after the stall",
  );
});

simTest("periodic faults from options", {
  products: ["BTC-USD"],
  faults: { malformedEveryMs: 40, dropEveryMs: 300 },
}, async (_sim, connect) => {
  const c = await connect();
  c.subscribe(["BTC-USD"], ["heartbeat"]);
  await c.until(() => c.count("(malformed)") >= 2);
  assert.equal((await c.closed).code, 1011);
});

Deno.test({
  name: "HTTP summary and fault endpoints; close() with a client connected",
  sanitizeOps: true,
  sanitizeResources: true,
}, async () => {
  const sim = await CoinbaseSimulator.start({
    products: ["BTC-USD"],
    tradesPerSecond: 200,
  });
  const base = sim.url.replace("ws://", "http://");
  const call = async (path: string, method = "POST") => {
    const response = await fetch(`${base}${path}`, { method });
    return { status: response.status, body: await response.json() };
  };
  const summary = (await call("/", "GET")).body;
  assert.deepEqual([summary.products, summary.connections], [["BTC-USD"], 0]);
  await sleep(100);
  const later = (await call("/", "GET")).body;
  assert.ok(
    later.tradesGenerated > summary.tradesGenerated,
    "trades happen with no clients",
  );
  const c = await Client.connect(sim.url);
  c.subscribe(["BTC-USD"], ["heartbeat"]);
  assert.deepEqual(await call("/faults/unknown"), {
    status: 200,
    body: { ok: true, fault: "unknown" },
  });
  await c.until(() => c.count("simulator_unknown") === 1);
  assert.equal((await call("/faults/stall?ms=10")).status, 200);
  assert.equal((await call("/faults/skip?count=2")).status, 200);
  assert.equal((await call("/nope")).status, 404);
  assert.equal((await call("/faults/drop", "GET")).status, 405);
  assert.equal((await call("/faults/drop")).status, 200);
  assert.equal((await c.closed).code, 1011);
  await assert.rejects(
    () => CoinbaseSimulator.start({ port: sim.port }),
    "port in use",
  );
  const d = await Client.connect(sim.url);
  await sim.close();
  assert.equal((await d.closed).code, 1001, "close() closes clients");
  await assert.rejects(() => Client.connect(sim.url));
});
