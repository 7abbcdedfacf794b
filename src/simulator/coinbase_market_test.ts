import assert from "node:assert/strict";
import {
  CoinbaseMarket,
  formatSize,
  isoMicros,
  type MatchFrame,
  type TickerFrame,
} from "./coinbase_market.ts";
import { hashString, Prng } from "./prng.ts";

type Book = { bids: Map<string, string>; asks: Map<string, string> };
type Snapshot = {
  type: string;
  "product_id": string;
  bids: string[][];
  asks: string[][];
};
type L2Update = {
  type: string;
  "product_id": string;
  changes: string[][];
  time: string;
};

const T0 = 1_700_000_000_000;
const PRICE_USD = /^\d+\.\d{2}$/;
const SIZE = /^\d+\.\d{8}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The live feed's member order (a captured `last_match`), not the docs example's. */
const MATCH_KEYS = [
  "type",
  "trade_id",
  "maker_order_id",
  "taker_order_id",
  "side",
  "size",
  "price",
  "product_id",
  "sequence",
  "time",
];
const TICKER_KEYS = [
  "type",
  "sequence",
  "product_id",
  "price",
  "open_24h",
  "volume_24h",
  "low_24h",
  "high_24h",
  "volume_30d",
  "best_bid",
  "best_bid_size",
  "best_ask",
  "best_ask_size",
  "side",
  "time",
  "trade_id",
  "last_size",
];

function toBook(snapshot: Snapshot): Book {
  return {
    bids: new Map(snapshot.bids.map(([p, s]) => [p ?? "", s ?? ""])),
    asks: new Map(snapshot.asks.map(([p, s]) => [p ?? "", s ?? ""])),
  };
}

function apply(book: Book, update: L2Update): void {
  for (const [side, price = "", size = ""] of update.changes) {
    const levels = side === "buy" ? book.bids : book.asks;
    if (Number(size) === 0) levels.delete(price);
    else levels.set(price, size);
  }
}

function sorted(levels: Map<string, string>, desc: boolean): string[][] {
  return [...levels].sort((a, b) =>
    (desc ? -1 : 1) * (Number(a[0]) - Number(b[0]))
  );
}

Deno.test("Prng is deterministic, in range and picks every element", () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const x = a.next();
    assert.equal(x, b.next());
    assert.ok(x >= 0 && x < 1);
    const n = a.int(1, 4);
    b.int(1, 4);
    assert.ok(Number.isInteger(n) && n >= 1 && n <= 4);
    seen.add(a.pick([10, 20, 30]));
    b.pick([10, 20, 30]);
  }
  assert.deepEqual([...seen].sort(), [10, 20, 30]);
  assert.notEqual(new Prng(1).next(), new Prng(2).next());
  assert.match(new Prng(7).uuid(), UUID);
  assert.throws(() => a.pick([]), RangeError);
  assert.equal(hashString("BTC-USD"), hashString("BTC-USD"));
});

Deno.test("formatting helpers: 8-decimal sizes and microsecond ISO times", () => {
  assert.equal(formatSize(1_655_371), "0.01655371");
  assert.equal(formatSize(523_512_000), "5.23512000");
  assert.equal(isoMicros(1_415_348_367_028_459), "2014-11-07T08:19:27.028459Z");
  const market = new CoinbaseMarket({ products: ["BTC-USD"], startMs: T0 });
  const [match] = market.trades("BTC-USD", 1, T0 + 5.25).matches;
  assert.equal(match?.time, "2023-11-14T22:13:20.005250Z");
});

Deno.test("same seed gives identical frames, per product, regardless of interleaving", () => {
  const products = ["BTC-USD", "ETH-USD", "XYZ-USD"];
  const a = new CoinbaseMarket({ products, seed: 5 });
  const b = new CoinbaseMarket({ products, seed: 5 });
  const c = new CoinbaseMarket({ products, seed: 6 });
  const aFrames = products.flatMap((p) => a.nextTrades(p, 20, T0));
  const bFrames = [...products].reverse().flatMap((p) =>
    b.nextTrades(p, 20, T0)
  ).reverse();
  assert.deepEqual(aFrames.toSorted(), bFrames.toSorted());
  assert.notDeepEqual(
    aFrames,
    products.flatMap((p) => c.nextTrades(p, 20, T0)),
  );
  assert.equal(a.snapshot("XYZ-USD"), b.snapshot("XYZ-USD"));
});

