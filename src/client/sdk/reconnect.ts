/** When and how often the meeting reconnects (docs/PROTOCOL.md, "Resume, reconnecting and shutdown"). */
import { RequestError } from "./signalling";

/** Closes that reconnect: going away, abnormal (1006), server error, restart, try later, no reply. */
export const RECONNECT_CODES = new Set([1001, 1006, 1011, 1012, 1013, 4000]);
/** Refusals of a reconnecting join that are worth another try. */
export const RETRY_CODES = new Set([
  "disconnected",
  "timeout",
  "shutting-down",
  "internal",
  "rate-limited",
]);

/**
 * Attempts come quickly at first: a restarted server is back within seconds
 * (several on a busy host), and a refused connection costs next to nothing.
 * The wait doubles every STEP attempts, so a real outage is not hammered:
 * 250 ms for 5 s, 500 ms for 10 s, 1 s for 20 s, then 2 s (never longer, so
 * that a place the server keeps for 30 s is not missed).
 */
const FIRST_MS = 250;
const STEP = 20;
const MAX_WAIT_MS = 2_000;
/**
 * A server that said it restarts (`server-shutdown`, close code 1012) will be
 * back: every 250 ms for about half a minute before backing off.
 */
const RESTART_QUICK_ATTEMPTS = 120;
/** A minute to two of trying in all (the jitter decides); half a minute more after a restart. */
const MAX_ATTEMPTS = 102;

/** How many attempts before giving up; `restarting`: the server announced its restart. */
export function reconnectAttempts(restarting = false): number {
  return restarting ? MAX_ATTEMPTS + RESTART_QUICK_ATTEMPTS - STEP : MAX_ATTEMPTS;
}

/**
 * The wait before reconnect attempt `attempt` (0-based), the first almost at
 * once; with jitter (half to all of it), so a restarted server is not hit by
 * everyone in the same instant.
 */
export function backoff(
  attempt: number,
  restarting = false,
  random: () => number = Math.random,
): number {
  const quick = restarting ? RESTART_QUICK_ATTEMPTS : STEP;
  const doublings = attempt < quick ? 0 : 1 + Math.floor((attempt - quick) / STEP);
  const base = attempt === 0 ? 100 : Math.min(MAX_WAIT_MS, FIRST_MS * 2 ** doublings);
  return base * (0.5 + random() * 0.5);
}

/**
 * The reconnect loop, one at a time: a newer `run` or `cancel()` (leave,
 * close) ends a running one at its next step, without a word.
 */
export class ReconnectLoop {
  private generation = 0;

  cancel(): void {
    this.generation++;
  }

  /**
   * Calls `attempt` after each wait until it succeeds. A refusal worth
   * another try calls `retry` (to let go of the half-made connection); any
   * other error, or running out of attempts, ends with `fail`. `attempt`
   * checks `stale()` after each of its own waits.
   */
  async run(
    restarting: boolean,
    attempt: (stale: () => boolean) => Promise<void>,
    retry: () => void,
    fail: (error: unknown) => void,
  ): Promise<void> {
    const generation = ++this.generation;
    const stale = () => generation !== this.generation;
    for (let i = 0; i < reconnectAttempts(restarting); i++) {
      await new Promise((done) => setTimeout(done, backoff(i, restarting)));
      if (stale()) return;
      try {
        await attempt(stale);
        return;
      } catch (error) {
        if (stale()) return;
        const code = error instanceof RequestError ? error.code : "internal";
        if (!RETRY_CODES.has(code)) return fail(error);
        retry();
      }
    }
    fail(new RequestError("disconnected", "the server could not be reached again"));
  }
}
