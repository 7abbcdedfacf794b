/**
 * The Hono application: health, stats, metrics, pairs and latest state.
 * Every error is JSON; unknown routes are 404, known routes with the wrong
 * method are 405 with an `Allow` header; no stack trace ever leaves.
 *
 * @module
 */

import { Hono } from "hono";
import { log } from "../logging.ts";
import { requireApiKey } from "./api_key.ts";
import type { GatewayView } from "./types.ts";

/** Routes and the methods they allow (for 405 answers). */
const ROUTES: Record<string, readonly string[]> = {
  "/": ["GET", "HEAD"],
  "/health": ["GET", "HEAD"],
  "/stats": ["GET", "HEAD"],
  "/metrics": ["GET", "HEAD"],
  "/pairs": ["GET", "HEAD"],
  "/api/v1/latest": ["GET", "HEAD"],
  "/api/v1/balances": ["GET", "HEAD"],
};

const SYMBOL_RE = /^[A-Za-z0-9._:/-]{1,40}$/;
const MAX_SYMBOLS = 500;

/** A JSON error body. */
function problem(error: string, message: string, extra?: object) {
  return { error, message, ...extra };
}

/**
 * Builds the HTTP API over a gateway view.
 *
 * @example Usage
 * ```ts
 * const api = createApi(view);
 * Deno.serve({ port: 8080 }, api.fetch);
 * ```
 */
export function createApi(view: GatewayView): Hono {
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    const path = c.req.path;
    view.countRequest(path in ROUTES ? path : "other", c.res.status);
  });

  app.get("/", (c) =>
    c.json({
      name: "tickgate",
      routes: Object.keys(ROUTES),
    }));

  app.get("/health", (c) => {
    const report = view.health();
    return c.json(report, report.status === "unhealthy" ? 503 : 200);
  });

  app.get("/stats", (c) => c.json(view.stats()));

  app.get("/metrics", (c) =>
    c.body(view.metrics(), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }));

  app.get("/pairs", (c) => c.json(view.pairs()));

  app.get("/api/v1/latest", (c) => {
    const raw = c.req.queries("symbols");
    let symbols: string[] | undefined;
    if (raw !== undefined) {
      symbols = raw.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(
        (s) => s !== "",
      );
      const bad = symbols.filter((s) => !SYMBOL_RE.test(s));
      if (bad.length > 0) {
        return c.json(
          problem(
            "bad_request",
            "symbols must be a comma-separated list of symbols like BTC-USD",
            { field: "symbols", invalid: bad.slice(0, 10) },
          ),
          400,
        );
      }
      if (symbols.length > MAX_SYMBOLS) {
        return c.json(
          problem("bad_request", `at most ${MAX_SYMBOLS} symbols per request`, {
            field: "symbols",
          }),
          400,
        );
      }
      if (symbols.length === 0) symbols = undefined;
    }
    const data = view.latest(symbols);
    const found = new Set(data.flatMap((e) => [e.symbol, e.nativeSymbol]));
    const missing = symbols?.filter((s) => !found.has(s.toUpperCase())) ?? [];
    return c.json({ data, missing });
  });

  app.get("/api/v1/balances", requireApiKey(view.apiKey), (c) => {
    const venue = c.req.query("venue");
    if (venue !== undefined && !/^[a-z-]{1,40}$/.test(venue)) {
      return c.json(
        problem("bad_request", "venue must be a venue name like bybit", {
          field: "venue",
        }),
        400,
      );
    }
    return c.json({ data: view.balances(venue) });
  });

  app.notFound((c) => {
    const allowed = ROUTES[c.req.path];
    if (allowed !== undefined) {
      return c.json(
        problem(
          "method_not_allowed",
          `${c.req.method} is not allowed on ${c.req.path}`,
          { allowed },
        ),
        405,
        { allow: allowed.join(", ") },
      );
    }
    return c.json(
      problem("not_found", `no route for ${c.req.method} ${c.req.path}`),
      404,
    );
  });

  app.onError((err, c) => {
    log("api").error("Cannot serve {method} {path}: {error}", {
      method: c.req.method,
      path: c.req.path,
      error: err.message,
    });
    return c.json(
      problem("internal_error", "the request could not be served"),
      500,
    );
  });

  return app;
}
