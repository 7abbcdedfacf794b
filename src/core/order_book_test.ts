import assert from "node:assert/strict";
import { OrderBook } from "./order_book.ts";

Deno.test("OrderBook keeps best levels across snapshot and deltas, keyed by numeric price", () => {
  const book = new OrderBook();
  book.apply("snapshot", [["100.10", "1"], ["100.30", "2"], ["99.5", "3"]], [
    ["101", "1"],
    ["100.9", "4"],
  ]);
  assert.deepEqual(book.bestBid(), ["100.30", "2"]);
  assert.deepEqual(book.bestAsk(), ["100.9", "4"]);
  // The same price spelled differently updates the level; zero removes it.
  book.apply("delta", [["100.30000000", "0.00000000"], ["100.10000000", "5"]], [
    ["100.95", "1"],
  ]);
  assert.deepEqual(book.bestBid(), ["100.10000000", "5"]);
  assert.deepEqual(book.asks.top(3), [["100.9", "4"], ["100.95", "1"], [
    "101",
    "1",
  ]]);
  assert.equal(book.bids.size, 2);
  assert.equal(book.crossed(), false);
  book.apply("delta", [["101.5", "1"]], []);
  assert.equal(book.crossed(), true);
  book.apply("snapshot", [], []);
  assert.equal(book.bestBid(), undefined);
});
