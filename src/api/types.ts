/**
 * The narrow view of the gateway the HTTP API reads. The API never reaches
 * into sockets or sinks; the app implements this.
 *
 * @module
 */

import type { BalanceEntry } from "../sinks/balances.ts";
import type { LatestEntry } from "../sinks/latest.ts";
import type { SubscriptionService } from "../subscriptions/types.ts";

/** `/health`: 200 when healthy, else 503; the body explains. */
export interface HealthReport {
  status: "ok" | "starting" | "unhealthy";
  /** Human-readable reasons when not ok. */
  problems: string[];
  /** Degradations that do not fail the check (e.g. discovery on fallback pairs). */
  warnings: string[];
  uptimeSec: number;
  venues: Record<string, unknown>;
  sinks: Record<string, unknown>;
  /** The subscription store: kind, location, state, pending writes. */
  store: Record<string, unknown>;
  /** Subscription counts by status and source, streams per venue. */
  subscriptions: Record<string, unknown>;
}

/** What the API needs from the running gateway. */
export interface GatewayView {
  health(): HealthReport;
  stats(): Record<string, unknown>;
  /** Prometheus text exposition. */
  metrics(): string;
  pairs(): Record<string, unknown>;
  latest(symbols: readonly string[] | undefined): LatestEntry[];
  /** Current account balances from private streams; `venue` filters. */
  balances(venue?: string): BalanceEntry[];
  /** `API_KEY`, guarding the routes that need one; a secret. */
  readonly apiKey: string | undefined;
  /** The subscription registry behind `/api/v1/subscriptions`. */
  readonly subscriptions: SubscriptionService;
  /** Requests per minute allowed per API key on the guarded routes (`API_RATE_LIMIT`). */
  readonly apiRateLimit: number;
  /** Counts an HTTP response by route and status (for `/metrics`). */
  countRequest(route: string, status: number): void;
}
