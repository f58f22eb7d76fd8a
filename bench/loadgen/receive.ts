import { addCounts, type DecoderCounts, emptyCounts, VideoDecoderModel } from "./freeze";
import { newHistogram, record } from "./histogram";
import type { VideoWindowStats } from "./messages";
import { readStamp } from "./stamp";

/*
 * What the subscribers of one load generator process receive, from the
 * stamps (stamp.ts): packets, bytes, latency, loss per layer run, and per
 * video stream a decoder model (freeze.ts) for freezes and layers.
 */

/** A run of one layer's packets on one received stream, for loss from sequence numbers. */
interface Run {
  layer: number;
  first: number;
  last: number;
  packets: number;
}

interface StreamCount {
  kind: "audio" | "video";
  run: Run | undefined;
  /** The run before a layer switch, which late packets may still belong to. */
  previous: Run | undefined;
  /** Expected packets of the runs closed in this window. */
  closedExpected: number;
  decoder: VideoDecoderModel | undefined;
}

/** What a receiver tells the counter about one incoming stream. */
export interface StreamInfo {
  kind: "audio" | "video";
  /** The layer the subscriber's tile asks for, if it asks. */
  wantedLayer?: number;
  /** Sends a key frame request (PLI) for this stream. */
  requestKeyframe(): void;
}

function runExpected(run: Run | undefined): number {
  return run ? Math.max(run.last - run.first + 1, run.packets) : 0;
}

/** Counts what arrives at the receivers of one process, for the measurement window. */
export class ReceiveCounter {
  private streams = new Map<string, StreamCount>();
  packets = 0;
  bytes = 0;
  latency = newHistogram();
  private received = { audio: 0, video: 0 };

  /** Starts a fresh window; the video decoders' state (what they last decoded) goes on. */
  reset(): void {
    const now = performance.now();
    for (const s of this.streams.values()) {
      s.run = undefined;
      s.previous = undefined;
      s.closedExpected = 0;
      s.decoder?.resetCounts(now);
    }
    this.packets = 0;
    this.bytes = 0;
    this.received = { audio: 0, video: 0 };
    this.latency = newHistogram();
  }

  /** One packet arrived on stream `key`; returns false if it carried no stamp. */
  receive(key: string, payload: Buffer, info: StreamInfo): boolean {
    const stamp = readStamp(payload);
    if (!stamp) return false;
    const ms = Number(process.hrtime.bigint() - stamp.sentNs) / 1e6;
    this.packets++;
    this.received[info.kind]++;
    this.bytes += payload.length + 12; // + the fixed RTP header
    record(this.latency, ms);
    let s = this.streams.get(key);
    if (!s) {
      s = {
        kind: info.kind,
        run: undefined,
        previous: undefined,
        closedExpected: 0,
        decoder:
          info.kind === "video"
            ? new VideoDecoderModel(info.wantedLayer, info.requestKeyframe)
            : undefined,
      };
      this.streams.set(key, s);
    }
    this.count(s, stamp.layer, stamp.seq);
    s.decoder?.packet(stamp, performance.now());
    return true;
  }

  /**
   * Sequence numbers count per layer: a switch of layer closes the run (the
   * packets skipped meanwhile were never meant for this subscriber); a late
   * packet of the run before still counts there.
   */
  private count(s: StreamCount, layer: number, seq: number): void {
    const run = s.run;
    if (run && run.layer === layer) {
      run.packets++;
      if (seq > run.last) run.last = seq;
      if (seq < run.first) run.first = seq;
      return;
    }
    if (s.previous && s.previous.layer === layer && seq <= s.previous.last) {
      s.previous.packets++;
      return;
    }
    if (s.previous) s.closedExpected += runExpected(s.previous);
    s.previous = run;
    s.run = { layer, first: seq, last: seq, packets: 1 };
  }

  /** Packets the streams' sequence numbers say were sent in the window. */
  get expected(): number {
    return this.expectedOf("audio") + this.expectedOf("video");
  }

  /** Received and expected packets per kind. */
  byKind(): Record<"audio" | "video", { packets: number; expected: number }> {
    return {
      audio: { packets: this.received.audio, expected: this.expectedOf("audio") },
      video: { packets: this.received.video, expected: this.expectedOf("video") },
    };
  }

  private expectedOf(kind: "audio" | "video"): number {
    let n = 0;
    for (const s of this.streams.values())
      if (s.kind === kind) n += s.closedExpected + runExpected(s.previous) + runExpected(s.run);
    return n;
  }

  /** The video decoders' counts of the window, summed over streams. */
  video(): VideoWindowStats {
    const now = performance.now();
    const sum: DecoderCounts = emptyCounts();
    let streams = 0;
    for (const s of this.streams.values()) {
      if (!s.decoder?.started) continue;
      streams++;
      const c = s.decoder.finish(now);
      addCounts(sum, c);
      for (const at of c.freezeStarts)
        if (sum.freezeStarts.length < 2000) sum.freezeStarts.push(performance.timeOrigin + at);
    }
    return { streams, ...sum };
  }

  forget(prefix: string): void {
    for (const key of this.streams.keys()) if (key.startsWith(prefix)) this.streams.delete(key);
  }
}
