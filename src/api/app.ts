/**
 * The Hono application: health, stats, metrics, pairs, latest state,
 * balances, the subscription registry and `/openapi.json`. Every route is a
 * zod route, so the OpenAPI document is generated from the code. Bodies are
 * capped at 64 KiB; `/api/v1` routes except `latest` need `X-API-Key` and
 * are rate-limited per key. Every error is JSON; unknown routes are 404,
 * known routes with the wrong method are 405 with an `Allow` header; no
 * stack trace ever leaves.
 *
 * @module
 */

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { Clock } from "../core/clock.ts";
import { errorText } from "../core/error_text.ts";
import { log } from "../logging.ts";
import { requireApiKey } from "./api_key.ts";
import { problem, thrownProblem, validationProblem } from "./errors.ts";
import {
  allowedAt,
  errorResponse,
  jsonResponse,
  matchRoute,
  registerDocument,
  secured,
  type ServedRoute,
  servedRoutes,
} from "./openapi.ts";
import { rateLimitByKey, TokenBuckets } from "./rate_limit.ts";
import {
  BalancesQuerySchema,
  BalancesSchema,
  HealthSchema,
  IndexSchema,
  LatestQuerySchema,
  LatestSchema,
  LooseObjectSchema,
  MAX_SYMBOLS,
  SYMBOL_PATTERN,
} from "./schemas.ts";
import { registerSubscriptionRoutes } from "./subscriptions.ts";
import type { GatewayView } from "./types.ts";

/** Largest request body accepted, in bytes (64 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Options of {@link createApi}. */
export interface ApiOptions {
  /** Clock of the rate limit. @default {systemClock} */
  clock?: Pick<Clock, "now">;
}

const get = <P extends string>(path: P, summary: string) => ({
  method: "get" as const,
  path,
  summary,
  tags: ["status"],
});

const indexRoute = createRoute({
  ...get("/", "Name and routes"),
  responses: { 200: jsonResponse(IndexSchema, "The routes served") },
});
const healthRoute = createRoute({
  ...get("/health", "Health: 503 when ingestion is unhealthy"),
  responses: {
    200: jsonResponse(HealthSchema, "Healthy or starting"),
    503: jsonResponse(HealthSchema, "Unhealthy"),
  },
});
const liveRoute = createRoute({
  ...get(
    "/health/live",
    "Liveness: 200 while the process serves (for probes that restart it)",
  ),
  responses: {
    200: jsonResponse(
      z.object({ status: z.literal("alive") }),
      "The process is running",
    ),
  },
});
const statsRoute = createRoute({
  ...get("/stats", "Counters per venue and sink"),
  responses: { 200: jsonResponse(LooseObjectSchema, "Statistics") },
});
const metricsRoute = createRoute({
  ...get("/metrics", "Prometheus metrics"),
  responses: {
    200: {
      description: "Prometheus text exposition",
      content: { "text/plain": { schema: z.string() } },
    },
  },
});
const pairsRoute = createRoute({
  ...get("/pairs", "Subscribed pairs per venue"),
  responses: { 200: jsonResponse(LooseObjectSchema, "Pairs") },
});
const latestRoute = createRoute({
  ...get("/api/v1/latest", "Last trade and best bid/ask per symbol"),
  request: { query: LatestQuerySchema },
  responses: {
    200: jsonResponse(
      LatestSchema,
      "Latest state; unknown symbols in `missing`",
    ),
    400: errorResponse("Bad symbols"),
  },
});
const balancesRoute = createRoute({
  ...get("/api/v1/balances", "Current account balances"),
  request: { query: BalancesQuerySchema },
  responses: {
    200: jsonResponse(BalancesSchema, "Balances"),
    400: errorResponse("Bad venue"),
  },
});

