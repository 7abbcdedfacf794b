/**
 * How the PostgreSQL sink reads npm:postgres failures: the SQLSTATE of a
 * server error, which failures are permanent (the data is refused) and
 * which retryable, and error texts scrubbed of the URL and password.
 *
 * @module
 */

import { DeliveryError } from "./types.ts";
import { redactUrl } from "./url.ts";

/** SQLSTATEs meaning the schema or a table is gone: migrate again. */
export const MISSING_OBJECTS = new Set(["3F000", "42P01"]);

/**
 * The SQLSTATE of a server error (an npm:postgres `PostgresError`);
 * `undefined` for anything else, such as a lost connection.
 *
 * @example Usage
 * ```ts
 * sqlState(err); // "23505" for a unique violation
 * ```
 */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && e.name === "PostgresError" &&
      typeof code === "string"
    ? code
    : undefined;
}

/**
 * Classifies an npm:postgres failure: SQLSTATE class 22 (data exception) and
 * class 23 except `23505` are permanent (the data is refused); everything
 * else (connection loss, `57P01`, `40001`, `40P01`, `57014` timeouts,
 * missing tables…) is retryable. `head` names the sink and the table; the
 * SQLSTATE and the server's text (scrubbed) follow. Library connection errors
 * are reduced to their code, since their text carries host and port.
 *
 * @example Usage
 * ```ts
 * const e = postgresDeliveryError(err, 'postgres sink "pg": insert into public.trades failed', (s) => s);
 * e.permanent; // true for SQLSTATE 22P02
 * ```
 */
export function postgresDeliveryError(
  e: unknown,
  head: string,
  scrub: (text: string) => string,
): DeliveryError {
  const code = sqlState(e);
  if (code !== undefined) {
    const cls = code.slice(0, 2);
    const permanent = cls === "22" || (cls === "23" && code !== "23505");
    const column = (e as { column_name?: unknown }).column_name;
    const col = typeof column === "string" ? ` (column ${column})` : "";
    const text = scrub((e as Error).message).slice(0, 300);
    return new DeliveryError(`${head}: SQLSTATE ${code}${col}: ${text}`, {
      permanent,
    });
  }
  const errCode = (e as { code?: unknown } | null)?.code;
  if (typeof errCode === "string" && /^[A-Z0-9_]+$/.test(errCode)) {
    return new DeliveryError(`${head}: connection error ${errCode}`);
  }
  const text = e instanceof Error ? `${e.name}: ${scrub(e.message)}` : "";
  return new DeliveryError(`${head}: ${text.slice(0, 300)}`);
}

/**
 * A scrubber for error texts of the database at `target`: the URL shows
 * redacted and the password (when there is one) as `***`.
 *
 * @example Usage
 * ```ts
 * const scrub = postgresScrubber("postgres://u:pw@db/ticks", "pw");
 * scrub("auth failed for pw"); // "auth failed for ***"
 * ```
 */
export function postgresScrubber(
  target: string,
  password: string,
): (text: string) => string {
  return (text) => {
    const out = text.replaceAll(target, redactUrl(target));
    return password === "" ? out : out.replaceAll(password, "***");
  };
}
