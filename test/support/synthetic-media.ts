import { type MediaStreamTrack, RtpHeader, RtpPacket } from "werift";
import type { MediaKind } from "../../src/server/media/types";

/**
 * Synthetic RTP with a readable marker in every payload, so a receiver can
 * tell whose packet arrived on which m-line without decoding anything.
 */
const MARKER = /PLENUM-TEST ([^;]{1,80});/;

export function marker(name: string, kind: MediaKind): string {
  return `${name}/${kind}`;
}

/** The marker carried by a payload, if any. */
export function readMarker(payload: Buffer): string | undefined {
  return MARKER.exec(payload.toString("latin1"))?.[1];
}

/** Opus at 20 ms per packet; video at 30 frames a second, one packet per frame. */
const PACING = {
  audio: { intervalMs: 20, clockRate: 48_000 },
  video: { intervalMs: 33, clockRate: 90_000 },
} as const;

/** A key frame this often, and whenever the SFU asks (PLI), so a forwarder has one to start with. */
const KEYFRAME_EVERY = 30;

/**
 * VP8 in RTP (RFC 7741): a 1-byte payload descriptor (S=1: start of a
 * partition, PID 0), then the frame tag of RFC 6386 section 9.1 (a key frame
 * also carries the start code and a 16x16 size).
 */
function vp8Payload(keyframe: boolean, body: Buffer): Buffer {
  const descriptor = Buffer.from([0x10]);
  const frameTag = keyframe
    ? // P=0 (key frame), version 0, show_frame=1; start code 9d 01 2a; width 16, height 16.
      Buffer.from([0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00])
    : // P=1 (inter frame), show_frame=1.
      Buffer.from([0x11, 0x00, 0x00]);
  return Buffer.concat([descriptor, frameTag, body]);
}

/** Writes paced packets into a local track until stopped. */
export class SyntheticSource {
  private readonly timer: NodeJS.Timeout;
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  private sequenceNumber = (Math.random() * 0xffff) >>> 0;
  private timestamp = (Math.random() * 0xffffffff) >>> 0;
  private frames = 0;
  private keyframeWanted = true;
  private loseNext = false;
  sent = 0;
  /** Whole VP8 frames to send instead of marked ones, one per tick (replaying captured frames). */
  readonly replay: Buffer[] = [];

  constructor(
    private readonly track: MediaStreamTrack,
    readonly kind: MediaKind,
    private readonly marker: string,
  ) {
    this.timer = setInterval(() => this.tick(), PACING[kind].intervalMs);
  }

  /**
   * The next packet is lost for good: its sequence number is used but it is
   * never sent, so a NACK for it finds nothing in the sender's history.
   */
  loseNextPacket(): void {
    this.loseNext = true;
  }

  /** The next video frame is a key frame (the answer to a PLI). */
  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  private tick(): void {
    const { intervalMs, clockRate } = PACING[this.kind];
    const body = Buffer.from(`PLENUM-TEST ${this.marker};`, "latin1");
    let payload: Buffer = body;
    if (this.kind === "video") {
      const keyframe = this.keyframeWanted || this.frames % KEYFRAME_EVERY === 0;
      this.keyframeWanted = false;
      payload = vp8Payload(keyframe, body);
      const replayed = this.replay.shift();
      if (replayed) payload = Buffer.concat([Buffer.from([0x10]), replayed]);
    }
    this.frames++;
    const header = new RtpHeader({
      payloadType: 96, // replaced by the sender with the negotiated one
      ssrc: this.ssrc,
      sequenceNumber: this.sequenceNumber,
      timestamp: this.timestamp,
      marker: this.kind === "video", // one packet per frame: every packet ends one
    });
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    this.timestamp = (this.timestamp + (clockRate * intervalMs) / 1000) >>> 0;
    if (this.loseNext) {
      this.loseNext = false;
      return;
    }
    this.track.writeRtp(new RtpPacket(header, payload));
    this.sent++;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
