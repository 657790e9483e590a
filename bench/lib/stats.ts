// Summary statistics of repeated measurements. Percentiles use the
// nearest-rank method, so every reported figure is a value that was observed.

/** Median, 95th percentile and spread of a set of samples, in the samples' unit. */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** Returns the nearest-rank percentile `p` (0 to 100) of `samples`; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Returns the median of `samples` (the mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Summarises `samples`; every field is NaN when there are none. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) {
    return { count: 0, p50: Number.NaN, p95: Number.NaN, min: Number.NaN, max: Number.NaN, mean: Number.NaN };
  }
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of samples) {
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { count: samples.length, p50: median(samples), p95: percentile(samples, 95), min, max, mean: sum / samples.length };
}

/** Returns `numerator / denominator` rounded to 2 decimals, or NaN when either side is missing or zero. */
export function ratio(numerator: number | undefined, denominator: number | undefined): number {
  if (numerator === undefined || denominator === undefined || !Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) {
    return Number.NaN;
  }
  return round(numerator / denominator, 2);
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
