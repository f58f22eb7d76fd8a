import type { Stamp } from "./stamp";

/**
 * A receiver's video decoder, modelled from the stamps: a frame is decodable
 * once all its packets are there and it is a key frame or the next frame of
 * the layer decoded last (a delta frame needs its predecessor; a layer
 * switch needs a key frame of the new layer). Freezes are counted the way
 * WebRTC's `freezeCount`/`totalFreezesDuration` are (VideoQualityObserver):
 * an interval between decoded frames longer than max(3 × the average
 * interval, average + 150 ms), where the average is over the last 30
 * intervals that were not freezes; a freeze lasts the whole interval (of
 * which only the part inside the measurement window is summed).
 */
const AVERAGE_OVER = 30;
/** WebRTC needs a few frames before it judges intervals. */
const MIN_SAMPLES = 5;
const FREEZE_EXTRA_MS = 150;
/** A decoder stuck this long behind a missing frame asks for a key frame (as a browser does, PLI). */
const STUCK_MS = 200;
const PLI_INTERVAL_MS = 1000;
/** Frames that never complete are forgotten beyond this many. */
const MAX_PENDING = 128;

/** Whether `interval` (ms) after frames `average` ms apart is a freeze (WebRTC's rule). */
export function isFreeze(interval: number, average: number): boolean {
  return interval > Math.max(3 * average, average + FREEZE_EXTRA_MS);
}

export interface DecoderCounts {
  framesByLayer: number[];
  framesOnWantedLayer: number;
  framesWithWanted: number;
  freezes: number;
  freezeMs: number;
  /** When each freeze began (the last frame before it; `performance.now()` ms of this process). */
  freezeStarts: number[];
  plis: number;
}

/** Adds `from`'s counts into `into` (freeze start times are the caller's: clocks differ). */
export function addCounts(into: DecoderCounts, from: DecoderCounts): void {
  for (const [i, n] of from.framesByLayer.entries())
    into.framesByLayer[i] = (into.framesByLayer[i] ?? 0) + n;
  into.framesOnWantedLayer += from.framesOnWantedLayer;
  into.framesWithWanted += from.framesWithWanted;
  into.freezes += from.freezes;
  into.freezeMs += from.freezeMs;
  into.plis += from.plis;
}

export function emptyCounts(): DecoderCounts {
  return {
    framesByLayer: [0, 0, 0],
    framesOnWantedLayer: 0,
    framesWithWanted: 0,
    freezes: 0,
    freezeMs: 0,
    freezeStarts: [],
    plis: 0,
  };
}

interface Pending {
  layer: number;
  frame: number;
  keyframe: boolean;
  count: number;
  have: Set<number>;
}

export class VideoDecoderModel {
  counts = emptyCounts();
  private layer = -1;
  private readonly lastByLayer = new Map<number, number>();
  private lastDecodedAt: number | undefined;
  private intervals: number[] = [];
  private readonly pending = new Map<string, Pending>();
  private stuckSince: number | undefined;
  private lastPli = Number.NEGATIVE_INFINITY;
  /** Start of the measurement window: only the part of a freeze inside it counts. */
  private windowStart = Number.NEGATIVE_INFINITY;

  /**
   * @param wantedLayer the layer the subscriber's tile asks for, if any
   * @param requestKeyframe sends a PLI for this stream
   */
  constructor(
    private readonly wantedLayer: number | undefined,
    private readonly requestKeyframe: () => void,
  ) {}

  /** Whether a frame was ever decoded (the stream is counted). */
  get started(): boolean {
    return this.lastDecodedAt !== undefined;
  }

  packet(stamp: Stamp, now: number): void {
    const last = this.lastByLayer.get(stamp.layer);
    if (last !== undefined && stamp.frame <= last) return; // late or resent, already decoded past it
    const key = `${stamp.layer}:${stamp.frame}`;
    let p = this.pending.get(key);
    if (!p) {
      p = {
        layer: stamp.layer,
        frame: stamp.frame,
        keyframe: false,
        count: stamp.count,
        have: new Set(),
      };
      this.pending.set(key, p);
      if (this.pending.size > MAX_PENDING) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
    }
    if (stamp.keyframe) p.keyframe = true;
    p.have.add(stamp.index);
    if (p.have.size < p.count) return;
    if (this.decodable(p)) {
      this.decode(p, now);
      // Frames that completed while waiting for this one follow at once.
      for (let next = this.nextPending(); next; next = this.nextPending()) this.decode(next, now);
      this.stuckSince = undefined;
      return;
    }
    // A whole frame that cannot be decoded: something before it is missing.
    this.stuckSince ??= now;
    if (now - this.stuckSince >= STUCK_MS && now - this.lastPli >= PLI_INTERVAL_MS) {
      this.lastPli = now;
      this.counts.plis++;
      this.requestKeyframe();
    }
  }

  private decodable(p: Pending): boolean {
    return (
      p.keyframe ||
      (p.layer === this.layer && p.frame === (this.lastByLayer.get(p.layer) ?? -2) + 1)
    );
  }

  private nextPending(): Pending | undefined {
    const next = this.lastByLayer.get(this.layer);
    if (next === undefined) return undefined;
    const p = this.pending.get(`${this.layer}:${next + 1}`);
    return p && p.have.size >= p.count ? p : undefined;
  }

  private decode(p: Pending, now: number): void {
    this.pending.delete(`${p.layer}:${p.frame}`);
    this.layer = p.layer;
    this.lastByLayer.set(p.layer, p.frame);
    for (const [key, q] of this.pending)
      if (q.layer === p.layer && q.frame <= p.frame) this.pending.delete(key);
    const c = this.counts;
    c.framesByLayer[p.layer] = (c.framesByLayer[p.layer] ?? 0) + 1;
    if (this.wantedLayer !== undefined) {
      c.framesWithWanted++;
      if (p.layer === this.wantedLayer) c.framesOnWantedLayer++;
    }
    if (this.lastDecodedAt !== undefined) this.interval(now - this.lastDecodedAt, now);
    this.lastDecodedAt = now;
  }

  private interval(ms: number, now: number): void {
    if (this.intervals.length >= MIN_SAMPLES && isFreeze(ms, this.average())) {
      this.counts.freezes++;
      this.counts.freezeMs += Math.min(ms, now - this.windowStart);
      this.counts.freezeStarts.push(now - ms);
      return;
    }
    this.intervals.push(ms);
    if (this.intervals.length > AVERAGE_OVER) this.intervals.shift();
  }

  private average(): number {
    return this.intervals.reduce((a, b) => a + b, 0) / this.intervals.length;
  }

  /** Starts a fresh window of counts at `now`; the decoder's state goes on. */
  resetCounts(now: number): void {
    this.counts = emptyCounts();
    this.windowStart = now;
  }

  /**
   * The counts of the window ending `now`: a picture frozen at the end counts
   * as a freeze too (WebRTC would count it only once a frame came again).
   */
  finish(now: number): DecoderCounts {
    const c = {
      ...this.counts,
      framesByLayer: [...this.counts.framesByLayer],
      freezeStarts: [...this.counts.freezeStarts],
    };
    if (
      this.lastDecodedAt !== undefined &&
      this.intervals.length >= MIN_SAMPLES &&
      isFreeze(now - this.lastDecodedAt, this.average())
    ) {
      c.freezes++;
      c.freezeMs += Math.min(now - this.lastDecodedAt, now - this.windowStart);
      c.freezeStarts.push(this.lastDecodedAt);
    }
    return c;
  }
}
