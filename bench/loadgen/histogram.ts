/**
 * A latency histogram with logarithmic buckets (1% wide, from 10 µs to
 * beyond a minute): fixed buckets merge across processes by adding counts,
 * which percentiles of raw samples would not.
 */
const MIN_MS = 0.01;
const GROWTH = Math.log(1.01);
const BUCKETS = 1700;

export function newHistogram(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

export function record(histogram: number[], ms: number): void {
  const bucket =
    ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(ms / MIN_MS) / GROWTH));
  histogram[bucket] = (histogram[bucket] ?? 0) + 1;
}

export function merge(into: number[], from: number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}

/** The `q` quantile in ms (the bucket's geometric middle), NaN when empty. */
export function quantileMs(histogram: number[], q: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank && seen > 0) return MIN_MS * Math.exp((i + 0.5) * GROWTH);
  }
  return Number.NaN;
}
