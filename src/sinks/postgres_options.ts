/**
 * The PostgreSQL sink's URL options: `postgres://user:password@host:port/database`
 * with the `schema=` its tables live in.
 *
 * @module
 */

import { schemaNameProblem } from "./postgres_migrations.ts";
import { redactUrl, type SinkSpec, SinkUrlError } from "./url.ts";

/**
 * Checks a PostgreSQL sink URL (a host, one database name) and its
 * `schema=` option; returns the schema (default `public`). Throws
 * {@link SinkUrlError} naming the problem.
 *
 * @example Usage
 * ```ts
 * postgresSinkSchema(parseSinkUrl("postgres://u@db/ticks?schema=market", 1)); // "market"
 * ```
 */
export function postgresSinkSchema(spec: SinkSpec): string {
  const shown = redactUrl(spec.url);
  let url: URL;
  try {
    url = new URL(spec.target);
  } catch {
    throw new SinkUrlError(
      shown,
      "expected postgres://user:password@host:port/database",
    );
  }
  if (url.hostname === "") {
    throw new SinkUrlError(shown, "a host is required (postgres://host/db)");
  }
  if (/\/./.test(url.pathname.slice(1))) {
    throw new SinkUrlError(shown, "the path must be one database name");
  }
  const schema = spec.options.schema ?? "public";
  const problem = schemaNameProblem(schema);
  if (problem !== undefined) {
    throw new SinkUrlError(shown, `option "schema" ${problem}`);
  }
  return schema;
}

/**
 * Checks the sink URL's PostgreSQL options; throws `SinkUrlError`.
 *
 * @example Usage
 * ```ts
 * validatePostgresOptions(parseSinkUrl("postgres://u@db/ticks?schema=1x", 1)); // throws
 * ```
 */
export function validatePostgresOptions(spec: SinkSpec): void {
  postgresSinkSchema(spec);
}
