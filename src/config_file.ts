/**
 * The optional JSON config file (`--config FILE` or `TICKGATE_CONFIG`): an
 * object of the same setting names as the environment, values as strings,
 * numbers, booleans or arrays.
 *
 * @module
 */

import { ConfigError } from "./config_fields.ts";

/**
 * Reads `path` as settings; unknown names and unreadable or non-object files
 * are {@link ConfigError}s. Arrays become comma-separated lists (`SINKS`
 * keeps its items).
 *
 * @example Usage
 * ```ts ignore
 * const settings = await readConfigFile("tickgate.json", ["PORT", "SINKS"]);
 * ```
 */
export async function readConfigFile(
  path: string,
  keys: readonly string[],
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "file not found"
      : String(e);
    throw new ConfigError([
      `TICKGATE_CONFIG / --config: cannot read "${path}": ${why}`,
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([
      `TICKGATE_CONFIG / --config: "${path}" is not valid JSON: ${
        (e as Error).message
      }`,
    ]);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError([
      `TICKGATE_CONFIG / --config: "${path}" must hold a JSON object of settings`,
    ]);
  }
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!keys.includes(key)) {
      problems.push(`${key} (in ${path}): unknown setting`);
    } else if (Array.isArray(value)) {
      out[key] = key === "SINKS" ? value.map(String) : value.join(",");
    } else if (typeof value === "number" || typeof value === "boolean") {
      out[key] = String(value);
    } else {
      out[key] = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
