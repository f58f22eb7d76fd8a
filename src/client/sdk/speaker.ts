/** An audio level (0..1, as getStats and the analyser report it) above this is speech. */
export const SPEAKING_LEVEL = 0.03;
/** The active speaker stays for this long after falling silent, so the view does not flicker. */
const HOLD_MS = 1500;

/**
 * Picks the active speaker from audio levels: the loudest voice, but the
 * current speaker keeps the floor while they talk and for a moment after,
 * so a cough elsewhere does not switch the view.
 */
export class SpeakerDetector {
  private current: string | undefined;
  private lastHeard = 0;

  update(levels: ReadonlyMap<string, number>, now: number): string | undefined {
    if (this.current !== undefined && !levels.has(this.current)) this.current = undefined;
    if (this.current !== undefined && (levels.get(this.current) ?? 0) >= SPEAKING_LEVEL)
      this.lastHeard = now;
    let loudest: string | undefined;
    let max = SPEAKING_LEVEL;
    for (const [id, level] of levels) {
      if (level >= max) {
        loudest = id;
        max = level;
      }
    }
    if (loudest !== undefined && loudest !== this.current) {
      if (this.current === undefined || now - this.lastHeard >= HOLD_MS) {
        this.current = loudest;
        this.lastHeard = now;
      }
    }
    return this.current;
  }
}

export type Quality = "good" | "fair" | "poor";

/**
 * A connection's quality from packet loss (fraction 0..1 over the last
 * interval) and round-trip time (seconds). Thresholds follow where people
 * start to notice: a few percent loss, a few hundred milliseconds of delay.
 */
export function classifyQuality(loss: number, rtt: number | undefined): Quality {
  const r = rtt ?? 0;
  if (loss >= 0.08 || r >= 0.6) return "poor";
  if (loss >= 0.02 || r >= 0.3) return "fair";
  return "good";
}
