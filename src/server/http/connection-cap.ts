import { isIPv6 } from "node:net";

/**
 * Open signalling connections per source (SPEC LIMIT-3). Every connection
 * holds memory, a heartbeat and a session, so one source must not be able to
 * open them without bound. A source is an IPv4 address, or an IPv6 /64: one
 * host usually holds a whole /64 and could otherwise count as billions of
 * sources. Held in memory only, never stored or logged.
 */
export class ConnectionCap {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /**
   * Takes a place for a connection from `address`: a release function
   * (idempotent) for when it closes, or undefined when the source is at the cap.
   */
  take(address: string): (() => void) | undefined {
    const source = sourceOf(address);
    const count = this.open.get(source) ?? 0;
    if (count >= this.max) return undefined;
    this.open.set(source, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(source) ?? 1) - 1;
      if (left > 0) this.open.set(source, left);
      else this.open.delete(source);
    };
  }

  /** Connections open from the source of `address`. */
  count(address: string): number {
    return this.open.get(sourceOf(address)) ?? 0;
  }
}

/** The unit a cap counts: an IPv4 address (also when IPv4-mapped), or an IPv6 /64 prefix. */
export function sourceOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = "", tail] = address.toLowerCase().split("::");
  const front = head === "" ? [] : head.split(":");
  const back = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? front
      : [...front, ...Array(8 - front.length - back.length).fill("0"), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
