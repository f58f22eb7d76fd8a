/**
 * A subscriber's downlink, estimated from the loss its receiver reports
 * (RTCP RR), the way the loss-based half of Google congestion control does:
 * much loss means we send more than gets through, so the estimate drops to
 * what did get through; no loss lets it grow slowly, after a pause that
 * keeps it from probing straight back into the congestion it just left.
 *
 * Why not REMB or transport-cc from the subscriber: both only report what
 * arrives, so an SFU needs probing to ever learn that more would fit; werift
 * 0.24 has none. Loss-based needs nothing but receiver reports, which every
 * browser sends.
 */
export class LossBasedEstimator {
  private value: number;
  private holdUntil = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private lastHighLoss = Number.NEGATIVE_INFINITY;
  private lastReport: number | undefined;

  constructor(
    initial = 3_000_000,
    private readonly min = 50_000,
    private readonly max = 20_000_000,
  ) {
    this.value = initial;
  }

  /** Bits per second the subscriber's link is believed to carry. */
  get estimate(): number {
    return this.value;
  }

  /**
   * @param fractionLost loss reported since the last report (0..1)
   * @param sendRate bits per second we sent meanwhile
   * @param now ms
   */
  report(fractionLost: number, sendRate: number, now: number): void {
    // Growth counts the time since the last report or since the hold ended, whichever is later.
    const since = Math.max(this.lastReport ?? now - 1000, this.holdUntil);
    const elapsed = Math.min(5000, Math.max(0, now - since));
    this.lastReport = now;
    if (fractionLost > HIGH_LOSS) {
      // One lossy report may be a burst (a busy receiver, a brief hiccup): two in a row are congestion.
      const confirmed = now - this.lastHighLoss <= CONFIRM_MS;
      this.lastHighLoss = now;
      // Reports right after a decrease still count packets sent before it: one decrease per interval.
      if (confirmed && now - this.lastDecrease >= DECREASE_INTERVAL_MS) {
        // What got through, less a margin so that the queue in front of the bottleneck drains.
        const through = sendRate * (1 - fractionLost) * 0.85;
        this.value = clamp(Math.min(this.value, through), this.min, this.max);
        this.lastDecrease = now;
      }
      this.holdUntil = now + HOLD_MS;
    } else if (fractionLost < LOW_LOSS && now >= this.holdUntil) {
      const growth = GROWTH_PER_SECOND ** (elapsed / 1000);
      // Nothing learnt about rates far above what is sent: no growth into the blue while idle.
      const ceiling = Math.max(this.value, sendRate * 1.5 + PROBE_ROOM);
      this.value = clamp(Math.min(this.value * growth, ceiling), this.min, this.max);
    }
  }
}

/** Above this loss the link is congested (GCC uses 10 %). */
const HIGH_LOSS = 0.1;
/** Below it the link has room (GCC uses 2 %). */
const LOW_LOSS = 0.02;
const GROWTH_PER_SECOND = 1.05;
/** How far above the send rate the estimate may grow: enough to reach the next layer. */
const PROBE_ROOM = 1_500_000;
/** A second lossy report within this confirms congestion. */
const CONFIRM_MS = 2000;
/** At most one decrease per this interval (GCC: once per round trip plus 300 ms). */
const DECREASE_INTERVAL_MS = 1000;
/** No growth for this long after congestion. */
const HOLD_MS = 8000;

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
