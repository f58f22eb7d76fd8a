import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  SrtpAuthenticationError,
  SrtpSession,
} from "werift";
import { loadNativeMedia } from "../../../native";
import { ctrDecryptRtcp, ctrEncryptRtcp, gcmDecryptRtcp, gcmEncryptRtcp } from "./srtcp";
import type { WeriftCipher } from "./srtp";

/**
 * The native SRTCP functions against werift's own cipher objects: the same
 * bytes for the same keys and input, each side reading the other's packets,
 * and werift's errors for packets that are not authentic.
 */
type Profile = typeof ProtectionProfileAeadAes128Gcm | typeof ProtectionProfileAes128CmHmacSha1_80;
interface Cipher extends WeriftCipher {
  srtcpSessionAuthTag?: Buffer;
  encryptRTCP(rtcp: Buffer, index: number): Buffer;
  decryptRTCP(packet: Buffer): [Buffer, unknown];
}

function native() {
  const { media, error } = loadNativeMedia();
  if (!media) throw new Error(`the native media helpers are not built (${error}): run npm ci`);
  return media;
}

/** The sending side's cipher and the receiving side's, as two werift sessions hold them. */
function ciphers(profile: Profile): { local: Cipher; remote: Cipher } {
  const salt = () => randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14);
  const keys = {
    localMasterKey: randomBytes(16),
    localMasterSalt: salt(),
    remoteMasterKey: randomBytes(16),
    remoteMasterSalt: salt(),
  };
  const ours = new SrtpSession({ keys, profile });
  const theirs = new SrtpSession({
    keys: {
      localMasterKey: keys.remoteMasterKey,
      localMasterSalt: keys.remoteMasterSalt,
      remoteMasterKey: keys.localMasterKey,
      remoteMasterSalt: keys.localMasterSalt,
    },
    profile,
  });
  // SRTP and SRTCP keys live on the same cipher objects.
  const cipherOf = (s: SrtpSession, side: "localContext" | "remoteContext") =>
    (s[side] as unknown as { cipher: Cipher }).cipher;
  assert.deepEqual(
    cipherOf(ours, "localContext").srtcpSessionKey,
    cipherOf(theirs, "remoteContext").srtcpSessionKey,
  );
  return { local: cipherOf(ours, "localContext"), remote: cipherOf(theirs, "remoteContext") };
}

/** An RTCP packet of `size` bytes (a multiple of 4, at least 8): a valid first header, random body. */
function rtcpPacket(size: number): Buffer {
  const packet = randomBytes(size);
  packet[0] = 0x81;
  packet[1] = 201; // receiver report
  packet.writeUInt16BE(size / 4 - 1, 2);
  return packet;
}

const SIZES = [8, 12, 32, 100, 1200, 2000];
const INDEXES = [0, 1, 0xffff, 0x10000, 0x7fff_ffff];

const PROFILES = [
  {
    name: "AEAD_AES_128_GCM",
    profile: ProtectionProfileAeadAes128Gcm as Profile,
    encrypt: gcmEncryptRtcp,
    decrypt: gcmDecryptRtcp,
  },
  {
    name: "AES_CM_128_HMAC_SHA1_80",
    profile: ProtectionProfileAes128CmHmacSha1_80 as Profile,
    encrypt: ctrEncryptRtcp,
    decrypt: ctrDecryptRtcp,
  },
];

for (const { name, profile, encrypt, decrypt } of PROFILES)
  describe(`native SRTCP, ${name}`, () => {
    it("encrypts byte for byte like werift, and each side decrypts the other's packets", () => {
      const n = native();
      const { local, remote } = ciphers(profile);
      for (const size of SIZES)
        for (const index of INDEXES) {
          const rtcp = rtcpPacket(size);
          const ours = encrypt(n, local, rtcp, index);
          const theirs = local.encryptRTCP(rtcp, index);
          assert.deepEqual(ours, theirs, `${size} bytes, index ${index}`);
          assert.deepEqual(remote.decryptRTCP(ours)[0], rtcp);
          const [plain, header] = decrypt(n, remote, theirs) ?? [];
          assert.deepEqual(plain, rtcp);
          assert.deepEqual(header, remote.decryptRTCP(theirs)[1]);
        }
    });

    it("refuses a tampered packet, another index and a packet too short, as werift does", () => {
      const n = native();
      const { local, remote } = ciphers(profile);
      const packet = local.encryptRTCP(rtcpPacket(64), 7);
      for (const at of [0, 5, 20, packet.length - 5, packet.length - 1]) {
        const tampered = Buffer.from(packet);
        tampered[at] = (tampered[at] as number) ^ 0x10;
        assert.throws(() => decrypt(n, remote, tampered), SrtpAuthenticationError, `byte ${at}`);
        assert.throws(() => remote.decryptRTCP(tampered), SrtpAuthenticationError);
      }
      for (const length of [0, 8, 20])
        assert.throws(
          () => decrypt(n, remote, packet.subarray(0, length)),
          SrtpAuthenticationError,
          `${length} bytes`,
        );
      // The packet itself is still fine afterwards (no state was spoiled).
      assert.deepEqual(decrypt(n, remote, packet)?.[0], remote.decryptRTCP(packet)[0]);
    });
  });

describe("native SRTCP, unencrypted packets (E = 0)", () => {
  it("AES_CM: authenticated and returned as they came, as werift does", () => {
    const { local, remote } = ciphers(ProtectionProfileAes128CmHmacSha1_80);
    const rtcp = rtcpPacket(40);
    const index = Buffer.alloc(4);
    index.writeUInt32BE(9);
    const signed = Buffer.concat([rtcp, index]);
    const tag = createHmac("sha1", local.srtcpSessionAuthTag as Buffer)
      .update(signed)
      .digest()
      .subarray(0, 10);
    const packet = Buffer.concat([signed, tag]);
    assert.deepEqual(ctrDecryptRtcp(native(), remote, packet)[0], rtcp);
    assert.deepEqual(remote.decryptRTCP(packet)[0], rtcp);
  });

  it("GCM: left to werift's own method (undefined here)", () => {
    const { local, remote } = ciphers(ProtectionProfileAeadAes128Gcm);
    const packet = local.encryptRTCP(rtcpPacket(40), 3);
    packet[packet.length - 4] = (packet[packet.length - 4] as number) & 0x7f;
    assert.equal(gcmDecryptRtcp(native(), remote, packet), undefined);
  });
});
