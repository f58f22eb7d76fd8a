/**
 * Counts failed password attempts per key (a room, an address) and blocks a
 * key for a growing time once it has failed too often: `baseDelayMs`, twice
 * that, four times, … up to `maxDelayMs`. Bounded in size, so a flood of addresses cannot exhaust memory.
 */
export class AttemptLimiter {
  private readonly entries = new Map<string, { failures: number; blockedUntil: number }>();

  constructor(
    private readonly freeFailures: number,
    private readonly baseDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may try now. */
  waitFor(key: string): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  fail(key: string): void {
    const entry = this.entries.get(key) ?? { failures: 0, blockedUntil: 0 };
    entry.failures++;
    const over = entry.failures - this.freeFailures;
    if (over > 0)
      entry.blockedUntil =
        this.now() + Math.min(this.baseDelayMs * 2 ** (over - 1), this.maxDelayMs);
    this.entries.delete(key); // re-insert: Map order is then least recently failed first
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }
}