/** The `symbols` query of `/api/v1/latest`: a list, or a 400 body. */
function latestSymbols(
  raw: string[] | undefined,
): string[] | undefined | { bad: ReturnType<typeof problem> } {
  if (raw === undefined) return undefined;
  const symbols = raw.flatMap((v) => v.split(",")).map((s) => s.trim())
    .filter((s) => s !== "");
  const bad = symbols.filter((s) => !SYMBOL_PATTERN.test(s));
  if (bad.length > 0) {
    return {
      bad: problem(
        "bad_request",
        "symbols must be a comma-separated list of symbols like BTC-USD",
        { field: "symbols", invalid: bad.slice(0, 10) },
      ),
    };
  }
  if (symbols.length > MAX_SYMBOLS) {
    return {
      bad: problem(
        "bad_request",
        `at most ${MAX_SYMBOLS} symbols per request`,
        { field: "symbols" },
      ),
    };
  }
  return symbols.length === 0 ? undefined : symbols;
}

/**
 * Builds the HTTP API over a gateway view.
 *
 * @example Usage
 * ```ts ignore
 * const api = createApi(view);
 * Deno.serve({ port: 8080 }, api.fetch);
 * ```
 */
export function createApi(
  view: GatewayView,
  options: ApiOptions = {},
): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) =>
      result.success ? undefined : c.json(validationProblem(result.error), 400),
  });
  let table: ServedRoute[] = [];

  app.use(async (c, next) => {
    await next();
    const route = matchRoute(table, c.req.method, c.req.path);
    view.countRequest(route?.path ?? "other", c.res.status);
  });
  app.use(bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      c.json(
        problem(
          "payload_too_large",
          `the request body is over ${MAX_BODY_BYTES} bytes`,
          { limit: MAX_BODY_BYTES },
        ),
        413,
      ),
  }));

  const guard = [
    requireApiKey(view.apiKey),
    rateLimitByKey(
      new TokenBuckets({
        perMinute: view.apiRateLimit,
        ...(options.clock !== undefined ? { clock: options.clock } : {}),
      }),
    ),
  ];

  app.openapi(indexRoute, (c) =>
    c.json({
      name: "tickgate",
      routes: [...new Set(table.map((r) => r.path))],
    }, 200));

  app.openapi(healthRoute, (c) => {
    const report = view.health();
    return report.status === "unhealthy"
      ? c.json(report, 503)
      : c.json(report, 200);
  });

  app.openapi(liveRoute, (c) => c.json({ status: "alive" as const }, 200));

  app.openapi(statsRoute, (c) => c.json(view.stats(), 200));

  app.openapi(metricsRoute, (c) =>
    c.text(view.metrics(), 200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
    }));

  app.openapi(pairsRoute, (c) => c.json(view.pairs(), 200));

  app.openapi(latestRoute, (c) => {
    const symbols = latestSymbols(c.req.queries("symbols"));
    if (symbols !== undefined && "bad" in symbols) {
      return c.json(symbols.bad, 400);
    }
    const data = view.latest(symbols);
    const found = new Set(data.flatMap((e) => [e.symbol, e.nativeSymbol]));
    const missing = symbols?.filter((s) => !found.has(s.toUpperCase())) ?? [];
    return c.json({ data, missing }, 200);
  });

  app.openapi(secured(balancesRoute, guard), (c) => {
    const { venue } = c.req.valid("query");
    return c.json({ data: view.balances(venue) }, 200);
  });

  registerSubscriptionRoutes(app, view.subscriptions, guard);
  registerDocument(app);
  table = servedRoutes(app);

  app.notFound((c) => {
    const { method, path } = c.req;
    const allowed = allowedAt(table, path);
    if (allowed.length > 0) {
      return c.json(
        problem("method_not_allowed", `${method} is not allowed on ${path}`, {
          allowed,
        }),
        405,
        { allow: allowed.join(", ") },
      );
    }
    return c.json(problem("not_found", `no route for ${method} ${path}`), 404);
  });

  app.onError((err, c) => {
    const { status, body } = thrownProblem(err);
    if (status >= 500) {
      log("api").error("Cannot serve {method} {path}: {error}", {
        method: c.req.method,
        path: c.req.path,
        error: errorText(err),
        stack: err.stack,
      });
    }
    return c.json(body, status);
  });

  return app;
}
