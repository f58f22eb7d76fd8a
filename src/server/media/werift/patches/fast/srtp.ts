/**
 * SRTP for the forwarding hot path, byte-identical to werift 0.24.4's
 * `CipherAesGcm` / `CipherAesCtr` (same keys, same input → same output),
 * installed onto their prototypes by `install.ts`.
 *
 * Why: werift builds every outgoing packet as header serialise → cipher →
 * `Buffer.concat`, and for AES_CM creates an AES-CTR cipher object per
 * packet. Node cannot reset a cipher's IV, so:
 * - AES_CM_128_HMAC_SHA1_80: the keystream comes from one reused AES-ECB
 *   context per session key (CTR is ECB over counter blocks), XORed in JS
 *   word by word; no cipher object per packet.
 * - AEAD_AES_128_GCM (which werift prefers, and which Chrome offers): GCM
 *   needs a fresh context per IV in Node's API; what we save is the header
 *   serialisation, the IV writer and the copies: header, ciphertext and tag
 *   go straight into one buffer of the final size.
 * With the native helpers (../../native, the default where they were built)
 * both profiles instead keep one OpenSSL context per session key and only
 * reset its IV per packet, in place in that same buffer.
 */
import {
  type Cipher,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  timingSafeEqual,
} from "node:crypto";
import { SrtpAuthenticationError } from "werift";
import type { NativeCipher, NativeMedia } from "../../../native";
import { headerSize, type RtpHeaderLike, writeHeader } from "./rtp-header";

/** Authentication tag lengths: AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80. */
const GCM_TAG = 16;
const CTR_TAG = 10;

/** werift's error for a packet that is not authentic, which its SRTP session reports as such. */
const authFailure = () => new SrtpAuthenticationError("Failed to authenticate SRTP packet");

/** The fields werift's cipher objects carry (both profiles). */
export interface WeriftCipher {
  srtpSessionKey: Buffer;
  srtpSessionSalt: Buffer;
  srtcpSessionKey: Buffer;
  srtcpSessionSalt: Buffer;
  srtpSessionAuthTag?: Buffer;
  authTagLength?: number;
}

/** Reusable per-cipher state, created on first use. */
interface State {
  key: KeyObject;
  authKey?: KeyObject;
  ecb?: Cipher;
  /** Counter blocks for the keystream, grown as needed. */
  blocks: Buffer;
  iv: Buffer;
  roc: Buffer;
  /** The expected authentication tag of a packet being decrypted (native AES_CM). */
  tag: Buffer;
  /** The addon's context for this key (made on first use with the addon). */
  native?: NativeCipher;
}
const states = new WeakMap<WeriftCipher, State>();

/** The native helpers, when the fast path was installed with them. */
let native: NativeMedia | undefined;

/** Chooses the native helpers (or, with `undefined`, the JavaScript code) for every cipher from now on. */
export function useNativeSrtp(media: NativeMedia | undefined): void {
  native = media;
}

/** The native helpers in use now, if any (srtcp.ts runs only with them). */
export function nativeSrtp(): NativeMedia | undefined {
  return native;
}

function gcmNative(n: NativeMedia, s: State, c: WeriftCipher): NativeCipher {
  s.native ??= n.gcmCreate(c.srtpSessionKey);
  return s.native;
}

function ctrNative(n: NativeMedia, s: State, c: WeriftCipher): NativeCipher {
  if (!c.srtpSessionAuthTag) throw new Error("AES_CM cipher without an authentication key");
  s.native ??= n.ctrCreate(c.srtpSessionKey, c.srtpSessionAuthTag);
  return s.native;
}

function stateOf(c: WeriftCipher): State {
  let s = states.get(c);
  if (!s) {
    s = {
      key: createSecretKey(c.srtpSessionKey),
      authKey: c.srtpSessionAuthTag ? createSecretKey(c.srtpSessionAuthTag) : undefined,
      blocks: Buffer.alloc(0),
      iv: Buffer.alloc(16),
      roc: Buffer.alloc(4),
      tag: Buffer.alloc(CTR_TAG),
    };
    states.set(c, s);
  }
  return s;
}

/** The header bytes, then room for `extra` bytes; werift's own serialiser for exotic profiles. */
function withHeader(h: RtpHeaderLike, extra: number): { out: Buffer; size: number } {
  const size = headerSize(h);
  if (size === undefined) {
    const serialized = h.serialize(h.serializeSize);
    const out = Buffer.allocUnsafe(serialized.length + extra);
    serialized.copy(out);
    return { out, size: serialized.length };
  }
  const out = Buffer.allocUnsafe(size + extra);
  writeHeader(h, out, size);
  return { out, size };
}

/** RFC 7714 section 8.1: 00 00 ‖ SSRC ‖ ROC ‖ SEQ, XOR the session salt (werift's `rtpInitializationVector`). */
function gcmIv(s: State, c: WeriftCipher, header: RtpHeaderLike, roc: number): Buffer {
  const iv = s.iv.subarray(0, 12);
  iv.writeUInt16BE(0, 0);
  iv.writeUInt32BE(header.ssrc, 2);
  iv.writeUInt32BE(roc, 6);
  iv.writeUInt16BE(header.sequenceNumber, 10);
  const salt = c.srtpSessionSalt;
  for (let i = 0; i < 12; i++) iv[i] = (iv[i] as number) ^ (salt[i] as number);
  return iv;
}

