/**
 * RTP header writing without werift's per-packet allocations (a zeroed
 * buffer per header, two BitWriter objects, BigInt arithmetic), byte for byte
 * what werift 0.24.4's `RtpHeader.serializeSize` and `serialize` produce,
 * including their side effects (`extension` set when extensions exist,
 * `payloadOffset` set) and their RangeErrors on out-of-range fields.
 */

/** The fields of werift's RtpHeader that serialising reads (and two it writes). */
export interface RtpHeaderLike {
  version: number;
  padding: boolean;
  extension: boolean;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: number[];
  extensionProfile: number;
  extensions: Array<{ id: number; payload: Buffer }>;
  payloadOffset: number;
  readonly serializeSize: number;
  serialize(size: number): Buffer;
}

const ONE_BYTE = 0xbede;
const TWO_BYTE = 0x1000;

/** The header's size on the wire; `undefined` for a profile werift handles specially. */
export function headerSize(h: RtpHeaderLike): number | undefined {
  let size = 12 + h.csrc.length * 4;
  const { extensions } = h;
  if (extensions.length > 0 || h.extension === true) {
    let ext = 4;
    if (h.extensionProfile === ONE_BYTE) for (const e of extensions) ext += 1 + e.payload.length;
    else if (h.extensionProfile === TWO_BYTE)
      for (const e of extensions) ext += 2 + e.payload.length;
    else return undefined;
    size += Math.floor((ext + 3) / 4) * 4;
  }
  return size;
}

/**
 * Writes the header at the start of `out` (which must hold `size` bytes,
 * from `headerSize`). Unlike werift's serialize, `out` need not be zeroed.
 */
export function writeHeader(h: RtpHeaderLike, out: Buffer, size: number): void {
  const { extensions } = h;
  if (extensions.length > 0) h.extension = true;
  out[0] =
    ((h.version & 3) << 6) |
    (h.padding ? 0x20 : 0) |
    (h.extension ? 0x10 : 0) |
    (h.csrc.length & 0xf);
  out[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  out.writeUInt16BE(h.sequenceNumber, 2);
  out.writeUInt32BE(h.timestamp, 4);
  out.writeUInt32BE(h.ssrc, 8);
  let offset = 12;
  for (const csrc of h.csrc) {
    out.writeUInt32BE(csrc, offset);
    offset += 4;
  }
  if (h.extension) {
    const start = offset;
    out.writeUInt16BE(h.extensionProfile, offset);
    offset += 4;
    if (h.extensionProfile === ONE_BYTE)
      for (const e of extensions) {
        out.writeUInt8((e.id << 4) | (e.payload.length - 1), offset++);
        offset += e.payload.copy(out, offset);
      }
    else
      for (const e of extensions) {
        out.writeUInt8(e.id, offset++);
        out.writeUInt8(e.payload.length, offset++);
        offset += e.payload.copy(out, offset);
      }
    const words = Math.trunc((offset - start - 4 + 3) / 4);
    out.writeUInt16BE(words, start + 2);
    out.fill(0, offset, size);
    offset = size;
  }
  h.payloadOffset = offset;
}

/** A werift RtpHeader as `deSerialize` leaves it. */
export interface ParsedHeader extends RtpHeaderLike {
  csrcLength: number;
  extensionLength?: number;
  paddingSize: number;
}

/**
 * werift 0.24.4's `RtpHeader.deSerialize`, field for field (the same
 * RangeErrors on short input), without its bit reads through binary strings
 * (`getBit` builds and joins an array of characters per field, four per
 * packet) and without copying the extension list once per extension.
 */
export function parseHeader(make: () => ParsedHeader, raw: Buffer): ParsedHeader {
  const h = make();
  const b0 = raw[0] as number;
  h.version = (b0 >> 6) & 3;
  h.padding = ((b0 >> 5) & 1) > 0;
  h.extension = ((b0 >> 4) & 1) > 0;
  h.csrcLength = b0 & 0xf;
  const csrc: number[] = [];
  for (let i = 0; i < h.csrcLength; i++) csrc.push(raw.readUInt32BE(12 + i * 4));
  h.csrc = csrc;
  let offset = 12 + h.csrcLength * 4;
  const b1 = raw[1] as number;
  h.marker = ((b1 >> 7) & 1) > 0;
  h.payloadType = b1 & 0x7f;
  h.sequenceNumber = raw.readUInt16BE(2);
  h.timestamp = raw.readUInt32BE(4);
  h.ssrc = raw.readUInt32BE(8);
  if (h.extension) {
    h.extensionProfile = raw.readUInt16BE(offset);
    offset += 2;
    const extensionLength = raw.readUInt16BE(offset) * 4;
    h.extensionLength = extensionLength;
    offset += 2;
    const extensions: Array<{ id: number; payload: Buffer }> = [];
    const end = offset + extensionLength;
    if (h.extensionProfile === ONE_BYTE) {
      while (offset < end) {
        const b = raw[offset];
        if (b === 0) {
          offset++;
          continue;
        }
        // Past the end of the buffer werift reads `undefined`: NaN arithmetic, id 0, length 1.
        const id = (b as number) >> 4;
        const len = ((b as number) & ((b as number) ^ 240)) + 1;
        offset++;
        if (id === 15) break;
        extensions.push({ id, payload: raw.subarray(offset, offset + len) });
        offset += len;
      }
    } else if (h.extensionProfile === TWO_BYTE) {
      while (offset < end) {
        if (raw[offset] === 0) {
          offset++;
          continue;
        }
        const id = raw[offset] as number;
        offset++;
        const len = raw[offset] as number;
        offset++;
        extensions.push({ id, payload: raw.subarray(offset, offset + len) });
        offset += len;
      }
    } else {
      const payload = raw.subarray(offset, offset + extensionLength);
      extensions.push({ id: 0, payload });
      offset += payload.length;
    }
    h.extensions = extensions;
  }
  h.payloadOffset = offset;
  if (h.padding) h.paddingSize = raw[raw.length - 1] as number;
  return h;
}
