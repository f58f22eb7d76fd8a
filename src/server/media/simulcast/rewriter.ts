/** The header fields of one RTP packet that a forwarder rewrites. */
export interface RtpFields {
  sequenceNumber: number;
  timestamp: number;
  /** VP8 picture id (7 or 15 bits) and TL0PICIDX, when the payload carries them. */
  pictureId?: number;
  tl0PicIdx?: number;
}

interface Offsets {
  seq: number;
  ts: number;
  pic: number;
  tl0: number;
}

interface Last {
  seq: number;
  ts: number;
  pic: number | undefined;
  tl0: number | undefined;
  /** When the newest packet went out (ms), to advance the timestamp across a switch. */
  at: number;
}

const SEQ = 0x1_0000;
const PIC = 0x8000;

/**
 * Maps packets of successive input streams (simulcast layers of one source,
 * or the next person on a reused m-line) onto one output stream, so the
 * subscriber sees a single stream with continuous sequence numbers, growing
 * timestamps and picture ids. Within one input stream the mapping is a fixed
 * offset, so reordered packets and retransmissions keep their place.
 */
export class StreamRewriter {
  private offsets: Offsets | undefined;
  private last: Last | undefined;

  /** @param clockRate RTP clock of the codec (90000 video, 48000 Opus). */
  constructor(private readonly clockRate: number) {}

  /** Whether an input stream is mapped yet. */
  get active(): boolean {
    return this.offsets !== undefined;
  }

  /**
   * Makes `first` (the first packet of a new input stream, a key frame for
   * video) follow the last packet sent: the next sequence number, a timestamp
   * advanced by the wall-clock time in between, the next picture id.
   */
  switchTo(first: RtpFields, now: number): void {
    const last = this.last;
    if (!last) {
      this.offsets = { seq: 0, ts: 0, pic: 0, tl0: 0 };
      return;
    }
    const gap = Math.max(1, Math.round(((now - last.at) * this.clockRate) / 1000));
    this.offsets = {
      seq: mod(last.seq + 1 - first.sequenceNumber, SEQ),
      ts: mod(last.ts + gap - first.timestamp, 2 ** 32),
      pic:
        last.pic === undefined || first.pictureId === undefined
          ? 0
          : mod(last.pic + 1 - first.pictureId, PIC),
      tl0:
        last.tl0 === undefined || first.tl0PicIdx === undefined
          ? 0
          : mod(last.tl0 + 1 - first.tl0PicIdx, 256),
    };
  }

  /** Forgets the input stream (paused): the next packet needs `switchTo` again. */
  stop(): void {
    this.offsets = undefined;
  }

  /**
   * Leaves out a packet of the current input stream (padding that the
   * publisher sent to probe its uplink): later packets close the gap, so the
   * subscriber does not ask for a packet that was never sent to it.
   */
  skip(input: RtpFields): void {
    const o = this.offsets;
    if (!o) return;
    const out = mod(input.sequenceNumber + o.seq, SEQ);
    // Only the newest packet can be left out without reusing a number already sent.
    if (!this.last || isNewer(out, this.last.seq)) o.seq = mod(o.seq - 1, SEQ);
  }

  /** The output fields of a packet of the current input stream. */
  rewrite(input: RtpFields, now: number, pictureIdBits: 7 | 15 = 15): RtpFields {
    const o = this.offsets;
    if (!o) throw new Error("no input stream: call switchTo first");
    const out: RtpFields = {
      sequenceNumber: mod(input.sequenceNumber + o.seq, SEQ),
      timestamp: mod(input.timestamp + o.ts, 2 ** 32),
    };
    if (input.pictureId !== undefined)
      out.pictureId = mod(input.pictureId + o.pic, pictureIdBits === 15 ? PIC : 0x80);
    if (input.tl0PicIdx !== undefined) out.tl0PicIdx = mod(input.tl0PicIdx + o.tl0, 256);
    const last = this.last;
    // Only the newest packet moves the stream on; a late or resent one keeps its old place.
    if (!last || isNewer(out.sequenceNumber, last.seq)) {
      this.last = {
        seq: out.sequenceNumber,
        ts: out.timestamp,
        pic: out.pictureId ?? last?.pic,
        tl0: out.tl0PicIdx ?? last?.tl0,
        at: now,
      };
    }
    return out;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

/** RFC 1982 serial number arithmetic on 16 bits. */
export function isNewer(seq: number, than: number): boolean {
  const d = mod(seq - than, SEQ);
  return d !== 0 && d < SEQ / 2;
}
