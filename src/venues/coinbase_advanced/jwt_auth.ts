/**
 * JWT authentication of Coinbase Advanced Trade subscribe messages, with
 * its one piece of state: whether the venue refused the key. Every message
 * gets a freshly minted JWT (so none is ever near its two-minute expiry).
 * After a refusal, messages go out unauthenticated (public channels still
 * work) for a cooldown, and /health warns; the next messages after the
 * cooldown carry a JWT again, and an acknowledgement then clears the
 * warning.
 *
 * @module
 */

import type { CdpKey } from "./cdp_key.ts";
import { mintJwt } from "./jwt.ts";

/**
 * Signs subscribe messages while the key is accepted.
 *
 * @example Usage
 * ```ts ignore
 * const auth = new JwtAuth(importCdpKey(name, pem), () => Date.now(), 300_000);
 * const frame = await auth.sign('{"type":"subscribe","channel":"level2","product_ids":["BTC-USD"]}');
 * ```
 */
export class JwtAuth {
  readonly #key: Promise<CdpKey>;
  readonly #now: () => number;
  readonly #cooldownMs: number;
  #refusedAt = 0;
  #refusal: string | undefined;

  /**
   * @param key the imported CDP key
   * @param now the clock JWTs are dated by (epoch ms)
   * @param cooldownMs how long to subscribe unauthenticated after a refusal
   */
  constructor(key: Promise<CdpKey>, now: () => number, cooldownMs: number) {
    this.#key = key;
    this.#now = now;
    this.#cooldownMs = cooldownMs;
  }

  /** Whether messages carry a JWT now. */
  get active(): boolean {
    return this.#refusal === undefined ||
      this.#now() - this.#refusedAt >= this.#cooldownMs;
  }

  /** `frame` (a JSON object) with a fresh `jwt` field, unless refused. */
  async sign(frame: string): Promise<string> {
    if (!this.active) return frame;
    const jwt = await mintJwt(await this.#key, this.#now());
    return `${frame.slice(0, -1)},"jwt":"${jwt}"}`;
  }

  /**
   * Records a refusal; returns true when it is new (messages were signed
   * until now), so the caller resubscribes without a JWT once.
   */
  refused(reason: string): boolean {
    const fresh = this.active;
    if (fresh) this.#refusedAt = this.#now();
    this.#refusal = reason;
    return fresh;
  }

  /** An acknowledgement arrived: after the cooldown it means the key works. */
  acknowledged(): void {
    if (this.#refusal !== undefined && this.active) this.#refusal = undefined;
  }

  /** What /health shows while the key is refused. */
  get warning(): string | undefined {
    if (this.#refusal === undefined) return undefined;
    const left = Math.max(
      0,
      Math.ceil((this.#cooldownMs - (this.#now() - this.#refusedAt)) / 1000),
    );
    return `coinbase-advanced: the API key was refused (${this.#refusal}); subscribed without authentication, retrying with the key ${
      left > 0 ? `in ${left} s` : "on the next subscription"
    }`;
  }
}
