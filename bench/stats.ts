/** Latency statistics for the benchmarks. Pure. */

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Returns the p-th percentile (0–100) of the values by the nearest-rank method: the smallest value with
 * at least p% of the values at or below it, so it is always one of the values. Undefined when empty.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Returns count, min, p50, p99, max and mean of the values, or undefined when there are none. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  return {
    count: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50)!,
    p99: percentile(values, 99)!,
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}
