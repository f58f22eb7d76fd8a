/**
 * SFrame (RFC 9605) with the cipher suite AES_128_GCM_SHA256_128 (0x0004),
 * keyed from MLS as section 5.2 describes. Pure functions over WebCrypto, so
 * the worker, the tests and the benchmark run the same code.
 *
 * Frame layout: clear prefix | SFrame header | ciphertext | 16-byte tag. The
 * clear prefix is what a media server may read (see `clearBytes`); it is the
 * SFrame "metadata" and authenticated as AAD together with the header.
 */

const CIPHER_SUITE = 0x0004;
const NK = 16;
const NN = 12;
/** Bits of the key id that carry the epoch (RFC 9605, section 5.2: E). */
export const EPOCH_BITS = 8;

export interface SenderKey {
  kid: bigint;
  key: CryptoKey;
  salt: Uint8Array;
}

/** RFC 9605, section 5.2: KID = sender index << E | epoch mod 2^E (no context id). */
export function keyId(epoch: number, senderIndex: number): bigint {
  return (BigInt(senderIndex) << BigInt(EPOCH_BITS)) | BigInt(epoch % (1 << EPOCH_BITS));
}

export function splitKeyId(kid: bigint): { epochBits: number; senderIndex: number } {
  return {
    epochBits: Number(kid & ((1n << BigInt(EPOCH_BITS)) - 1n)),
    senderIndex: Number(kid >> BigInt(EPOCH_BITS)),
  };
}

/** The sender's key and salt for an epoch, from the MLS-exported `sframe_epoch_secret`. */
export async function deriveSenderKey(
  epochSecret: Uint8Array,
  epoch: number,
  senderIndex: number,
): Promise<SenderKey> {
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, senderIndex);
  const baseKey = await hkdfExpand(epochSecret, index, 32);
  const kid = keyId(epoch, senderIndex);
  // HKDF-Extract with an empty salt is HMAC keyed with HashLen zero bytes (RFC 5869).
  const secret = await hmac(new Uint8Array(32), baseKey);
  const label = (text: string) =>
    concat(ascii(`SFrame 1.0 ${text}`), uint(kid, 8), uint(BigInt(CIPHER_SUITE), 2));
  const keyBytes = await hkdfExpand(secret, label("Secret key "), NK);
  const salt = await hkdfExpand(secret, label("Secret salt "), NN);
  const key = await crypto.subtle.importKey("raw", bytes(keyBytes), "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
  return { kid, key, salt };
}

/** Encrypts `frame`, keeping its first `clear` bytes readable (and authenticated). */
export async function encryptFrame(
  sender: SenderKey,
  counter: bigint,
  frame: Uint8Array,
  clear: number,
): Promise<Uint8Array> {
  const prefix = frame.subarray(0, clear);
  const header = encodeHeader(sender.kid, counter);
  const aad = concat(prefix, header);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: bytes(nonce(sender.salt, counter)), additionalData: bytes(aad) },
      sender.key,
      bytes(frame.subarray(clear)),
    ),
  );
  return concat(aad, sealed);
}

/** The key id and counter of an encrypted frame, or undefined if it has no valid header. */
export function readHeader(
  data: Uint8Array,
  clear: number,
): { kid: bigint; counter: bigint; headerEnd: number } | undefined {
  const config = data[clear];
  if (config === undefined) return undefined;
  let at = clear + 1;
  const field = (extended: boolean, value: number): bigint | undefined => {
    if (!extended) return BigInt(value);
    const length = value + 1;
    if (at + length > data.length) return undefined;
    let n = 0n;
    for (let i = 0; i < length; i++) n = (n << 8n) | BigInt(data[at + i] ?? 0);
    at += length;
    return n;
  };
  const kid = field((config & 0x80) !== 0, (config >> 4) & 0x07);
  const counter = field((config & 0x08) !== 0, config & 0x07);
  if (kid === undefined || counter === undefined) return undefined;
  return { kid, counter, headerEnd: at };
}

/** Decrypts a frame; throws when it does not authenticate (the caller drops it). */
export async function decryptFrame(
  sender: SenderKey,
  data: Uint8Array,
  clear: number,
  header: { counter: bigint; headerEnd: number },
): Promise<Uint8Array> {
  const aad = data.subarray(0, header.headerEnd);
  const plain = new Uint8Array(
    await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: bytes(nonce(sender.salt, header.counter)),
        additionalData: bytes(aad),
      },
      sender.key,
      bytes(data.subarray(header.headerEnd)),
    ),
  );
  return concat(data.subarray(0, clear), plain);
}

/**
 * Bytes left in clear for the SFU. Today's SFU reads none of the payload; these
 * are what keyframe detection and simulcast layer selection would need: the
 * VP8 frame tag (3 bytes; bit 0 of the first says key frame) and, in a key
 * frame, the start code and dimensions (10 bytes); Opus's TOC byte (1).
 */
export function clearBytes(kind: "audio" | "video", frame: Uint8Array): number {
  if (kind === "audio") return Math.min(1, frame.length);
  const keyFrame = ((frame[0] ?? 1) & 0x01) === 0;
  return Math.min(keyFrame ? 10 : 3, frame.length);
}

/** RFC 9605, section 4.3: config byte X|K|Y|C, then the long KID and CTR if any. */
function encodeHeader(kid: bigint, counter: bigint): Uint8Array {
  const kidBytes = kid < 8n ? new Uint8Array(0) : minimal(kid);
  const ctrBytes = counter < 8n ? new Uint8Array(0) : minimal(counter);
  const k = kid < 8n ? Number(kid) : 0x08 | (kidBytes.length - 1);
  const c = counter < 8n ? Number(counter) : 0x08 | (ctrBytes.length - 1);
  return concat(Uint8Array.of((k << 4) | c), kidBytes, ctrBytes);
}

function minimal(n: bigint): Uint8Array {
  let length = 1;
  while (n >> BigInt(8 * length) > 0n) length++;
  return uint(n, length);
}

function uint(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

function nonce(salt: Uint8Array, counter: bigint): Uint8Array {
  const ctr = uint(counter, NN);
  return salt.map((b, i) => b ^ (ctr[i] ?? 0));
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    bytes(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, bytes(data)));
}

/** HKDF-Expand for at most one SHA-256 block, which is all SFrame needs. */
async function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  return (await hmac(prk, concat(info, Uint8Array.of(1)))).subarray(0, length);
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** WebCrypto's typings want an ArrayBuffer-backed view. */
function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return view as Uint8Array<ArrayBuffer>;
}
