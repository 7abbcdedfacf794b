/**
 * A lookup table for string keys that arrive as fresh strings, decoded from
 * a frame a moment ago (a stream name, a topic). V8 internalizes only short
 * strings in `JSON.parse`, so `Map.get` on a longer one must first hash it
 * in the runtime, which costs several times a JS hash over its characters
 * (about 60 ns against 7 ns for a 20-character key). This table hashes in
 * JS and confirms a hit with `===`. Keys are only added, never removed.
 *
 * @module
 */

/**
 * An insert-only string-keyed table (open addressing, linear probing, at
 * most half full).
 *
 * @example Usage
 * ```ts
 * const t = new StringTable<number>();
 * t.set("btcusdt@trade", 1);
 * t.get(JSON.parse('"btcusdt@trade"')); // 1
 * ```
 */
export class StringTable<V> {
  #keys: (string | undefined)[] = new Array(16).fill(undefined);
  #values: (V | undefined)[] = new Array(16).fill(undefined);
  #mask = 15;
  #size = 0;

  /** How many keys the table holds. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key`, or `undefined`. */
  get(key: string): V | undefined {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = hash(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.#values[i];
      if (k === undefined) return undefined;
      i = (i + 1) & mask;
    }
  }

  /** Sets `key` to `value` (adding the key, or replacing its value). */
  set(key: string, value: V): void {
    const keys = this.#keys;
    const mask = this.#mask;
    let i = hash(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key) {
        this.#values[i] = value;
        return;
      }
      if (k === undefined) break;
      i = (i + 1) & mask;
    }
    keys[i] = key;
    this.#values[i] = value;
    if (++this.#size * 2 > mask) this.#grow();
  }

  /** Every value, in no particular order. */
  *values(): IterableIterator<V> {
    const keys = this.#keys;
    const values = this.#values;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== undefined) yield values[i] as V;
    }
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const size = keys.length * 2;
    this.#keys = new Array(size).fill(undefined);
    this.#values = new Array(size).fill(undefined);
    this.#mask = size - 1;
    this.#size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k !== undefined) this.set(k, values[i] as V);
    }
  }
}

/** FNV-1a over the UTF-16 code units. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return (h ^ (h >>> 15)) >>> 0;
}
