import type { NodeLoad } from "./keys";

/** Share of one core the process used since the previous call. */
export function cpuMeter(): () => number {
  let last = process.cpuUsage();
  let at = process.hrtime.bigint();
  return () => {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(last);
    const elapsedUs = Number(now - at) / 1000;
    last = process.cpuUsage();
    at = now;
    return elapsedUs > 0 ? (usage.user + usage.system) / elapsedUs : 0;
  };
}

/**
 * The number placement minimises. A peer is a forwarded stream or two; a
 * whole core of CPU weighs as much as 50 peers, so a node busy with something
 * else (a burst of joins, a start-up) is avoided too.
 */
export function loadScore(load: NodeLoad): number {
  return load.peers + 50 * load.cpu;
}
