/**
 * What every benchmark reports: a median of several runs, its spread, and
 * what it is compared with, measured in the same process run (ratios hold on
 * a noisy machine when absolute figures do not).
 *
 * @module
 */

/** One measured figure: medians of per-run rates and the ratio to the floor. */
export interface Figure {
  name: string;

  unit: string;
  median: number;
  min: number;
  max: number;
  /** What the figure is compared with, measured in the same run. */
  ceilingName: string;
  ceiling: number;
  ratio: number;
  target?: number;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
