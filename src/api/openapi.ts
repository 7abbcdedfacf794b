/**
 * One source of truth for the API's routes: the OpenAPI 3.1 document is
 * generated from the zod route definitions (`GET /openapi.json`); a guarded
 * route gets its `X-API-Key` middleware and its documented security (and
 * 401/429/503 answers) from the same call, {@link secured}; and the table
 * of served routes behind 404/405 answers, `/` and the metrics labels is
 * read back from the routes the app registered, not written by hand.
 *
 * @module
 */

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { RouteConfig } from "@hono/zod-openapi";
import type { Hono, MiddlewareHandler } from "hono";
import { VERSION } from "../version.ts";
import { ErrorSchema, LooseObjectSchema } from "./schemas.ts";

/** Name of the `X-API-Key` security scheme in the document. */
export const API_KEY_SCHEME = "ApiKey";

/**
 * A JSON response of the document: `schema` under `application/json`.
 *
 * @example Usage
 * ```ts ignore
 * createRoute({ …, responses: { 200: jsonResponse(PairsSchema, "Pairs") } });
 * ```
 */
export function jsonResponse<S>(schema: S, description: string): {
  description: string;
  content: { "application/json": { schema: S } };
} {
  return { description, content: { "application/json": { schema } } };
}

/**
 * A JSON error response of the document.
 *
 * @example Usage
 * ```ts ignore
 * createRoute({ …, responses: { 404: errorResponse("No such subscription") } });
 * ```
 */
export function errorResponse(description: string): {
  description: string;
  content: { "application/json": { schema: typeof ErrorSchema } };
} {
  return jsonResponse(ErrorSchema, description);
}

/**
 * `route` guarded by `guard` (API key, then rate limit) and documented so:
 * security `X-API-Key` plus its 401, 429 and 503 answers. `extra`
 * middleware runs after the guard.
 *
 * @example Usage
 * ```ts ignore
 * app.openapi(secured(listRoute, guard), handler);
 * ```
 */
export function secured<R extends RouteConfig>(
  route: R,
  guard: readonly MiddlewareHandler[],
  extra: readonly MiddlewareHandler[] = [],
): R & { middleware: MiddlewareHandler[] } {
  return {
    ...route,
    security: [{ [API_KEY_SCHEME]: [] }],
    middleware: [...guard, ...extra],
    responses: {
      ...route.responses,
      401: errorResponse("X-API-Key missing or wrong"),
      429: {
        ...errorResponse("Rate limit of this API key exceeded"),
        headers: z.object({
          "Retry-After": z.string().openapi({ description: "Seconds to wait" }),
        }),
      },
      503: errorResponse("No API key configured: the route is disabled"),
    },
  };
}

/** `GET /openapi.json`, documented like every other route. */
const documentRoute = createRoute({
  method: "get",
  path: "/openapi.json",
  summary: "This OpenAPI 3.1 document",
  responses: {
    200: {
      description: "The document",
      content: { "application/json": { schema: LooseObjectSchema } },
    },
  },
});

/**
 * The app's OpenAPI 3.1 document, from its registered zod routes.
 *
 * @example Usage
 * ```ts ignore
 * openApiDocument(createApi(view)).paths;
 * ```
 */
export function openApiDocument(app: OpenAPIHono): Record<string, unknown> {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "tickgate",
      version: VERSION,
      description:
        "Market-data gateway: health, stats, latest state, balances and the subscription registry",
    },
  }) as unknown as Record<string, unknown>;
}

/**
 * Registers the `X-API-Key` security scheme and `GET /openapi.json` (the
 * document is built once, on first request, after every route is there).
 *
 * @example Usage
 * ```ts ignore
 * registerDocument(app);
 * ```
 */
export function registerDocument(app: OpenAPIHono): void {
  app.openAPIRegistry.registerComponent("securitySchemes", API_KEY_SCHEME, {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
  });
  let cached: Record<string, unknown> | undefined;
  app.openapi(
    documentRoute,
    (c) => c.json(cached ??= openApiDocument(app), 200),
  );
}

/** One served path (OpenAPI notation, `{id}`) and its methods. */
export interface ServedRoute {
  path: string;
  /** Upper case, as registered (HEAD is implied by GET). */
  methods: string[];
  pattern: RegExp;
}

/** `/a/:id` → `/a/{id}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function pathPattern(honoPath: string): RegExp {
  const source = honoPath.split("/").map((segment) =>
    segment.startsWith(":")
      ? "[^/]+"
      : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("/");
  return new RegExp(`^${source}$`);
}

/**
 * The routes `app` serves, in registration order, read from its router
 * (middleware, registered for every method, is left out).
 *
 * @example Usage
 * ```ts ignore
 * servedRoutes(createApi(view)).map((r) => r.path); // ["/", "/health", …]
 * ```
 */
export function servedRoutes(
  app: Pick<Hono, "routes">,
): ServedRoute[] {
  const byPath = new Map<string, ServedRoute>();
  for (const { method, path } of app.routes) {
    if (method === "ALL") continue;
    let route = byPath.get(path);
    if (route === undefined) {
      route = {
        path: openApiPath(path),
        methods: [],
        pattern: pathPattern(path),
      };
      byPath.set(path, route);
    }
    if (!route.methods.includes(method)) route.methods.push(method);
  }
  return [...byPath.values()];
}

/**
 * The methods allowed on `path` by every route matching it, HEAD included
 * wherever GET is; empty when no route matches (a 404, not a 405).
 *
 * @example Usage
 * ```ts ignore
 * allowedAt(table, "/health"); // ["GET", "HEAD"]
 * ```
 */
export function allowedAt(
  table: readonly ServedRoute[],
  path: string,
): string[] {
  const methods: string[] = [];
  for (const route of table) {
    if (!route.pattern.test(path)) continue;
    for (const m of route.methods) {
      if (!methods.includes(m)) methods.push(m);
      if (m === "GET" && !methods.includes("HEAD")) methods.push("HEAD");
    }
  }
  return methods;
}

/**
 * The served route matching `path`, preferring one that answers `method`.
 *
 * @example Usage
 * ```ts ignore
 * matchRoute(table, "DELETE", "/api/v1/subscriptions/s-1")?.path; // "/api/v1/subscriptions/{id}"
 * ```
 */
export function matchRoute(
  table: readonly ServedRoute[],
  method: string,
  path: string,
): ServedRoute | undefined {
  const matches = table.filter((r) => r.pattern.test(path));
  const wanted = method === "HEAD" ? "GET" : method;
  return matches.find((r) => r.methods.includes(wanted)) ?? matches[0];
}
