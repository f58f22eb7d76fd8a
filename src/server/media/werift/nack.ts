import { GenericNack, type RTCRtpReceiver, RtcpTransportLayerFeedback } from "werift";
import { silenceWeriftNacks } from "./patches/receiver-nack";

/**
 * Asks a publisher to resend the video packets that did not reach us (NACK,
 * RFC 4585), per SSRC: a simulcast publisher sends each layer with its own
 * SSRC and sequence numbers.
 *
 * Why not werift's: 0.24.4 keeps one NackHandler per receiver, shared by
 * every layer's SSRC. The layers' sequence numbers interleave, so it takes
 * the jumps between them for losses, misses the real ones, and sends its
 * NACKs with the SSRC of whichever packet came last. A lost upstream packet
 * was then never resent, and every subscriber's decoder stopped at that
 * frame until the next key frame (seconds at 10% uplink loss).
 *
 * A gap waits `firstAfterMs` before its first NACK, since on a jittery path
 * most gaps are reordering that fills itself; it is asked again every
 * `retryMs` (the first answer may be lost too) and given up when the last of
 * `attempts` went unanswered too. What is lost for good is repaired at once
 * with a key frame request: otherwise each subscriber's decoder would stop at
 * that frame until its browser gives up and asks for one itself (Chrome does
 * after about 3 s).
 */
export interface NackTiming {
  firstAfterMs: number;
  retryMs: number;
  attempts: number;
}

/**
 * Ten attempts over about 600 ms: at 10 % loss each way an attempt fails one
 * time in five, so five left a packet of a busy layer lost for good every
 * minute or so; ten almost never. Chrome keeps a second of sent packets.
 */
const DEFAULT_TIMING: NackTiming = { firstAfterMs: 20, retryMs: 60, attempts: 10 };
/** A larger jump is a restart of the stream, not loss. */
const MAX_GAP = 500;
/** Missing packets remembered per SSRC at most (a NACK packet holds them easily). */
const MAX_MISSING = 300;

interface Missing {
  /** When it is to be asked for next. */
  due: number;
  asked: number;
}

interface Stream {
  highest: number;
  missing: Map<number, Missing>;
}

/** The bookkeeping alone (no clock, no I/O): what is missing and when to ask. */
export class NackTracker {
  private readonly streams = new Map<number, Stream>();
  /** SSRCs with a packet given up since `takeLostForGood` was last called. */
  private readonly lostForGood = new Set<number>();

  constructor(private readonly timing: NackTiming = DEFAULT_TIMING) {}

  /** Notes a packet that arrived at `now` (ms). */
  received(ssrc: number, seq: number, now: number): void {
    const stream = this.streams.get(ssrc);
    if (!stream) {
      this.streams.set(ssrc, { highest: seq, missing: new Map() });
      return;
    }
    const ahead = (seq - stream.highest) & 0xffff;
    if (ahead === 0) return;
    if (ahead >= 0x8000) {
      // Late: reordered, or the answer to a NACK.
      stream.missing.delete(seq);
      return;
    }
    if (ahead > MAX_GAP) stream.missing.clear();
    else
      for (let i = 1; i < ahead; i++)
        stream.missing.set((stream.highest + i) & 0xffff, {
          due: now + this.timing.firstAfterMs,
          asked: 0,
        });
    stream.highest = seq;
    // Map order is insertion order: the oldest go first.
    for (const seqMissing of stream.missing.keys()) {
      if (stream.missing.size <= MAX_MISSING) break;
      stream.missing.delete(seqMissing);
    }
  }

  /** The sequence numbers to ask for now, per SSRC; counts them as asked. */
  due(now: number): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const [ssrc, stream] of this.streams) {
      const lost: number[] = [];
      for (const [seq, m] of stream.missing) {
        if (m.due > now) continue;
        if (m.asked >= this.timing.attempts) {
          stream.missing.delete(seq);
          this.lostForGood.add(ssrc);
          continue;
        }
        lost.push(seq);
        m.asked++;
        m.due = now + this.timing.retryMs;
      }
      if (lost.length > 0) out.set(ssrc, lost);
    }
    return out;
  }

  /** The SSRCs that lost a packet for good since the last call (see `due`). */
  takeLostForGood(): number[] {
    const ssrcs = [...this.lostForGood];
    this.lostForGood.clear();
    return ssrcs;
  }

  /** When the next NACK is due, if anything is missing. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const stream of this.streams.values())
      for (const m of stream.missing.values()) if (next === undefined || m.due < next) next = m.due;
    return next;
  }

  /** Forgets an SSRC (its layer stopped, or the stream restarts). */
  forget(ssrc: number): void {
    this.streams.delete(ssrc);
  }
}

/** A NackTracker wired to one upstream receiver: notes its video packets and sends the NACKs. */
export class UpstreamNacks {
  private readonly tracker: NackTracker;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly receiver: RTCRtpReceiver,
    /** A packet of this SSRC will not come: its layer needs a key frame. */
    private readonly lostForGood: (ssrc: number) => void,
    timing?: NackTiming,
  ) {
    this.tracker = new NackTracker(timing);
    silenceWeriftNacks(receiver);
  }

  received(ssrc: number, seq: number): void {
    if (this.closed) return;
    this.tracker.received(ssrc, seq, Date.now());
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const next = this.tracker.nextDue();
    if (next === undefined) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, next - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    const rtcp = [...this.tracker.due(Date.now())].map(
      ([mediaSourceSsrc, lost]) =>
        new RtcpTransportLayerFeedback({
          feedback: new GenericNack({ senderSsrc: this.receiver.rtcpSsrc, mediaSourceSsrc, lost }),
        }),
    );
    if (rtcp.length > 0) this.receiver.dtlsTransport.sendRtcp(rtcp).catch(() => undefined);
    for (const ssrc of this.tracker.takeLostForGood()) this.lostForGood(ssrc);
    this.schedule();
  }
}
