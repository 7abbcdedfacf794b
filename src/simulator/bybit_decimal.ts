/**
 * Exact decimals for the Bybit simulator, without floating point: market
 * prices and sizes are integer units (`"16493.50"` = 1649350 units at 2
 * decimals), account amounts are BigInt units of 10⁻⁸ ({@link Amount}).
 *
 * @module
 */

/** Thrown for a string that is not a plain non-negative decimal, or has too many decimals. */
export class BybitDecimalError extends Error {
  /** The rejected input. */
  readonly input: string;

  constructor(input: string, reason: string) {
    super(`${reason}: ${JSON.stringify(input)}`);
    this.name = "BybitDecimalError";
    this.input = input;
  }
}

/** An account amount in units of 10⁻⁸ (8 decimals, exact). */
export type Amount = bigint;

/** Decimals of an {@link Amount}. */
export const AMOUNT_DECIMALS = 8;
const AMOUNT_SCALE = 10n ** 8n;
const PLAIN = /^\d+(?:\.\d+)?$/;

/**
 * Renders `units × 10^-decimals` with exactly `decimals` fraction digits.
 *
 * @example Usage
 * ```ts
 * fixed(1649350, 2); // "16493.50"
 * fixed(-5n, 3); // "-0.005"
 * ```
 */
export function fixed(units: number | bigint, decimals: number): string {
  const n = BigInt(units);
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(decimals + 1, "0");
  const cut = digits.length - decimals;
  const text = decimals === 0
    ? digits
    : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return neg ? `-${text}` : text;
}

/**
 * Drops trailing fraction zeros (and a bare point): `"20575.00"` → `"20575"`.
 *
 * @example Usage
 * ```ts
 * trim("0.0100"); // "0.01"
 * trim("-0.000"); // "0"
 * ```
 */
export function trim(text: string): string {
  if (!text.includes(".")) return text === "-0" ? "0" : text;
  const out = text.replace(/0+$/, "").replace(/\.$/, "");
  return /^-0$/.test(out) ? "0" : out;
}

/** `units × 10^-decimals`, trailing zeros trimmed. */
export function trimmed(units: number | bigint, decimals: number): string {
  return trim(fixed(units, decimals));
}

/**
 * Parses a plain non-negative decimal string into integer units with
 * `decimals` implied decimals.
 *
 * @throws {BybitDecimalError} when malformed or with more than `decimals` fraction digits
 */
export function parseUnits(text: string, decimals: number): bigint {
  if (!PLAIN.test(text)) {
    throw new BybitDecimalError(text, "not a plain non-negative decimal");
  }
  const [int = "0", frac = ""] = text.split(".");
  if (frac.replace(/0+$/, "").length > decimals) {
    throw new BybitDecimalError(text, `more than ${decimals} decimals`);
  }
  return BigInt(int + frac.padEnd(decimals, "0").slice(0, decimals));
}

/** Converts `units × 10^-decimals` to an {@link Amount} (truncating beyond 8 decimals). */
export function toAmount(units: number | bigint, decimals: number): Amount {
  const n = BigInt(units);
  return decimals <= AMOUNT_DECIMALS
    ? n * 10n ** BigInt(AMOUNT_DECIMALS - decimals)
    : n / 10n ** BigInt(decimals - AMOUNT_DECIMALS);
}

/** `a × b`, both amounts, truncated toward zero to 8 decimals. */
export function mulAmount(a: Amount, b: Amount): Amount {
  return (a * b) / AMOUNT_SCALE;
}

/** `a ÷ b`, both amounts, truncated toward zero to 8 decimals; 0 when `b` is 0. */
export function divAmount(a: Amount, b: Amount): Amount {
  return b === 0n ? 0n : (a * AMOUNT_SCALE) / b;
}

/** An amount as a trimmed decimal string (`"100000"`, `"0.0012"`). */
export function formatAmount(a: Amount): string {
  return trimmed(a, AMOUNT_DECIMALS);
}

/** Parses a decimal string (at most 8 decimals) to an {@link Amount}. */
export function parseAmount(text: string): Amount {
  return parseUnits(text, AMOUNT_DECIMALS);
}

/** `num / den` rounded half away from zero to an integer (exact, BigInt). */
export function divRound(num: bigint, den: bigint): bigint {
  if (den === 0n) return 0n;
  const neg = (num < 0n) !== (den < 0n);
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  const q = (2n * n + d) / (2n * d);
  return neg ? -q : q;
}