Deno.test("matches: one sequence line, 1..4 hidden messages between trades, consecutive trade ids", () => {
  const market = new CoinbaseMarket({
    products: ["BTC-USD", "ETH-USD"],
    seed: 3,
  });
  for (const product of market.products) {
    let prev = JSON.parse(market.lastMatch(product)) as MatchFrame;
    assert.equal(prev.type, "last_match");
    assert.equal(prev.trade_id, market.lastTradeId(product));
    assert.equal(prev.sequence, market.sequence(product));
    for (let step = 0; step < 500; step++) {
      const count = 1 + (step % 4);
      const { matches, ticker } = market.trades(product, count, T0 + step);
      assert.equal(matches.length, count);
      for (const m of matches) {
        assert.deepEqual(Object.keys(m), MATCH_KEYS);
        assert.equal(m.type, "match");
        assert.equal(m.product_id, product);
        assert.equal(m.trade_id, prev.trade_id + 1);
        const gap = m.sequence - prev.sequence;
        assert.ok(gap >= 2 && gap <= 5, `sequence gap ${gap}`);
        assert.match(m.price, PRICE_USD);
        assert.match(m.size, SIZE);
        assert.ok(Number(m.size) > 0);
        assert.match(m.time, TIME);
        assert.ok(m.time >= prev.time);
        assert.match(m.maker_order_id, UUID);
        assert.notEqual(m.maker_order_id, m.taker_order_id);
        assert.ok(m.side === "buy" || m.side === "sell");
        prev = m;
      }
      // One ticker per cascade, carrying the LAST match's sequence and trade id.
      assert.ok(ticker);
      assert.deepEqual(Object.keys(ticker), TICKER_KEYS);
      assert.equal(ticker.sequence, prev.sequence);
      assert.equal(ticker.trade_id, prev.trade_id);
      assert.equal(ticker.price, prev.price);
      assert.equal(ticker.last_size, prev.size);
      assert.equal(ticker.side, prev.side === "sell" ? "buy" : "sell");
    }
    const heartbeat = JSON.parse(market.heartbeat(product, T0 + 1e6));
    assert.match(heartbeat.time, TIME);
    assert.deepEqual(heartbeat, {
      type: "heartbeat",
      sequence: prev.sequence,
      last_trade_id: prev.trade_id,
      product_id: product,
      time: heartbeat.time,
    });
    assert.deepEqual(Object.keys(heartbeat), [
      "type",
      "sequence",
      "last_trade_id",
      "product_id",
      "time",
    ]);
    assert.deepEqual(market.trades(product, 0, T0), {
      matches: [],
      ticker: null,
    });
  }
});

Deno.test("ticker fields are consistent with the simulated book", () => {
  const market = new CoinbaseMarket({ products: ["ETH-USD"], seed: 11 });
  for (let i = 0; i < 2000; i++) {
    const ticker = market.trades("ETH-USD", 1, T0 + i).ticker as TickerFrame;
    const [bid, ask, price] = [
      Number(ticker.best_bid),
      Number(ticker.best_ask),
      Number(ticker.price),
    ];
    assert.ok(bid < ask, `best_bid ${bid} < best_ask ${ask}`);
    assert.ok(bid <= price && price <= ask, `${bid} <= ${price} <= ${ask}`);
    assert.ok(
      Number(ticker.low_24h) <= price && price <= Number(ticker.high_24h),
    );
    for (
      const key of [
        "open_24h",
        "low_24h",
        "high_24h",
        "best_bid",
        "best_ask",
      ] as const
    ) {
      assert.match(ticker[key], PRICE_USD);
    }
    for (
      const key of [
        "volume_24h",
        "volume_30d",
        "best_bid_size",
        "best_ask_size",
      ] as const
    ) {
      assert.match(ticker[key], SIZE);
    }
    assert.ok(Number(ticker.volume_30d) > Number(ticker.volume_24h));
  }
});

