/**
 * The hostile-input battery runs in two profiles: the fast one inside
 * `npm test`, the long one through `npm run torture` (PLENUM_TORTURE=1).
 * Figures are printed as `FIGURE <name>: <value>` lines so that a run's
 * output can be copied into docs/SECURITY.md.
 */
export const TORTURE = process.env.PLENUM_TORTURE === "1";

/** `fast` in `npm test`, `long` in `npm run torture`. */
export function profile<T>(fast: T, long: T): T {
  return TORTURE ? long : fast;
}

export function figure(name: string, value: string | number): void {
  console.log(`FIGURE ${name}: ${value}`);
}

/** Percentile `p` (0..100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)] as number;
}

/** Heap in use after a full collection, where the runtime allows forcing one. */
export async function settledHeap(): Promise<number> {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
