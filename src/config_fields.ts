/**
 * Field types of the configuration schema: every setting arrives as a
 * string (environment) or a JSON value (config file) and is checked with an
 * error message that says what was expected.
 *
 * @module
 */

import { z } from "zod";

/** `undefined` for blank strings, so blank settings take their default. */
export const empty = (v: unknown): unknown =>
  typeof v === "string" && v.trim() === "" ? undefined : v;

/** An integer in `[min, max]`. */
export function int(min: number, max: number, dflt: number) {
  return z.preprocess(
    (v) => {
      const e = empty(v);
      return typeof e === "string" && /^\s*-?\d+\s*$/.test(e) ? Number(e) : e;
    },
    z.number({ error: `expected an integer between ${min} and ${max}` })
      .int(`expected an integer between ${min} and ${max}`)
      .min(min, `expected an integer between ${min} and ${max}`)
      .max(max, `expected an integer between ${min} and ${max}`)
      .default(dflt),
  );
}

/** A comma-separated list, optionally restricted to `allowed` and upper-cased. */
export function list<T extends string>(
  allowed: readonly T[] | undefined,
  dflt: readonly string[],
  upper = false,
) {
  return z.preprocess(
    (v) => {
      const e = empty(v);
      if (typeof e !== "string") return e;
      return e.split(",").map((s) => s.trim()).filter((s) => s !== "");
    },
    z.array(z.string().transform((s) => upper ? s.toUpperCase() : s))
      .min(1, "expected a non-empty comma-separated list")
      .superRefine((items, ctx) => {
        if (allowed === undefined) return;
        for (const item of items) {
          if (!(allowed as readonly string[]).includes(item)) {
            ctx.addIssue({
              code: "custom",
              message: `unknown value "${item}"; expected any of ${
                allowed.join(", ")
              }`,
            });
          }
        }
      })
      .default([...dflt]),
  );
}

/** One of `values` (case-insensitive). */
export function oneOf<T extends string>(values: readonly [T, ...T[]], dflt: T) {
  return z.preprocess(
    (v) => (typeof v === "string" ? empty(v.trim().toLowerCase()) : v),
    z.enum(values, { error: `expected one of ${values.join(", ")}` }).default(
      dflt,
    ),
  );
}

const WS_URL = z.string().regex(
  /^wss?:\/\/[^\s]+$/,
  "expected a ws:// or wss:// URL",
);

const HTTP_URL = z.string().regex(
  /^https?:\/\/[^\s]+$/,
  "expected an http:// or https:// URL",
).transform((u) => u.replace(/\/+$/, ""));

/** A `ws://` or `wss://` URL. */
export function wsUrl(dflt: string) {
  return z.preprocess(empty, WS_URL.default(dflt));
}

/** A `ws://` or `wss://` URL, or unset. */
export const optionalWsUrl = z.preprocess(empty, WS_URL.optional());

/** An optional secret string. */
export const secret = z.preprocess(empty, z.string().min(1).optional());

/** An `http://` or `https://` base URL, without a trailing slash. */
export function httpUrl(dflt: string) {
  return z.preprocess(empty, HTTP_URL.default(dflt));
}

/** An `http://` or `https://` base URL without a trailing slash, or unset. */
export const optionalHttpUrl = z.preprocess(empty, HTTP_URL.optional());

/** A setting has a bad value; `exit code 2` territory. */
export class ConfigError extends Error {
  /**
   * @param problems one line per bad setting, each naming the variable
   */
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** A boolean: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`. */
export function flag(dflt: boolean) {
  return z.preprocess(
    (v) => {
      const e = empty(v);
      if (typeof e !== "string") return e;
      const t = e.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(t)) return true;
      if (["false", "0", "no", "off"].includes(t)) return false;
      return e;
    },
    z.boolean({ error: "expected true or false" }).default(dflt),
  );
}
