/**
 * The Binance parser's fast path: hot frames (`trade`, `aggTrade`,
 * `depthUpdate`, `bookTicker`) read with {@link JsonScan}, not `JSON.parse`,
 * whole, into {@link BinanceScan}'s fields, touching no parser state. A
 * frame it cannot read exactly as `JSON.parse` would (escapes, whitespace,
 * `data` before `stream`, a missing or mistyped field, deep nesting…) it
 * refuses: the parser then uses `JSON.parse`.
 *
 * @module
 */

import type { BookLevel } from "../../core/events.ts";
import type { StringTable } from "../../core/string_table.ts";
import { JsonScan } from "../json_scan.ts";
import type { StreamEntry } from "./parse.ts";

/**
 * The fast-path reader, one per parser. After a successful
 * {@link BinanceScan.read} the fields of the returned entry's kind hold
 * the payload's values (duplicate keys: the last one, as `JSON.parse`).
 *
 * @example Usage
 * ```ts
 * const scan = new BinanceScan();
 * const entry = scan.read(frame, index); // undefined: use JSON.parse
 * if (entry?.kind === "trade") console.log(scan.id, scan.price);
 * ```
 */
export class BinanceScan {
  readonly #s = new JsonScan();
  /** Trades: `t` (or `a`), `p`, `q` (`""` is refused later), `m`, `T`. */
  id = 0;
  price = "";
  size = "";
  buyerMaker = false;
  tradeTs = 0;
  /** Depth: `U`, `u` (also a book ticker's update id) and `E`. */
  firstId = 0;
  lastId = 0;
  eventTs = 0;
  /** Depth: `b` and `a`. */
  bids: BookLevel[] = [];
  asks: BookLevel[] = [];
  /** Book ticker: `b`, `B`, `a`, `A` (`B` and `A` are `""` when absent). */
  bid = "";
  bidSize = "";
  ask = "";
  askSize = "";

  /**
   * Reads `{"stream":…,"data":{…}}` whole; the stream's entry when its
   * kind is a hot one and every read succeeded, `undefined` otherwise.
   */
  read(
    frame: string,
    index: StringTable<StreamEntry>,
  ): StreamEntry | undefined {
    const s = this.#s;
    if (!s.begin(frame) || !s.open()) return undefined;
    let entry: StreamEntry | undefined;
    let data = false;
    do {
      const c = s.memberKey();
      if (c === 0 && s.isKey("stream")) {
        if (entry !== undefined || !s.atString()) return undefined;
        entry = index.get(s.string());
        if (entry === undefined) return undefined;
      } else if (c === 0 && s.isKey("data")) {
        const kind = entry?.kind;
        if (data || kind === undefined) return undefined;
        data = kind === "depth"
          ? this.#depth()
          : kind === "bookTicker"
          ? this.#bookTicker()
          : kind === "trade" || kind === "aggTrade"
          ? this.#trade(kind === "trade" ? 116 /* t */ : 97 /* a */)
          : false;
        if (!data) return undefined;
      } else if (c < 0 || !s.skip()) return undefined;
    } while (s.more());
    return data && s.finish() ? entry : undefined;
  }

  #trade(idKey: number): boolean {
    const s = this.#s;
    if (!s.open()) return false;
    let seen = 0;
    do {
      const c = s.memberKey();
      if (c === idKey) {
        this.id = s.number();
        seen |= 1;
      } else if (c === 112 /* p */) {
        this.price = s.string();
        seen |= 2;
      } else if (c === 113 /* q */) {
        this.size = s.string();
        seen |= 4;
      } else if (c === 109 /* m */) {
        this.buyerMaker = s.boolean() === true;
        seen |= 8;
      } else if (c === 84 /* T */) {
        this.tradeTs = s.number();
        seen |= 16;
      } else if (c < 0 || !s.skip()) return false;
    } while (s.more());
    return seen === 31 && !s.failed;
  }

  #depth(): boolean {
    const s = this.#s;
    if (!s.open()) return false;
    let seen = 0;
    do {
      const c = s.memberKey();
      if (c === 85 /* U */) {
        this.firstId = s.number();
        seen |= 1;
      } else if (c === 117 /* u */) {
        this.lastId = s.number();
        seen |= 2;
      } else if (c === 69 /* E */) {
        this.eventTs = s.number();
        seen |= 4;
      } else if (c === 98 /* b */) {
        this.bids = s.levels() ?? [];
        seen |= 8;
      } else if (c === 97 /* a */) {
        this.asks = s.levels() ?? [];
        seen |= 16;
      } else if (c < 0 || !s.skip()) return false;
    } while (s.more());
    return seen === 31 && !s.failed;
  }

  #bookTicker(): boolean {
    const s = this.#s;
    if (!s.open()) return false;
    let seen = 0;
    this.bidSize = "";
    this.askSize = "";
    do {
      const c = s.memberKey();
      if (c === 117 /* u */) {
        this.lastId = s.number();
        seen |= 1;
      } else if (c === 98 /* b */) {
        this.bid = s.string();
        seen |= 2;
      } else if (c === 97 /* a */) {
        this.ask = s.string();
        seen |= 4;
      } else if (c === 66 /* B */) this.bidSize = s.string();
      else if (c === 65 /* A */) this.askSize = s.string();
      else if (c < 0 || !s.skip()) return false;
    } while (s.more());
    return seen === 7 && !s.failed;
  }
}
