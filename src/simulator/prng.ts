/**
 * A tiny seeded pseudo-random number generator (mulberry32) for the venue
 * simulators: the same seed always yields the same stream, on every platform.
 *
 * @module
 */

/**
 * Hashes a string to a 32-bit unsigned integer (FNV-1a), e.g. to derive a
 * per-product seed from a product id.
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Deterministic mulberry32 generator. Not cryptographically secure.
 *
 * @example Usage
 * ```ts
 * const rng = new Prng(42);
 * const side = rng.pick(["buy", "sell"]);
 * const levels = rng.int(1, 4); // 1, 2, 3 or 4
 * ```
 */
export class Prng {
  #state: number;

  /** @param seed any number; only its low 32 bits matter */
  constructor(seed = 1) {
    this.#state = seed >>> 0;
  }

  /** A float uniformly distributed in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer uniformly distributed in [lo, hi], both ends inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A uniformly chosen element of `items`; throws when it is empty. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new RangeError("Cannot pick from an empty array");
    }
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A standard normal variate (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A random version-4 UUID string (deterministic for the seed). */
  uuid(): string {
    let hex = "";
    for (let i = 0; i < 4; i++) {
      hex += Math.floor(this.next() * 4294967296).toString(16).padStart(8, "0");
    }
    const variant = "89ab"[parseInt(hex[16] ?? "0", 16) & 3];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${
      hex.slice(13, 16)
    }-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
