/**
 * The one way tickgate turns a caught value into text for logs, stats and
 * error messages.
 *
 * @module
 */

/**
 * An error's message, or the value as a string when it is not an `Error`.
 *
 * @example Usage
 * ```ts
 * errorText(new Error("broker down")); // "broker down"
 * errorText("refused"); // "refused"
 * ```
 */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
