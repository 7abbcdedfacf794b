/**
 * JWT authentication of Coinbase Advanced Trade subscribe messages, with
 * its one piece of state: whether the venue refused the key. Every message
 * gets a freshly minted JWT (so none is ever near its two-minute expiry).
 * After a refusal, messages go out unauthenticated (public channels still
 * work) for a cooldown and /health warns; messages after the cooldown (a
 * reconnect, a resubscription, a new stream) carry a JWT again, and the
 * warning clears when one of those is acknowledged.
 *
 * @module
 */

import type { CdpKey } from "./cdp_key.ts";
import { mintJwt } from "./jwt.ts";

/**
 * A refusal within this long of a signed message answers a signed message
 * (one still in flight when the first refusal came): its connection is
 * replaced. Later refusals answer unsigned ones: replacing would not help.
 */
const SIGNED_REPLY_WINDOW_MS = 30_000;

/** What a refusal means for the connection it came on. */
export interface Refusal {
  /** The first refusal since the key was last used: worth a log line. */
  fresh: boolean;
  /** The connection sent signed messages lately: replace it, subscribing unsigned. */
  replace: boolean;
}

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
  #lastSignedAt = -Infinity;
  /** A message was signed after the cooldown of the current refusal. */
  #retried = false;

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
    const now = this.#now();
    const jwt = await mintJwt(await this.#key, now);
    this.#lastSignedAt = now;
    if (this.#refusal !== undefined) this.#retried = true;
    return `${frame.slice(0, -1)},"jwt":"${jwt}"}`;
  }

  /** Records a refusal of the key with the venue's `reason`. */
  refused(reason: string): Refusal {
    const now = this.#now();
    const fresh = this.active;
    if (fresh) this.#refusedAt = now;
    this.#refusal = reason;
    this.#retried = false;
    return {
      fresh,
      replace: now - this.#lastSignedAt < SIGNED_REPLY_WINDOW_MS,
    };
  }

  /** The venue acknowledged a subscription: after a retry with the key, the key works. */
  acknowledged(): void {
    if (this.#retried) {
      this.#refusal = undefined;
      this.#retried = false;
    }
  }

  /** What /health shows while the key is refused. */
  get warning(): string | undefined {
    if (this.#refusal === undefined) return undefined;
    const left = Math.ceil(
      (this.#cooldownMs - (this.#now() - this.#refusedAt)) / 1000,
    );
    return `coinbase-advanced: the API key was refused (${this.#refusal}); subscribing without authentication, ${
      left > 0
        ? `the key is used again for subscriptions after ${left} s`
        : "the key is used again for the next subscription"
    }`;
  }
}
