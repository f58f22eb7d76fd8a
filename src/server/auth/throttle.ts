/** How many failures a key may have for free, and how the wait grows after that. */
export interface ThrottlePolicy {
  free: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further one. */
  baseMs: number;
  maxMs: number;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/** Sign-in per username: a person mistyping a few times is not slowed down; a guesser soon is. */
export const LOGIN_PER_USERNAME: ThrottlePolicy = { free: 5, baseMs: 1000, maxMs: FIFTEEN_MINUTES };
/** Sign-in per address: more free tries, as many people may share one (NAT, an office). */
export const LOGIN_PER_ADDRESS: ThrottlePolicy = { free: 20, baseMs: 1000, maxMs: FIFTEEN_MINUTES };
/** Room password per address (SPEC PW-3): this one blocks, but only the guesser's address. */
export const ROOM_PASSWORD_PER_ADDRESS: ThrottlePolicy = {
  free: 5,
  baseMs: 5000,
  maxMs: FIFTEEN_MINUTES,
};
/**
 * Room password per room, from all addresses together (a distributed guesser).
 * Never a block — that would let anyone lock the right people out — only a
 * delay before each attempt is checked, growing to 2 s (SPEC PW-3).
 */
export const ROOM_PASSWORD_PER_ROOM: ThrottlePolicy = {
  free: 20,
  baseMs: 250,
  maxMs: 2000,
};

/** Bounded memory under a flood of distinct keys. */
const MAX_KEYS = 50_000;

interface Failures {
  count: number;
  last: number;
}

/**
 * Throttling of guesses (sign-in, room passwords) with growing delays, in
 * memory only (addresses are never stored). A key that failed more than `free` times must wait
 * `baseMs * 2^(extra failures - 1)` (capped) after its last failure.
 */
export class Throttle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly policy: ThrottlePolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  waitMs(key: string): number {
    const f = this.failures.get(key);
    if (!f || f.count <= this.policy.free) return 0;
    return Math.max(0, f.last + this.delay(f.count) - this.now());
  }

  fail(key: string): void {
    const f = this.failures.get(key);
    this.failures.delete(key); // re-insert: the map stays ordered by last failure
    this.failures.set(key, { count: (f?.count ?? 0) + 1, last: this.now() });
    if (this.failures.size > MAX_KEYS) this.prune();
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= MAX_KEYS) break;
      this.failures.delete(oldest);
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  /** Forgets keys whose last failure is longer ago than the longest wait. */
  prune(): void {
    const cutoff = this.now() - this.policy.maxMs;
    for (const [key, f] of this.failures) if (f.last < cutoff) this.failures.delete(key);
  }

  private delay(count: number): number {
    const extra = count - this.policy.free;
    return Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(30, extra - 1));
  }
}
