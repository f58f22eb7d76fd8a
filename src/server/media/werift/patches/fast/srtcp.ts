/**
 * SRTCP through the native helpers, byte-identical to werift 0.24.4's
 * `CipherAesGcm` / `CipherAesCtr` `encryptRTCP` / `decryptRTCP`.
 *
 * Why: every subscriber's receiver reports, transport-wide feedback and
 * NACKs, and every sender's report the SFU writes, went through a new
 * OpenSSL cipher object per packet in werift (plus an HMAC object for
 * AES_CM). At low fan-out that was a tenth of the media worker's time. Here
 * each SRTCP session key keeps one OpenSSL context (the addon's), reset per
 * packet. Without the addon, werift's own methods run (install.ts).
 *
 * Layouts (RFC 3711 section 3.4, RFC 7714 section 9):
 *   AES_CM: header(8) ‖ AES-CTR(rest) ‖ E|index(4) ‖ HMAC-SHA1-80 over all before it
 *   GCM:    header(8) ‖ AES-GCM(rest) ‖ tag(16) ‖ E|index(4); AAD = header ‖ E|index
 */
import { timingSafeEqual } from "node:crypto";
import { RtcpHeader, SrtpAuthenticationError } from "werift";
import type { NativeCipher, NativeMedia } from "../../../native";
import type { WeriftCipher } from "./srtp";

const HEADER = 8;
const INDEX = 4;
const GCM_TAG = 16;
const CTR_TAG = 10;
/** The E flag: the packet's body is encrypted. */
const ENCRYPTED = 0x8000_0000;

/** werift's error for an SRTCP packet that is not authentic. */
const authFailure = () => new SrtpAuthenticationError("Failed to authenticate SRTCP packet");

/** werift's `parseSrtcpHeader`: long enough to hold a header, a tag and an index, or not authentic. */
function headerOf(packet: Buffer, tag: number): RtcpHeader {
  if (packet.length < HEADER + tag + INDEX) throw authFailure();
  try {
    return RtcpHeader.deSerialize(packet.subarray(0, 4));
  } catch {
    throw authFailure();
  }
}

interface WeriftRtcpCipher extends WeriftCipher {
  srtcpSessionAuthTag?: Buffer;
}

interface State {
  native: NativeCipher;
  iv: Buffer;
  /** GCM: header ‖ E|index ‖ body ‖ tag, contiguous as the addon seals and opens it. AES_CM: the expected tag. */
  scratch: Buffer;
}
const states = new WeakMap<WeriftCipher, State>();

function stateOf(n: NativeMedia, c: WeriftRtcpCipher, gcm: boolean): State {
  let s = states.get(c);
  if (!s) {
    let native: NativeCipher;
    if (gcm) native = n.gcmCreate(c.srtcpSessionKey);
    else if (c.srtcpSessionAuthTag) native = n.ctrCreate(c.srtcpSessionKey, c.srtcpSessionAuthTag);
    else throw new Error("AES_CM cipher without an SRTCP authentication key");
    s = { native, iv: Buffer.alloc(16), scratch: Buffer.alloc(gcm ? 1500 : CTR_TAG) };
    states.set(c, s);
  }
  return s;
}

/** RFC 7714 section 9.1: 00 00 ‖ SSRC ‖ 00 00 ‖ index, XOR the SRTCP salt. */
function gcmIv(s: State, c: WeriftCipher, ssrc: number, index: number): Buffer {
  const iv = s.iv.subarray(0, 12);
  iv.fill(0);
  iv.writeUInt32BE(ssrc >>> 0, 2);
  iv.writeUInt32BE(index >>> 0, 8);
  const salt = c.srtcpSessionSalt;
  for (let i = 0; i < 12; i++) iv[i] = (iv[i] as number) ^ (salt[i] as number);
  return iv;
}

/** RFC 3711 section 4.1.1 for SRTCP (werift's `generateCounter` with the index as ROC ‖ SEQ). */
function ctrCounter(s: State, c: WeriftCipher, ssrc: number, index: number): Buffer {
  const counter = s.iv;
  counter.fill(0);
  counter.writeUInt32BE(ssrc >>> 0, 4);
  counter.writeUInt32BE(Math.floor(index / 0x10000) >>> 0, 8);
  counter.writeUInt16BE(index & 0xffff, 12);
  const salt = c.srtcpSessionSalt;
  for (let i = 0; i < salt.length; i++) counter[i] = (counter[i] as number) ^ (salt[i] as number);
  return counter;
}

/** A scratch buffer of at least `size` bytes (RTCP packets are small; a jumbo one grows it). */
function scratchFor(s: State, size: number): Buffer {
  if (s.scratch.length < size) s.scratch = Buffer.alloc(size);
  return s.scratch;
}