/** `CipherAesGcm.encryptRtp` (RFC 7714 section 8.1 IV; the header is the AAD). */
export function gcmEncryptRtp(
  this: WeriftCipher,
  header: RtpHeaderLike,
  payload: Buffer,
  rolloverCounter: number,
): Buffer {
  const s = stateOf(this);
  const { out, size } = withHeader(header, payload.length + GCM_TAG);
  if (native) {
    payload.copy(out, size);
    native.gcmSeal(gcmNative(native, s, this), out, size, gcmIv(s, this, header, rolloverCounter));
    return out;
  }
  const cipher = createCipheriv("aes-128-gcm", s.key, gcmIv(s, this, header, rolloverCounter));
  cipher.setAAD(out.subarray(0, size));
  const enc = cipher.update(payload);
  enc.copy(out, size);
  const tail = cipher.final();
  tail.copy(out, size + enc.length);
  cipher.getAuthTag().copy(out, size + enc.length + tail.length);
  return out;
}

/** XORs the AES-CTR keystream for `counter` (RFC 3711 4.1.1) into `data[from, to)`, in place. */
function ctrXor(
  s: State,
  key: Buffer,
  counter: Buffer,
  data: Buffer,
  from: number,
  to: number,
): void {
  const length = to - from;
  const blocks = Math.ceil(length / 16);
  if (s.blocks.length < blocks * 16) s.blocks = Buffer.alloc(Math.max(blocks * 16, 2048));
  if (!s.ecb) {
    s.ecb = createCipheriv("aes-128-ecb", key, null);
    s.ecb.setAutoPadding(false);
  }
  const b = s.blocks;
  // The counter's last 16 bits are the block index (the salt covers only the first 14 bytes).
  if (counter[14] !== 0 || counter[15] !== 0 || blocks > 0x10000)
    throw new RangeError("SRTP counter out of range");
  // Word by word: the first three words of every block are the counter's; the
  // fourth is its bytes 12-13 and the index, in memory order (little-endian here, checked by install.ts).
  const c = new Uint32Array(counter.buffer, counter.byteOffset, 4);
  const w = new Uint32Array(b.buffer, b.byteOffset, blocks * 4);
  const c0 = c[0] as number;
  const c1 = c[1] as number;
  const c2 = c[2] as number;
  const c3 = (counter[12] as number) | ((counter[13] as number) << 8);
  for (let i = 0, o = 0; i < blocks; i++, o += 4) {
    w[o] = c0;
    w[o + 1] = c1;
    w[o + 2] = c2;
    w[o + 3] = (c3 | ((i >>> 8) << 16) | ((i & 0xff) << 24)) >>> 0;
  }
  const keystream = s.ecb.update(b.subarray(0, blocks * 16));
  let i = 0;
  const at = data.byteOffset + from;
  if (at % 4 === 0 && keystream.byteOffset % 4 === 0) {
    // Word by word where both sides are aligned (they are: pooled buffers, 4-byte RTP headers).
    const words = length >>> 2;
    const d = new Int32Array(data.buffer, at, words);
    const k = new Int32Array(keystream.buffer, keystream.byteOffset, words);
    for (let w = 0; w < words; w++) d[w] = (d[w] as number) ^ (k[w] as number);
    i = words * 4;
  }
  for (; i < length; i++) data[from + i] = (data[from + i] as number) ^ (keystream[i] as number);
}

/** werift's `generateCounter`, into `out`. */
function counterFor(out: Buffer, seq: number, roc: number, ssrc: number, salt: Buffer): Buffer {
  out.fill(0);
  out.writeUInt32BE(ssrc >>> 0, 4);
  out.writeUInt32BE(roc >>> 0, 8);
  out.writeUInt16BE(seq & 0xffff, 12);
  for (let i = 0; i < salt.length; i++) out[i] = (out[i] as number) ^ (salt[i] as number);
  return out;
}

function srtpAuthTag(s: State, authenticated: Buffer, roc: number): Buffer {
  if (!s.authKey) throw new Error("AES_CM cipher without an authentication key");
  s.roc.writeUInt32BE(roc >>> 0);
  return createHmac("sha1", s.authKey).update(authenticated).update(s.roc).digest();
}

