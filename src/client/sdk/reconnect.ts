/** When and how often the meeting reconnects (docs/PROTOCOL.md, "Resume, reconnecting and shutdown"). */

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
/** About a minute and a half of trying. */
export const MAX_RECONNECT_ATTEMPTS = 240;

/** 250 ms, then every half second, with jitter so a restarted server is not hit by everyone at once. */
export function backoff(attempt: number): number {
  const base = Math.min(500, 250 * 2 ** attempt);
  return base * (0.5 + Math.random() * 0.5);
}
