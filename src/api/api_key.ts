/**
 * The `X-API-Key` guard of the `/api/v1` routes that need one: compared in
 * constant time (both sides hashed first, so neither length nor prefix
 * leaks); with no `API_KEY` configured those routes answer 503, disabled
 * rather than open.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { sameSecret } from "../core/same_secret.ts";

/**
 * Middleware requiring header `X-API-Key` to equal `apiKey`: 401 when it is
 * missing or wrong, 503 when no key is configured; JSON bodies.
 *
 * @example Usage
 * ```ts ignore
 * app.get("/api/v1/balances", requireApiKey(config.apiKey), handler);
 * ```
 */
export function requireApiKey(apiKey: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (apiKey === undefined) {
      return c.json({
        error: "disabled",
        message:
          "this route needs an API key and none is configured: set API_KEY to enable it",
      }, 503);
    }
    const given = c.req.header("x-api-key");
    if (given === undefined || !sameSecret(given, apiKey)) {
      return c.json({
        error: "unauthorized",
        message: given === undefined
          ? "the X-API-Key header is required"
          : "the X-API-Key header is wrong",
      }, 401);
    }
    return await next();
  };
}
