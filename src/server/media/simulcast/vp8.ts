/**
 * The few bits of a VP8 RTP payload (RFC 7741) an SFU needs: where a frame
 * starts, whether it is a key frame and how big, and the picture ids to
 * rewrite. With end-to-end encryption the SFrame transform leaves the first
 * 10 bytes of a key frame (3 of a delta frame) in clear for exactly this
 * reason; the payload descriptor is packetization and never encrypted.
 */
export interface Vp8Info {
  /** First packet of a frame (S bit set, partition 0). */
  start: boolean;
  /** First packet of a key frame. */
  keyframe: boolean;
  /** Offset of the picture id in the payload, its width (7 or 15 bits) and value. */
  pictureId?: { offset: number; bits: 7 | 15; value: number };
  /** Offset and value of TL0PICIDX. */
  tl0PicIdx?: { offset: number; value: number };
  /** Size of a key frame. */
  width?: number;
  height?: number;
}

/** Parses a VP8 payload descriptor; undefined for a payload too short to be VP8. */
export function parseVp8(payload: Uint8Array): Vp8Info | undefined {
  const b0 = payload[0];
  if (b0 === undefined) return undefined;
  const extended = (b0 & 0x80) !== 0;
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  let offset = 1;
  const info: Vp8Info = { start, keyframe: false };
  if (extended) {
    const x = payload[offset++];
    if (x === undefined) return undefined;
    if (x & 0x80) {
      const p0 = payload[offset];
      if (p0 === undefined) return undefined;
      if (p0 & 0x80) {
        const p1 = payload[offset + 1];
        if (p1 === undefined) return undefined;
        info.pictureId = { offset, bits: 15, value: ((p0 & 0x7f) << 8) | p1 };
        offset += 2;
      } else {
        info.pictureId = { offset, bits: 7, value: p0 & 0x7f };
        offset += 1;
      }
    }
    if (x & 0x40) {
      const tl0 = payload[offset];
      if (tl0 === undefined) return undefined;
      info.tl0PicIdx = { offset, value: tl0 };
      offset += 1;
    }
    if (x & 0x30) offset += 1;
  }
  const header = payload[offset];
  if (header === undefined) return undefined;
  // P bit (inverse key frame flag) of the VP8 frame header, valid in a frame's first packet.
  if (start && (header & 0x01) === 0) {
    info.keyframe = true;
    // Key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
    if (payload.length >= offset + 10 && payload[offset + 3] === 0x9d) {
      const w = (payload[offset + 6] ?? 0) | ((payload[offset + 7] ?? 0) << 8);
      const h = (payload[offset + 8] ?? 0) | ((payload[offset + 9] ?? 0) << 8);
      info.width = w & 0x3fff;
      info.height = h & 0x3fff;
    }
  }
  return info;
}

/**
 * A copy of `payload` with the picture id and TL0PICIDX replaced (the input
 * is shared by every subscriber and must not change) — or `payload` itself
 * where both stay as they are, as for every subscriber until its first layer
 * switch: no copy per subscriber, and the NACK history of every subscriber
 * holds the one shared buffer instead of a copy each.
 */
export function rewriteVp8(
  payload: Buffer,
  info: Vp8Info,
  pictureId: number | undefined,
  tl0PicIdx: number | undefined,
): Buffer {
  const samePicture =
    !info.pictureId || pictureId === undefined || pictureId === info.pictureId.value;
  const sameTl0 = !info.tl0PicIdx || tl0PicIdx === undefined || tl0PicIdx === info.tl0PicIdx.value;
  if (samePicture && sameTl0) return payload;
  const out = Buffer.from(payload);
  if (info.pictureId && pictureId !== undefined) {
    const { offset, bits } = info.pictureId;
    if (bits === 15) {
      out[offset] = 0x80 | ((pictureId >> 8) & 0x7f);
      out[offset + 1] = pictureId & 0xff;
    } else out[offset] = pictureId & 0x7f;
  }
  if (info.tl0PicIdx && tl0PicIdx !== undefined) out[info.tl0PicIdx.offset] = tl0PicIdx & 0xff;
  return out;
}
