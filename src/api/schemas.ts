/**
 * The zod schemas of the HTTP API: they validate requests at runtime and
 * generate `/openapi.json`, so the document cannot drift from the code.
 * Request objects are strict (an unknown field is a 400 naming it);
 * response schemas of the status routes are as loose as their content.
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import {
  SUBSCRIPTION_STATUSES,
  type SubscriptionRequest,
} from "../subscriptions/types.ts";

/** A unified (`BTC-USDT`) or native (`BTCUSDT`) symbol. */
export const SYMBOL_PATTERN: RegExp = /^[A-Za-z0-9._:/-]{1,40}$/;
/** Most symbols in one request. */
export const MAX_SYMBOLS = 500;
/** A downstream service's name. */
export const SERVICE_PATTERN: RegExp = /^[A-Za-z0-9._:-]{1,64}$/;

const symbol = z.string().regex(
  SYMBOL_PATTERN,
  "must be 1 to 40 letters, digits or . _ : / - (like BTC-USDT)",
);
const service = z.string().regex(
  SERVICE_PATTERN,
  "must be 1 to 64 letters, digits or . _ : -",
);
const name = (what: string) =>
  z.string().min(1, `${what} must not be empty`).max(
    64,
    `${what} must be at most 64 characters`,
  );

/** `options` of a subscription request. */
export const SubscriptionOptionsSchema = z.strictObject({
  depth: z.number().int().positive().optional().openapi({
    description: "Order-book depth (levels per side), e.g. 50",
  }),
  interval: z.string().min(1).max(16).optional().openapi({
    description: "Candle interval in the venue's notation (`1m`, `5`, `1h`)",
  }),
}).openapi("SubscriptionOptions");

/** The body of `POST /api/v1/subscriptions`. */
export const SubscriptionRequestSchema = z.strictObject({
  venue: name("venue").openapi({ example: "bybit" }),
  channel: name("channel").openapi({ example: "orderbook" }),
  symbols: z.array(symbol).max(
    MAX_SYMBOLS,
    `at most ${MAX_SYMBOLS} symbols per subscription`,
  ).default([]).openapi({ example: ["BTC-USDT"] }),
  service: service.openapi({ example: "pricing" }),
  options: SubscriptionOptionsSchema.optional(),
}).openapi("SubscriptionRequest");

/** A subscription as served. */
export const SubscriptionSchema = z.object({
  id: z.string(),
  venue: z.string(),
  channel: z.string().openapi({
    description: "The venue's channel name, options folded in",
  }),
  symbols: z.array(z.string()).openapi({ description: "Native symbols" }),
  service: z.string(),
  options: SubscriptionOptionsSchema,
  source: z.enum(["config", "discovery", "api"]),
  status: z.enum(SUBSCRIPTION_STATUSES),
  created_at: z.string().openapi({ description: "ISO 8601, UTC" }),
}).openapi("Subscription");

/** A list of subscriptions with its length. */
export const SubscriptionListSchema = z.object({
  data: z.array(SubscriptionSchema),
  count: z.number().int(),
}).openapi("SubscriptionList");

/** Query filters of `GET /api/v1/subscriptions`. */
export const SubscriptionFilterSchema = z.strictObject({
  service: service.optional(),
  venue: name("venue").optional(),
  channel: name("channel").optional(),
  symbol: symbol.optional(),
  status: z.enum(SUBSCRIPTION_STATUSES).optional(),
});

/** Path of `/api/v1/subscriptions/{id}`. */
export const IdParamSchema = z.object({
  id: z.string().min(1).max(128).openapi({
    param: { name: "id", in: "path" },
  }),
});

/** Path of `/api/v1/subscriptions/by-service/{service}`. */
export const ServiceParamSchema = z.object({
  service: service.openapi({ param: { name: "service", in: "path" } }),
});

/** Every JSON error body. */
export const ErrorSchema = z.object({
  error: z.string().openapi({ example: "bad_request" }),
  message: z.string(),
  field: z.string().optional().openapi({ description: "The first bad field" }),
  fields: z.array(z.object({ field: z.string(), message: z.string() }))
    .optional().openapi({ description: "Every bad field (`symbols.2`)" }),
  existing: SubscriptionSchema.optional().openapi({
    description: "The identical subscription already held (409 conflict)",
  }),
  known: z.array(z.string()).optional().openapi({
    description: "Known venues or channels (404 unknown_venue/unknown_channel)",
  }),
  allowed: z.array(z.string()).optional(),
  retryAfterSec: z.number().optional(),
}).openapi("Error");

/** An object whose members are not described further. */
export const LooseObjectSchema = z.record(z.string(), z.unknown());

/** `GET /`. */
export const IndexSchema = z.object({
  name: z.string(),
  routes: z.array(z.string()),
});

/** `GET /health`. */
export const HealthSchema = z.object({
  status: z.enum(["ok", "starting", "unhealthy"]),
  problems: z.array(z.string()),
  warnings: z.array(z.string()),
  uptimeSec: z.number(),
  venues: LooseObjectSchema,
  sinks: LooseObjectSchema,
  store: LooseObjectSchema,
  subscriptions: LooseObjectSchema,
}).catchall(z.unknown()).openapi("Health");

/** Query of `GET /api/v1/latest` (checked by its handler, to name the bad symbols). */
export const LatestQuerySchema = z.object({
  symbols: z.union([z.string(), z.array(z.string())]).optional().openapi({
    description:
      `Comma-separated symbols (unified or native), at most ${MAX_SYMBOLS}; all when omitted`,
    example: "BTC-USD,ETH-USD",
  }),
});

/** `GET /api/v1/latest`. */
export const LatestSchema = z.object({
  data: z.array(LooseObjectSchema),
  missing: z.array(z.string()),
});

/** Query of `GET /api/v1/balances`. */
export const BalancesQuerySchema = z.object({
  venue: z.string().regex(
    /^[a-z-]{1,40}$/,
    "venue must be a venue name like bybit",
  ).optional(),
});

/** One current balance (positions carry prices and PnL). */
export const BalanceSchema = z.object({
  venue: z.string(),
  account: z.string(),
  coin: z.string(),
  symbol: z.string(),
  free: z.string(),
  locked: z.string(),
  total: z.string(),
  updatedTs: z.number().openapi({ description: "Epoch ms" }),
  entryPrice: z.string().optional(),
  markPrice: z.string().optional(),
  unrealisedPnl: z.string().optional(),
}).openapi("Balance");

/** `GET /api/v1/balances`. */
export const BalancesSchema = z.object({ data: z.array(BalanceSchema) });

/**
 * The registry's request from a validated body (absent options stay absent).
 *
 * @example Usage
 * ```ts
 * toSubscriptionRequest(SubscriptionRequestSchema.parse({ venue: "bybit", channel: "trade", service: "s" }));
 * ```
 */
export function toSubscriptionRequest(
  body: z.output<typeof SubscriptionRequestSchema>,
): SubscriptionRequest {
  const request: SubscriptionRequest = {
    venue: body.venue,
    channel: body.channel,
    symbols: body.symbols,
    service: body.service,
  };
  if (body.options !== undefined) {
    const { depth, interval } = body.options;
    request.options = {
      ...(depth !== undefined ? { depth } : {}),
      ...(interval !== undefined ? { interval } : {}),
    };
  }
  return request;
}
