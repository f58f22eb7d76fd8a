import { type MediaStreamTrack, RtpHeader, RtpPacket } from "werift";
import { newHistogram, record } from "./histogram";
import type { MediaSettings } from "./messages";

/**
 * Synthetic media with a stamp at the end of every payload: a magic word, the
 * source's own sequence number and the send time (CLOCK_MONOTONIC, which all
 * processes of one machine share), so a receiver measures loss and latency
 * without decoding anything.
 */
const MAGIC = 0x504c4231; // "PLB1"
export const STAMP_BYTES = 16;

/** A small seeded PRNG (mulberry32): the same seed gives the same payloads and schedule. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function stamp(payload: Buffer, seq: number): void {
  const at = payload.length - STAMP_BYTES;
  payload.writeUInt32BE(MAGIC, at);
  payload.writeUInt32BE(seq >>> 0, at + 4);
  payload.writeBigUInt64BE(process.hrtime.bigint(), at + 8);
}

/** VP8 payload descriptor (RFC 7741) and frame tag (RFC 6386 9.1) of a frame's first packet. */
function vp8Head(keyframe: boolean): Buffer {
  return keyframe
    ? Buffer.from([0x10, 0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00])
    : Buffer.from([0x10, 0x11, 0x00, 0x00]);
}

const KEYFRAME_EVERY = 60;

/** Writes paced, stamped RTP into a local track until stopped. */
export class StampedSource {
  private readonly timer: NodeJS.Timeout;
  private seq = 0;
  /** Packets sent so far. */
  get sent(): number {
    return this.seq;
  }
  private rtpSeq: number;
  private timestamp: number;
  private frames = 0;
  private keyframeWanted = true;
  private readonly fill: Buffer;

  constructor(
    private readonly track: MediaStreamTrack,
    readonly kind: "audio" | "video",
    private readonly settings: MediaSettings,
    random: () => number,
  ) {
    this.rtpSeq = Math.floor(random() * 0xffff);
    this.timestamp = Math.floor(random() * 0xffffffff);
    const size = kind === "video" ? settings.videoPacketBytes : settings.audioPacketBytes;
    this.fill = Buffer.alloc(Math.max(size, STAMP_BYTES + 12));
    for (let i = 0; i < this.fill.length; i++) this.fill[i] = Math.floor(random() * 256);
    this.interval = kind === "video" ? 1000 / settings.videoFps : 20;
    this.started = performance.now();
    this.timer = setInterval(() => this.catchUp(), this.interval);
  }

  private readonly interval: number;
  private readonly started: number;
  private ticks = 0;

  /**
   * Sends every frame that is due by now: on a loaded machine timers fire
   * late, and the rate must not drop with them (at most 5 frames at once,
   * a burst a real encoder would not make either).
   */
  private catchUp(): void {
    const due = Math.floor((performance.now() - this.started) / this.interval);
    if (due - this.ticks > 5) this.ticks = due - 5;
    while (this.ticks < due) {
      this.ticks++;
      this.tick();
    }
  }

  requestKeyframe(): void {
    this.keyframeWanted = true;
  }

  private send(payload: Buffer, marker: boolean): void {
    stamp(payload, this.seq++);
    const header = new RtpHeader({
      payloadType: 96,
      sequenceNumber: this.rtpSeq,
      timestamp: this.timestamp,
      marker,
    });
    this.rtpSeq = (this.rtpSeq + 1) & 0xffff;
    this.track.writeRtp(new RtpPacket(header, payload));
  }

  private tick(): void {
    if (this.kind === "audio") {
      this.send(Buffer.from(this.fill), false);
      this.timestamp = (this.timestamp + 960) >>> 0;
      return;
    }
    const keyframe = this.keyframeWanted || this.frames % KEYFRAME_EVERY === 0;
    this.keyframeWanted = false;
    this.frames++;
    const n = this.settings.videoPacketsPerFrame;
    for (let i = 0; i < n; i++) {
      const payload = Buffer.from(this.fill);
      if (i === 0) vp8Head(keyframe).copy(payload, 0);
      else payload[0] = 0x00; // descriptor without S: a continuation of the frame
      this.send(payload, i === n - 1);
    }
    this.timestamp = (this.timestamp + Math.round(90_000 / this.settings.videoFps)) >>> 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

interface StreamCount {
  first: number;
  last: number;
  packets: number;
}

/** Counts what arrives at the receivers of one process, for the measurement window. */
export class ReceiveCounter {
  private streams = new Map<string, StreamCount>();
  packets = 0;
  bytes = 0;
  latency = newHistogram();

  /** Starts a fresh window. */
  reset(): void {
    this.streams = new Map();
    this.packets = 0;
    this.bytes = 0;
    this.latency = newHistogram();
  }

  /** One packet arrived on stream `key`; returns false if it carried no stamp. */
  receive(key: string, payload: Buffer): boolean {
    const at = payload.length - STAMP_BYTES;
    if (at < 0 || payload.readUInt32BE(at) !== MAGIC) return false;
    const seq = payload.readUInt32BE(at + 4);
    const sent = payload.readBigUInt64BE(at + 8);
    const ms = Number(process.hrtime.bigint() - sent) / 1e6;
    this.packets++;
    this.bytes += payload.length + 12; // + the fixed RTP header
    record(this.latency, ms);
    const s = this.streams.get(key);
    if (!s) this.streams.set(key, { first: seq, last: seq, packets: 1 });
    else {
      s.packets++;
      if (seq > s.last) s.last = seq;
      if (seq < s.first) s.first = seq;
    }
    return true;
  }

  /** Packets the streams' sequence numbers say were sent in the window. */
  get expected(): number {
    let n = 0;
    for (const s of this.streams.values()) n += Math.max(s.last - s.first + 1, s.packets);
    return n;
  }

  forget(prefix: string): void {
    for (const key of this.streams.keys()) if (key.startsWith(prefix)) this.streams.delete(key);
  }
}
