/**
 * The trailer at the end of every synthetic payload, so that a receiver
 * measures loss, latency, freezes and layers without decoding anything:
 *
 * | bytes | field |
 * |---|---|
 * | 4 | magic "PLB2" |
 * | 4 | the stream's own packet sequence number (per layer) |
 * | 8 | send time, ns (`process.hrtime`, CLOCK_MONOTONIC: all processes of the machine share it) |
 * | 4 | frame number (per layer; audio: the packet's) |
 * | 1 | layer index (0 = q or the single layer, 1 = h, 2 = f) |
 * | 1 | flags: bit 0 = key frame |
 * | 1 | index of this packet in its frame |
 * | 1 | packets in the frame |
 */
const MAGIC = 0x504c4232; // "PLB2"
export const STAMP_BYTES = 24;

export interface Stamp {
  seq: number;
  sentNs: bigint;
  frame: number;
  layer: number;
  keyframe: boolean;
  index: number;
  count: number;
}

export function writeStamp(payload: Buffer, s: Omit<Stamp, "sentNs">): void {
  const at = payload.length - STAMP_BYTES;
  payload.writeUInt32BE(MAGIC, at);
  payload.writeUInt32BE(s.seq >>> 0, at + 4);
  payload.writeBigUInt64BE(process.hrtime.bigint(), at + 8);
  payload.writeUInt32BE(s.frame >>> 0, at + 16);
  payload.writeUInt8(s.layer, at + 20);
  payload.writeUInt8(s.keyframe ? 1 : 0, at + 21);
  payload.writeUInt8(s.index, at + 22);
  payload.writeUInt8(s.count, at + 23);
}

/** The stamp of `payload`, or undefined when it carries none (padding, probes, foreign packets). */
export function readStamp(payload: Buffer): Stamp | undefined {
  const at = payload.length - STAMP_BYTES;
  if (at < 0 || payload.readUInt32BE(at) !== MAGIC) return undefined;
  return {
    seq: payload.readUInt32BE(at + 4),
    sentNs: payload.readBigUInt64BE(at + 8),
    frame: payload.readUInt32BE(at + 16),
    layer: payload.readUInt8(at + 20),
    keyframe: (payload.readUInt8(at + 21) & 1) === 1,
    index: payload.readUInt8(at + 22),
    count: payload.readUInt8(at + 23),
  };
}
