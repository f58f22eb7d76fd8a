import type { Page } from "playwright-core";

/** One received video stream as the browser's getStats reports it. */
export interface InboundVideo {
  /** Stable within a page: which peer connection, which SSRC. */
  key: string;
  framesDecoded: number;
  freezeCount: number;
  /** Seconds. */
  totalFreezesDuration: number;
  frameWidth: number;
  /** What the receiver asked for: key frames (PLI) and retransmissions (NACK), and what it never got. */
  pliCount: number;
  nackCount: number;
  packetsLost: number;
  keyFramesDecoded: number;
}

/**
 * Every inbound video stream of the page's open peer connections (the page's
 * RTCPeerConnections are recorded by test/support/chromium.ts).
 */
export function inboundVideo(page: Page): Promise<InboundVideo[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const out: InboundVideo[] = [];
    for (const [i, pc] of pcs.entries()) {
      if (pc.connectionState === "closed") continue;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type !== "inbound-rtp" || s.kind !== "video") return;
        out.push({
          key: `${i}/${s.ssrc}`,
          framesDecoded: s.framesDecoded ?? 0,
          freezeCount: s.freezeCount ?? 0,
          totalFreezesDuration: s.totalFreezesDuration ?? 0,
          frameWidth: s.frameWidth ?? 0,
          pliCount: s.pliCount ?? 0,
          nackCount: s.nackCount ?? 0,
          packetsLost: s.packetsLost ?? 0,
          keyFramesDecoded: s.keyFramesDecoded ?? 0,
        });
      });
    }
    return out;
  });
}

/** How many inbound video streams decoded new frames between two samples. */
export function risingStreams(before: InboundVideo[], after: InboundVideo[]): number {
  const was = new Map(before.map((s) => [s.key, s.framesDecoded]));
  return after.filter((s) => s.framesDecoded > (was.get(s.key) ?? 0)).length;
}

/**
 * Watches freezes of every inbound video stream by sampling getStats: a
 * sample in which a stream's freezeCount grew attributes the growth of
 * totalFreezesDuration to those freezes, so the longest freeze is known to
 * within one sampling interval's merging (conservatively: merged freezes
 * count as one long one).
 */
export class FreezeWatch {
  private last = new Map<string, InboundVideo>();
  longestFreezeMs = 0;
  freezes = 0;
  framesDecoded = 0;

  /** The stream's stats around the longest freeze (the sample before it ended, and the one after). */
  longest: { before: InboundVideo; after: InboundVideo } | undefined;

  constructor(private readonly page: Page) {}

  async sample(): Promise<void> {
    const now = await inboundVideo(this.page);
    for (const s of now) {
      const before = this.last.get(s.key);
      if (before) {
        const count = s.freezeCount - before.freezeCount;
        const seconds = s.totalFreezesDuration - before.totalFreezesDuration;
        if (count > 0) {
          this.freezes += count;
          if (seconds * 1000 > this.longestFreezeMs) this.longest = { before, after: s };
          this.longestFreezeMs = Math.max(this.longestFreezeMs, seconds * 1000);
        }
        this.framesDecoded += s.framesDecoded - before.framesDecoded;
      }
      this.last.set(s.key, s);
    }
  }
}
