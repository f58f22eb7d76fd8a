/**
 * A fixed-resolution latency histogram: 10 µs buckets up to 200 ms, the last
 * bucket holding everything slower. Fixed buckets merge across processes by
 * adding counts, which percentiles of raw samples would not.
 */
const BUCKET_US = 10;
const BUCKETS = 20_000;

export function newHistogram(): number[] {
  return new Array<number>(BUCKETS + 1).fill(0);
}

export function record(histogram: number[], ms: number): void {
  const bucket = Math.max(0, Math.min(BUCKETS, Math.floor((ms * 1000) / BUCKET_US)));
  histogram[bucket] = (histogram[bucket] ?? 0) + 1;
}

export function merge(into: number[], from: number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** The `q` quantile in ms (bucket midpoint), NaN when empty. */
export function quantileMs(histogram: number[], q: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank && seen > 0) return ((i + 0.5) * BUCKET_US) / 1000;
  }
  return ((BUCKETS + 0.5) * BUCKET_US) / 1000;
}