Deno.test("snapshot plus drained l2update batches always equals the live book", () => {
  const market = new CoinbaseMarket({
    products: ["BTC-USD", "ABC-USD"],
    seed: 2,
  });
  for (const product of market.products) {
    const first = JSON.parse(market.snapshot(product)) as Snapshot;
    assert.equal(first.type, "snapshot");
    assert.ok(
      first.bids.length >= 40 && first.asks.length >= 40,
      "about 50 levels per side",
    );
    const book = toBook(first);
    assert.equal(market.l2Batch(product), null, "no changes yet");
    for (let i = 0; i < 300; i++) {
      const { matches } = market.trades(product, 1 + (i % 3), T0 + i);
      const update = JSON.parse(market.l2Batch(product) ?? "null") as L2Update;
      assert.deepEqual(Object.keys(update), [
        "type",
        "product_id",
        "changes",
        "time",
      ]);
      assert.equal(
        update.time,
        matches.at(-1)?.time,
        "time of the most recent change",
      );
      // The maker side is the book side the trade hit.
      const last = matches.at(-1) as MatchFrame;
      assert.ok(
        update.changes.some(([side, price]) =>
          side === last.side && price === last.price
        ),
      );
      for (const [side, price, size] of update.changes) {
        assert.ok(side === "buy" || side === "sell");
        assert.match(price ?? "", PRICE_USD);
        assert.match(size ?? "", SIZE);
      }
      apply(book, update);
      const live = JSON.parse(market.snapshot(product)) as Snapshot;
      assert.deepEqual(sorted(book.bids, true), live.bids);
      assert.deepEqual(sorted(book.asks, false), live.asks);
      assert.ok(Number(live.bids[0]?.[0]) < Number(live.asks[0]?.[0]));
    }
  }
});

Deno.test("long runs keep a sane book and price; corpora need no server", () => {
  const market = new CoinbaseMarket({ products: ["SOL-USD"], seed: 4 });
  const start = Number(market.trades("SOL-USD", 1, T0).ticker?.price);
  for (let i = 0; i < 50_000; i++) {
    const ticker = market.trades("SOL-USD", 1, T0 + i).ticker as TickerFrame;
    assert.ok(Number(ticker.best_bid) < Number(ticker.best_ask));
    if (i % 5000 === 0) market.l2Batch("SOL-USD");
  }
  const end = JSON.parse(market.snapshot("SOL-USD")) as Snapshot;
  assert.ok(end.bids.length >= 40 && end.bids.length <= 60);
  const mid = Number(end.bids[0]?.[0]);
  assert.ok(mid > start * 0.5 && mid < start * 2, `${start} -> ${mid}`);

  const products = Array.from({ length: 200 }, (_, i) => `C${i}-USD`);
  const corpus = new CoinbaseMarket({ products, seed: 9 });
  const frames: string[] = [];
  for (let round = 0; frames.length < 100_000; round++) {
    for (const p of products) {
      frames.push(...corpus.nextTrades(p, 1 + (round % 2), T0 + round));
    }
  }
  const types = new Set(frames.map((f) => JSON.parse(f).type));
  assert.deepEqual([...types].sort(), ["match", "ticker"]);
  const prices = frames.slice(0, 2000).map((f) =>
    JSON.parse(f).price as string
  );
  assert.ok(prices.every((p) => PRICE_USD.test(p) && Number(p) > 0));
});

Deno.test("status lists products and currencies; bad product ids are rejected", () => {
  const market = new CoinbaseMarket({ products: ["BTC-USD", "ETH-BTC"] });
  const status = JSON.parse(market.status());
  assert.equal(status.type, "status");
  assert.deepEqual(status.products.map((p: { id: string }) => p.id), [
    "BTC-USD",
    "ETH-BTC",
  ]);
  assert.deepEqual(status.currencies.map((c: { id: string }) => c.id), [
    "BTC",
    "USD",
    "ETH",
  ]);
  const btc = status.products[0];
  for (
    const key of [
      "base_currency",
      "quote_currency",
      "base_increment",
      "quote_increment",
      "display_name",
      "status",
      "status_message",
      "min_market_funds",
      "post_only",
      "limit_only",
      "cancel_only",
      "fx_stablecoin",
    ]
  ) assert.ok(key in btc, key);
  assert.equal(btc.quote_increment, "0.01");
  for (
    const key of [
      "name",
      "min_size",
      "status",
      "max_precision",
      "convertible_to",
      "default_network",
      "supported_networks",
    ]
  ) {
    assert.ok(key in status.currencies[0], key);
  }
  const ethBtc = market.trades("ETH-BTC", 1, T0).matches[0];
  assert.match(
    ethBtc?.price ?? "",
    /^0\.\d{5}$/,
    "ETH-BTC quoted in BTC with 5 decimals",
  );
  assert.throws(() => new CoinbaseMarket({ products: ["BTCUSD"] }), /Invalid/);
  assert.throws(
    () => new CoinbaseMarket({ products: ["BTC-USD", "BTC-USD"] }),
    /duplicate/,
  );
  assert.throws(() => market.heartbeat("DOGE-USD", T0), /Unknown product/);
});