/** `CipherAesCtr.encryptRtp`: header ‖ AES-CTR(payload) ‖ HMAC-SHA1-80. */
export function ctrEncryptRtp(
  this: WeriftCipher,
  header: RtpHeaderLike,
  payload: Buffer,
  rolloverCounter: number,
): Buffer {
  const s = stateOf(this);
  const { out, size } = withHeader(header, payload.length + CTR_TAG);
  const end = size + payload.length;
  payload.copy(out, size);
  const counter = counterFor(
    s.iv,
    header.sequenceNumber,
    rolloverCounter,
    header.ssrc,
    this.srtpSessionSalt,
  );
  if (native) {
    const state = ctrNative(native, s, this);
    native.ctrXor(state, out, size, end, counter);
    native.ctrTag(state, out, end, rolloverCounter >>> 0, out, end);
    return out;
  }
  ctrXor(s, this.srtpSessionKey, counter, out, size, end);
  srtpAuthTag(s, out.subarray(0, end), rolloverCounter).copy(out, end, 0, CTR_TAG);
  return out;
}

/** werift's `finalizeSrtpRtpHeader`: padding as the decrypted packet states it, checked. */
function finalize<H extends RtpHeaderLike & { paddingSize: number }>(header: H, packet: Buffer): H {
  if (!header.padding) {
    header.paddingSize = 0;
    return header;
  }
  if (!(packet.length > header.payloadOffset)) throw authFailure();
  const paddingSize = packet[packet.length - 1] as number;
  if (!(paddingSize > 0 && paddingSize <= packet.length - header.payloadOffset))
    throw authFailure();
  header.paddingSize = paddingSize;
  return header;
}

/**
 * `CipherAesCtr.decryptRtp` for a header already parsed (as werift's SRTP
 * context always passes it): authenticate, then decrypt into one new buffer.
 */
export function ctrDecryptRtp<H extends RtpHeaderLike & { paddingSize: number }>(
  this: WeriftCipher,
  cipherText: Buffer,
  rolloverCounter: number,
  header: H,
): [Buffer, H] {
  const s = stateOf(this);
  const tagOffset = cipherText.length - CTR_TAG;
  if (native) return ctrDecryptNative(native, this, s, cipherText, rolloverCounter, header);
  const expected = srtpAuthTag(s, cipherText.subarray(0, tagOffset), rolloverCounter);
  if (!timingSafeEqual(cipherText.subarray(tagOffset), expected.subarray(0, CTR_TAG)))
    throw authFailure();
  const dst = Buffer.allocUnsafe(tagOffset);
  cipherText.copy(dst, 0, 0, tagOffset);
  const counter = counterFor(
    s.iv,
    header.sequenceNumber,
    rolloverCounter,
    header.ssrc,
    this.srtpSessionSalt,
  );
  ctrXor(s, this.srtpSessionKey, counter, dst, header.payloadOffset, tagOffset);
  return [dst, finalize(header, dst)];
}

function ctrDecryptNative<H extends RtpHeaderLike & { paddingSize: number }>(
  n: NativeMedia,
  c: WeriftCipher,
  s: State,
  cipherText: Buffer,
  roc: number,
  header: H,
): [Buffer, H] {
  const state = ctrNative(n, s, c);
  const tagOffset = cipherText.length - CTR_TAG;
  if (tagOffset < header.payloadOffset) throw authFailure();
  n.ctrTag(state, cipherText, tagOffset, roc >>> 0, s.tag, 0);
  if (!timingSafeEqual(cipherText.subarray(tagOffset), s.tag)) throw authFailure();
  const dst = Buffer.allocUnsafe(tagOffset);
  cipherText.copy(dst, 0, 0, tagOffset);
  const counter = counterFor(s.iv, header.sequenceNumber, roc, header.ssrc, c.srtpSessionSalt);
  n.ctrXor(state, dst, header.payloadOffset, tagOffset, counter);
  return [dst, finalize(header, dst)];
}

/** `CipherAesGcm.decryptRtp` for a header already parsed: one output buffer, a reused key object. */
export function gcmDecryptRtp<H extends RtpHeaderLike & { paddingSize: number }>(
  this: WeriftCipher,
  cipherText: Buffer,
  rolloverCounter: number,
  header: H,
): [Buffer, H] {
  const s = stateOf(this);
  const tagOffset = cipherText.length - GCM_TAG;
  if (native) {
    if (tagOffset < header.payloadOffset) throw authFailure();
    // Decrypted in place in a copy: the received buffer stays as it came.
    const packet = Buffer.allocUnsafe(cipherText.length);
    cipherText.copy(packet);
    const iv = gcmIv(s, this, header, rolloverCounter);
    if (!native.gcmOpen(gcmNative(native, s, this), packet, header.payloadOffset, iv))
      throw authFailure();
    const dst = packet.subarray(0, tagOffset);
    return [dst, finalize(header, dst)];
  }
  const dst = Buffer.allocUnsafe(tagOffset);
  cipherText.copy(dst, 0, 0, header.payloadOffset);
  const decipher = createDecipheriv("aes-128-gcm", s.key, gcmIv(s, this, header, rolloverCounter));
  decipher.setAAD(cipherText.subarray(0, header.payloadOffset));
  decipher.setAuthTag(cipherText.subarray(tagOffset));
  const dec = decipher.update(cipherText.subarray(header.payloadOffset, tagOffset));
  try {
    decipher.final();
  } catch {
    throw authFailure();
  }
  dec.copy(dst, header.payloadOffset);
  return [dst, finalize(header, dst)];
}
