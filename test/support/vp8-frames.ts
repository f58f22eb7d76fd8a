/**
 * Reassembles VP8 frames from RTP packets (RFC 7741): strips each packet's
 * payload descriptor and joins packets up to the marker bit. Enough to look at
 * what the SFU forwards; no jitter buffer: a frame with a packet lost or out
 * of order is left out whole, so that no frame is ever a splice of others.
 */
export class Vp8Frames {
  readonly frames: Buffer[] = [];
  private parts: Buffer[] = [];
  private spoiled = false;
  private last: number | undefined;

  push(payload: Buffer, marker: boolean, sequenceNumber: number): void {
    const first = payload[0] ?? 0;
    let at = 1;
    if (first & 0x80) {
      const ext = payload[at++] ?? 0;
      if (ext & 0x80) at += (payload[at] ?? 0) & 0x80 ? 2 : 1;
      if (ext & 0x40) at++;
      if (ext & 0x30) at++;
    }
    const start = (first & 0x10) !== 0 && (first & 0x0f) === 0;
    if (start) {
      this.parts = [];
      this.spoiled = false;
    } else if (this.parts.length === 0 || sequenceNumber !== ((this.last ?? -2) + 1) % 65536) {
      // The frame's beginning, or a packet in between, is missing.
      this.spoiled = true;
    }
    this.last = sequenceNumber;
    this.parts.push(payload.subarray(at));
    if (marker) {
      if (!this.spoiled) this.frames.push(Buffer.concat(this.parts));
      this.parts = [];
    }
  }
}

/** A VP8 key frame's frame tag and start code (RFC 6386, section 9.1): bit 0 clear, then 9d 01 2a. */
export function isVp8KeyFrame(frame: Buffer): boolean {
  return (
    ((frame[0] ?? 1) & 0x01) === 0 && frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a
  );
}

/** Pearson's chi-square statistic of the byte frequencies against a uniform distribution. */
export function chiSquare(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b] = (counts[b] ?? 0) + 1;
  const expected = bytes.length / 256;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}
