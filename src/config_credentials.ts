/**
 * API credentials in the configuration: each given directly (`X`) or as a
 * file (`X_FILE`, e.g. a mounted Kubernetes or Docker secret), never both,
 * and key and secret given together. Problems name the variable, never a
 * secret's value.
 *
 * @module
 */

import { z } from "zod";
import { empty } from "./config_fields.ts";

/** An optional file path. */
export const optionalPath = z.preprocess(
  empty,
  z.string().trim().min(1).optional(),
);

/**
 * A credential from its variable or its `_FILE` (trimmed), not both; a
 * problem line goes to `problems` when the file cannot be used.
 *
 * @example Usage
 * ```ts ignore
 * const secret = await credential("BYBIT_API_SECRET", s.BYBIT_API_SECRET, s.BYBIT_API_SECRET_FILE, problems);
 * ```
 */
export async function credential(
  name: string,
  value: string | undefined,
  file: string | undefined,
  problems: string[],
): Promise<string | undefined> {
  if (file === undefined) return value;
  if (value !== undefined) {
    problems.push(`${name}_FILE: ${name} is set too; use one of them`);
    return undefined;
  }
  try {
    const text = (await Deno.readTextFile(file)).trim();
    if (text !== "") return text;
    problems.push(`${name}_FILE: ${file} is empty`);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "file not found"
      : e instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : "cannot be read";
    problems.push(`${name}_FILE: ${file}: ${why}`);
  }
  return undefined;
}

/**
 * Adds a problem when only one of a key and its secret is set.
 *
 * @example Usage
 * ```ts ignore
 * requirePair(["BYBIT_API_KEY", apiKey], ["BYBIT_API_SECRET", apiSecret], "the private stream", problems);
 * ```
 */
export function requirePair(
  [keyName, key]: [string, string | undefined],
  [secretName, secret]: [string, string | undefined],
  needs: string,
  problems: string[],
): void {
  if ((key === undefined) === (secret === undefined)) return;
  const [set, missing] = key === undefined
    ? [secretName, keyName]
    : [keyName, secretName];
  problems.push(
    `${missing}: required when ${set} is set (${needs} needs both, or neither)`,
  );
}
