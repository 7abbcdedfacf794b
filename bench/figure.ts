/**
 * What every benchmark reports: a median of several runs, its spread, and
 * what it is compared with, measured in the same process run (ratios hold on
 * a noisy machine when absolute figures do not).
 *
 * @module
 */

/** One measured figure: the median of per-run values and its ratio to a ceiling. */
export interface Figure {
  name: string;
  /** e.g. `frames/s`, `events/s`, `ms`, `MB`. */
  unit: string;
  median: number;
  min: number;
  max: number;
  /** What the figure is compared with, measured in the same run. */
  ceilingName: string;
  ceiling: number;
  /** `median / ceiling` (for rates: the share of the ceiling reached). */
  ratio: number;
  /** The ratio to reach, for rates. */
  target?: number;
  /** An upper bound on `median`, in `unit`, for latency, memory and startup. */
  targetMax?: number;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
