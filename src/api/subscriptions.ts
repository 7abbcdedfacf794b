/**
 * The subscription routes, `/api/v1/subscriptions`: create, list with
 * filters, get, delete, and delete every subscription of a service. Each is
 * a zod route (validated and documented by the same definition) guarded by
 * the API key and the per-key rate limit; registry refusals become JSON
 * 404/409/400 answers ({@link subscriptionProblem}).
 *
 * @module
 */

import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  SubscriptionError,
  type SubscriptionFilter,
  type SubscriptionService,
} from "../subscriptions/types.ts";
import { problem, subscriptionProblem } from "./errors.ts";
import { errorResponse, jsonResponse, secured } from "./openapi.ts";
import {
  IdParamSchema,
  ServiceParamSchema,
  SubscriptionFilterSchema,
  SubscriptionListSchema,
  SubscriptionRequestSchema,
  SubscriptionSchema,
  toSubscriptionRequest,
} from "./schemas.ts";
import { z } from "@hono/zod-openapi";

/** Where the subscription routes live. */
export const SUBSCRIPTIONS_PATH = "/api/v1/subscriptions";

const tags = ["subscriptions"];

const listRoute = createRoute({
  method: "get",
  path: SUBSCRIPTIONS_PATH,
  tags,
  summary: "Subscriptions matching every given filter, oldest first",
  request: { query: SubscriptionFilterSchema },
  responses: {
    200: jsonResponse(SubscriptionListSchema, "The matching subscriptions"),
    400: errorResponse("A filter is not valid"),
  },
});

const createSubscriptionRoute = createRoute({
  method: "post",
  path: SUBSCRIPTIONS_PATH,
  tags,
  summary: "Subscribe a service to a venue channel",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: SubscriptionRequestSchema } },
    },
  },
  responses: {
    201: {
      ...jsonResponse(SubscriptionSchema, "The new subscription"),
      headers: z.object({
        Location: z.string().openapi({ description: "Its URL" }),
      }),
    },
    400: errorResponse("Malformed JSON or invalid fields (each one named)"),
    404: errorResponse("Unknown venue or channel"),
    409: errorResponse("The service already holds this subscription"),
    413: errorResponse("Body over 64 KiB"),
  },
});

const removeByServiceRoute = createRoute({
  method: "delete",
  path: `${SUBSCRIPTIONS_PATH}/by-service/{service}`,
  tags,
  summary: "Remove every API subscription of a service",
  request: { params: ServiceParamSchema },
  responses: {
    200: jsonResponse(
      SubscriptionListSchema,
      "The removed subscriptions (maybe none)",
    ),
    400: errorResponse("Not a service name"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: `${SUBSCRIPTIONS_PATH}/{id}`,
  tags,
  summary: "One subscription",
  request: { params: IdParamSchema },
  responses: {
    200: jsonResponse(SubscriptionSchema, "The subscription"),
    400: errorResponse("Not a subscription id"),
    404: errorResponse("No such subscription"),
  },
});

const removeRoute = createRoute({
  method: "delete",
  path: `${SUBSCRIPTIONS_PATH}/{id}`,
  tags,
  summary: "Remove an API subscription",
  request: { params: IdParamSchema },
  responses: {
    200: jsonResponse(SubscriptionSchema, "The removed subscription"),
    400: errorResponse("Not a subscription id"),
    404: errorResponse("No such subscription"),
    409: errorResponse("A subscription from configuration is read-only"),
  },
});

/**
 * `application/json` (or `+json`), parameters allowed: the same media types
 * zod-openapi's own gate admits, so a body passing here is never a 415.
 */
const JSON_TYPE =
  /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** 400 unless the request says its body is JSON. */
const requireJsonBody: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("content-type");
  if (type === undefined || !JSON_TYPE.test(type)) {
    return c.json(
      problem(
        "bad_request",
        "the body must be JSON with Content-Type: application/json",
        { field: "body" },
      ),
      400,
    );
  }
  return await next();
};

/** The filter without absent members. */
function toFilter(
  query: z.output<typeof SubscriptionFilterSchema>,
): SubscriptionFilter {
  const filter: SubscriptionFilter = {};
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) Object.assign(filter, { [key]: value });
  }
  return filter;
}

/**
 * Registers the subscription routes on `app`, each behind `guard` (API key,
 * then rate limit). `by-service` is registered before `{id}`.
 *
 * @example Usage
 * ```ts ignore
 * registerSubscriptionRoutes(app, view.subscriptions, [requireApiKey(key), limit]);
 * ```
 */
export function registerSubscriptionRoutes(
  app: OpenAPIHono,
  registry: SubscriptionService,
  guard: readonly MiddlewareHandler[],
): void {
  const refused = (e: unknown, venue?: string) => {
    if (!(e instanceof SubscriptionError)) throw e;
    return subscriptionProblem(e, registry.catalog(), venue);
  };

  app.openapi(secured(listRoute, guard), (c) => {
    const data = registry.list(toFilter(c.req.valid("query")));
    return c.json({ data, count: data.length }, 200);
  });

  app.openapi(
    secured(createSubscriptionRoute, guard, [requireJsonBody]),
    (c) => {
      const request = toSubscriptionRequest(c.req.valid("json"));
      try {
        const created = registry.create(request);
        return c.json(created, 201, {
          location: `${SUBSCRIPTIONS_PATH}/${encodeURIComponent(created.id)}`,
        });
      } catch (e) {
        const { status, body } = refused(e, request.venue);
        return c.json(body, status);
      }
    },
  );

  app.openapi(secured(removeByServiceRoute, guard), (c) => {
    const data = registry.removeByService(c.req.valid("param").service);
    return c.json({ data, count: data.length }, 200);
  });

  app.openapi(secured(getRoute, guard), (c) => {
    const { id } = c.req.valid("param");
    const found = registry.get(id);
    if (found === undefined) {
      return c.json(problem("not_found", `no subscription ${id}`), 404);
    }
    return c.json(found, 200);
  });

  app.openapi(secured(removeRoute, guard), (c) => {
    try {
      return c.json(registry.remove(c.req.valid("param").id), 200);
    } catch (e) {
      const { status, body } = refused(e);
      return c.json(body, status);
    }
  });
}
