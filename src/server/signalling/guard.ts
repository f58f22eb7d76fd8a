import { ROOM_PASSWORD_PER_ADDRESS, ROOM_PASSWORD_PER_ROOM, Throttle } from "../auth/throttle";
import { TokenBucket } from "./rate-limit";

/**
 * Limits that span connections: an attacker opens many sockets, so joins and
 * password guesses are also counted per address and per room (SPEC ABUSE-1, PW-2).
 * Addresses are held in memory only, never stored or logged.
 */
export class AccessGuard {
  /** Password failures per room, from all addresses together (SPEC PW-2). */
  readonly roomPasswords: Throttle;
  /** Password failures per address (SPEC PW-2). */
  readonly addressPasswords: Throttle;
  private readonly joins = new Map<string, TokenBucket>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Joins (and knocks) an address may make: a burst for an office behind one NAT, then a steady rate. */
    private readonly joinRate = { perSecond: 0.5, burst: 30 },
    private readonly maxAddresses = 10_000,
  ) {
    this.roomPasswords = new Throttle(ROOM_PASSWORD_PER_ROOM, now);
    this.addressPasswords = new Throttle(ROOM_PASSWORD_PER_ADDRESS, now);
  }

  /** Forgets guesses too old to matter; run with the retention job. */
  prune(): void {
    this.roomPasswords.prune();
    this.addressPasswords.prune();
  }

  allowJoin(address: string): boolean {
    let bucket = this.joins.get(address);
    if (!bucket) {
      bucket = new TokenBucket(this.joinRate.perSecond, this.joinRate.burst, this.now);
      this.joins.set(address, bucket);
      if (this.joins.size > this.maxAddresses) {
        const oldest = this.joins.keys().next().value;
        if (oldest !== undefined) this.joins.delete(oldest);
      }
    }
    return bucket.take();
  }
}
