/**
 * The API's JSON error bodies: `{error, message, …}` with a short machine
 * code in `error`. Validation failures name every bad field
 * (`fields: [{field: "symbols.2", message}]`, plus `field`, the first one);
 * registry refusals ({@link SubscriptionError}) map to 404, 409 or 400;
 * Hono's HTTP exceptions (malformed JSON, 413) keep their status. Nothing
 * here ever carries a stack trace.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type {
  SubscriptionError,
  SubscriptionErrorCode,
} from "../subscriptions/types.ts";

/** One bad request field: its dotted path (`symbols.2`) and what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A JSON error body. */
export interface Problem {
  error: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * A JSON error body: `error` (a code like `bad_request`), `message` (a
 * sentence) and any extra members.
 *
 * @example Usage
 * ```ts
 * problem("not_found", "no route for GET /x"); // { error: "not_found", message: "no route for GET /x" }
 * ```
 */
export function problem(
  error: string,
  message: string,
  extra?: Record<string, unknown>,
): Problem {
  return { error, message, ...extra };
}

/** The field name of a zod issue path (`["symbols", 2]` → `symbols.2`; the root is `body`). */
function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "body" : path.map(String).join(".");
}

/**
 * Every bad field of a zod error, one entry per unknown key of a strict
 * object, in issue order, each field named once.
 *
 * @example Usage
 * ```ts
 * import { z } from "zod";
 * const r = z.strictObject({ a: z.string() }).safeParse({ a: 1, b: 2 });
 * if (!r.success) fieldProblems(r.error); // [{ field: "a", … }, { field: "b", message: "unknown field" }]
 * ```
 */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  const out: FieldProblem[] = [];
  const seen = new Set<string>();
  const add = (field: string, message: string) => {
    if (seen.has(field)) return;
    seen.add(field);
    out.push({ field, message });
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        add(fieldName([...issue.path, key]), "unknown field");
      }
    } else {
      add(fieldName(issue.path), issue.message);
    }
  }
  return out;
}

/**
 * The 400 body of a validation failure: `{error: "bad_request", message,
 * field, fields}`, naming each bad field.
 *
 * @example Usage
 * ```ts ignore
 * return c.json(validationProblem(result.error), 400);
 * ```
 */
export function validationProblem(error: z.ZodError): Problem {
  const fields = fieldProblems(error);
  const names = fields.map((f) => f.field);
  return problem(
    "bad_request",
    `invalid request: ${names.slice(0, 10).join(", ")}${
      names.length > 10 ? ", …" : ""
    }`,
    { field: names[0], fields },
  );
}

/** HTTP status of each {@link SubscriptionErrorCode}. */
const SUBSCRIPTION_STATUS: Record<SubscriptionErrorCode, 400 | 404 | 409> = {
  unknown_venue: 404,
  unknown_channel: 404,
  not_found: 404,
  conflict: 409,
  read_only: 409,
  invalid: 400,
};

/**
 * The status and body of a refused registry operation: 404 for
 * `unknown_venue`, `unknown_channel` and `not_found` (the first two list the
 * `known` names), 409 for `conflict` (with the `existing` subscription) and
 * `read_only`, 400 for `invalid` (naming the field).
 *
 * @example Usage
 * ```ts ignore
 * const { status, body } = subscriptionProblem(e, registry.catalog(), request.venue);
 * return c.json(body, status);
 * ```
 */
export function subscriptionProblem(
  e: SubscriptionError,
  catalog: Record<string, readonly string[]>,
  venue?: string,
): { status: 400 | 404 | 409; body: Problem } {
  const status = SUBSCRIPTION_STATUS[e.code];
  const extra: Record<string, unknown> = {};
  if (e.field !== undefined) extra.field = e.field;
  if (e.code === "invalid") {
    extra.fields = [{ field: e.field ?? "body", message: e.message }];
    return { status, body: problem("bad_request", e.message, extra) };
  }
  if (e.code === "unknown_venue") extra.known = Object.keys(catalog);
  if (e.code === "unknown_channel" && venue !== undefined) {
    extra.known = [...(catalog[venue] ?? [])];
  }
  if (e.code === "conflict" && e.existing !== undefined) {
    extra.existing = e.existing;
  }
  return { status, body: problem(e.code, e.message, extra) };
}

/** Error codes of the 4xx statuses Hono's exceptions carry. */
const HTTP_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
};

/**
 * The status and body for an error thrown while serving: a client error
 * from a Hono {@link HTTPException} (e.g. malformed JSON) keeps its status
 * and message; anything else is a generic 500 that reveals nothing.
 *
 * @example Usage
 * ```ts ignore
 * app.onError((err, c) => { const { status, body } = thrownProblem(err); return c.json(body, status); });
 * ```
 */
export function thrownProblem(
  err: unknown,
): { status: ContentfulStatusCode; body: Problem } {
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    return {
      status,
      body: problem(
        HTTP_CODES[status] ?? `http_${status}`,
        err.message || "the request was refused",
      ),
    };
  }
  return {
    status: 500,
    body: problem("internal_error", "the request could not be served"),
  };
}
