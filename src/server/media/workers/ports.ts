/**
 * Splits the media port range into one contiguous share per worker, so a
 * firewall still opens one range and no two workers compete for a port.
 */
export function splitPorts(
  range: [number, number] | undefined,
  workers: number,
): ([number, number] | undefined)[] {
  if (!range) return Array.from({ length: workers }, () => undefined);
  const [low, high] = range;
  const size = high - low + 1;
  if (size < workers)
    throw new RangeError(`${size} media ports cannot be shared among ${workers} media workers`);
  const shares: [number, number][] = [];
  let start = low;
  for (let i = 0; i < workers; i++) {
    // The first (size % workers) shares get one port more.
    const length = Math.floor(size / workers) + (i < size % workers ? 1 : 0);
    shares.push([start, start + length - 1]);
    start += length;
  }
  return shares;
}
