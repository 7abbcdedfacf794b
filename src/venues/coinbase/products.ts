/**
 * The products Coinbase Exchange lists (`GET /products`), so a subscription
 * asking for one it does not list is refused at the API instead of making
 * the venue refuse a whole subscribe message (configured streams included)
 * at the next reconnect.
 *
 * @module
 */

import type { Clock } from "../../core/clock.ts";
import { errorText } from "../../core/error_text.ts";
import { getJson } from "../../http_json.ts";

/** Retry a failed listing this often. */
const RETRY_MS = 60_000;

/**
 * The REST base for a ws-feed URL: Coinbase's own hosts map to their API
 * hosts; anything else (a simulator) serves REST on the same host and port.
 *
 * @example Usage
 * ```ts
 * coinbaseRestUrl("wss://ws-feed.exchange.coinbase.com"); // "https://api.exchange.coinbase.com"
 * coinbaseRestUrl("ws://127.0.0.1:9000"); // "http://127.0.0.1:9000"
 * ```
 */
export function coinbaseRestUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  if (url.hostname === "ws-feed.exchange.coinbase.com") {
    return "https://api.exchange.coinbase.com";
  }
  if (url.hostname === "ws-feed-public.sandbox.exchange.coinbase.com") {
    return "https://api-public.sandbox.exchange.coinbase.com";
  }
  return `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}`;
}

/** Product ids of a `GET /products` answer; `undefined` for another shape. */
export function parseProducts(body: unknown): Set<string> | undefined {
  if (!Array.isArray(body)) return undefined;
  const ids = new Set<string>();
  for (const p of body) {
    if (p && typeof p === "object" && typeof p.id === "string") ids.add(p.id);
  }
  return ids;
}

/** Options of {@link ProductListing}. */
export interface ProductListingOptions {
  restUrl: string;
  clock: Clock;
  fetch?: typeof fetch;
  onError?(error: string): void;
}

/**
 * The listing, fetched at start and, until it succeeds once, every minute.
 *
 * @example Usage
 * ```ts ignore
 * const listing = new ProductListing({ restUrl, clock });
 * listing.start();
 * listing.products?.has("BTC-USD");
 * ```
 */
export class ProductListing {
  /** Listed product ids; `undefined` until read. */
  products: ReadonlySet<string> | undefined;
  /** Why the listing is not known, while it is not. */
  problem: string | undefined;
  readonly #opts: ProductListingOptions;
  #timer: number | undefined;
  #stopped = false;

  constructor(options: ProductListingOptions) {
    this.#opts = options;
  }

  /** Fetches now (and retries in the background on failure). */
  async start(): Promise<void> {
    try {
      const body = await getJson({
        label: "Coinbase products",
        base: this.#opts.restUrl,
        path: "/products",
        timeoutMs: 10_000,
        ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      });
      const ids = parseProducts(body);
      if (ids === undefined) throw new Error("an unexpected shape");
      this.products = ids;
      this.problem = undefined;
    } catch (e) {
      this.problem = errorText(e);
      this.#opts.onError?.(this.problem);
      if (!this.#stopped) {
        this.#timer = this.#opts.clock.setTimeout(() => this.start(), RETRY_MS);
      }
    }
  }

  /** Stops retrying. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#opts.clock.clearTimeout(this.#timer);
  }
}