/** `CipherAesGcm.encryptRTCP`. */
export function gcmEncryptRtcp(
  n: NativeMedia,
  c: WeriftCipher,
  rtcp: Buffer,
  index: number,
): Buffer {
  const s = stateOf(n, c, true);
  const body = rtcp.length - HEADER;
  const flagged = (index | ENCRYPTED) >>> 0;
  // Sealed as header ‖ E|index ‖ body ‖ tag (AAD = the first 12 bytes), then laid out for the wire.
  const work = scratchFor(s, HEADER + INDEX + body + GCM_TAG);
  rtcp.copy(work, 0, 0, HEADER);
  work.writeUInt32BE(flagged, HEADER);
  rtcp.copy(work, HEADER + INDEX, HEADER);
  const sealed = work.subarray(0, HEADER + INDEX + body + GCM_TAG);
  n.gcmSeal(s.native, sealed, HEADER + INDEX, gcmIv(s, c, rtcp.readUInt32BE(4), index));
  const out = Buffer.allocUnsafe(rtcp.length + GCM_TAG + INDEX);
  rtcp.copy(out, 0, 0, HEADER);
  sealed.copy(out, HEADER, HEADER + INDEX);
  out.writeUInt32BE(flagged, out.length - INDEX);
  return out;
}

/**
 * `CipherAesGcm.decryptRTCP` for an encrypted packet (the E flag set, as
 * every browser sends); `undefined` for one that is not, which werift's own
 * method handles.
 */
export function gcmDecryptRtcp(
  n: NativeMedia,
  c: WeriftCipher,
  packet: Buffer,
): [Buffer, RtcpHeader] | undefined {
  const header = headerOf(packet, GCM_TAG);
  const indexAt = packet.length - INDEX;
  const flagged = packet.readUInt32BE(indexAt);
  if (!(flagged & ENCRYPTED)) return undefined;
  const s = stateOf(n, c, true);
  const sealed = indexAt - HEADER; // body ‖ tag
  const work = scratchFor(s, HEADER + INDEX + sealed).subarray(0, HEADER + INDEX + sealed);
  packet.copy(work, 0, 0, HEADER);
  packet.copy(work, HEADER, indexAt);
  packet.copy(work, HEADER + INDEX, HEADER, indexAt);
  const iv = gcmIv(s, c, packet.readUInt32BE(4), (flagged & ~ENCRYPTED) >>> 0);
  if (!n.gcmOpen(s.native, work, HEADER + INDEX, iv)) throw authFailure();
  const out = Buffer.allocUnsafe(indexAt - GCM_TAG);
  packet.copy(out, 0, 0, HEADER);
  work.copy(out, HEADER, HEADER + INDEX, HEADER + INDEX + out.length - HEADER);
  return [out, header];
}

/** `CipherAesCtr.encryptRTCP`. */
export function ctrEncryptRtcp(
  n: NativeMedia,
  c: WeriftRtcpCipher,
  rtcp: Buffer,
  index: number,
): Buffer {
  const s = stateOf(n, c, false);
  const out = Buffer.allocUnsafe(rtcp.length + INDEX + CTR_TAG);
  rtcp.copy(out);
  n.ctrXor(s.native, out, HEADER, rtcp.length, ctrCounter(s, c, rtcp.readUInt32BE(4), index));
  const flagged = (index | ENCRYPTED) >>> 0;
  out.writeUInt32BE(flagged, rtcp.length);
  // The tag covers everything before it, E|index included: the addon's
  // "ROC" argument is exactly those last four bytes.
  n.ctrTag(s.native, out, rtcp.length, flagged, out, rtcp.length + INDEX);
  return out;
}

/** `CipherAesCtr.decryptRTCP` (an unencrypted body, E = 0, is returned as it came, as werift does). */
export function ctrDecryptRtcp(
  n: NativeMedia,
  c: WeriftRtcpCipher,
  packet: Buffer,
): [Buffer, RtcpHeader] {
  const header = headerOf(packet, CTR_TAG);
  const s = stateOf(n, c, false);
  const indexAt = packet.length - CTR_TAG - INDEX;
  const flagged = packet.readUInt32BE(indexAt);
  const expected = scratchFor(s, CTR_TAG);
  n.ctrTag(s.native, packet, indexAt, flagged, expected, 0);
  if (!timingSafeEqual(packet.subarray(indexAt + INDEX), expected.subarray(0, CTR_TAG)))
    throw authFailure();
  const out = Buffer.allocUnsafe(indexAt);
  packet.copy(out, 0, 0, indexAt);
  if (flagged & ENCRYPTED) {
    const index = (flagged & ~ENCRYPTED) >>> 0;
    n.ctrXor(s.native, out, HEADER, indexAt, ctrCounter(s, c, packet.readUInt32BE(4), index));
  }
  return [out, header];
}
