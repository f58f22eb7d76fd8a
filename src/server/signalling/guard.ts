import { AttemptLimiter } from "../room/attempts";
import { TokenBucket } from "./rate-limit";

/**
 * Limits that span connections: an attacker opens many sockets, so joins and
 * password guesses are also counted per address and per room (SPEC ABUSE-1, PW-2).
 * Addresses are held in memory only, never stored or logged.
 */
export class AccessGuard {
  /**
   * Password failures per room, from all addresses together (a distributed
   * guesser): twenty free, then 5 s, 10 s, 20 s … up to 15 minutes. Higher
   * than per address, so that one guesser cannot easily lock everyone out.
   */
  readonly roomPasswords: AttemptLimiter;
  /** Password failures per address: five free, then 5 s, 10 s, 20 s … up to 15 minutes. */
  readonly addressPasswords: AttemptLimiter;
  private readonly joins = new Map<string, TokenBucket>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Joins (and knocks) an address may make: a burst for an office behind one NAT, then a steady rate. */
    private readonly joinRate = { perSecond: 0.5, burst: 30 },
    private readonly maxAddresses = 10_000,
  ) {
    this.roomPasswords = new AttemptLimiter(20, 5_000, 15 * 60_000, now);
    this.addressPasswords = new AttemptLimiter(5, 5_000, 15 * 60_000, now);
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
