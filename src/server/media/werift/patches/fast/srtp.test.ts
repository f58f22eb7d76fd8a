import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RtpHeader,
  RtpPacket,
  SrtpAuthenticationError,
  SrtpSession,
} from "werift";
import { loadNativeMedia } from "../../../native";
import {
  ctrDecryptRtp,
  ctrEncryptRtp,
  gcmDecryptRtp,
  gcmEncryptRtp,
  useNativeSrtp,
  type WeriftCipher,
} from "./srtp";

/**
 * The fast SRTP functions against werift's own cipher objects: for the same
 * keys and input, the bytes must be identical, and each side must decrypt
 * what the other encrypted (including across a sequence number rollover).
 */
type Profile = typeof ProtectionProfileAeadAes128Gcm | typeof ProtectionProfileAes128CmHmacSha1_80;
const PROFILES: Array<[string, Profile]> = [
  ["AEAD_AES_128_GCM", ProtectionProfileAeadAes128Gcm],
  ["AES_CM_128_HMAC_SHA1_80", ProtectionProfileAes128CmHmacSha1_80],
];

function sessions(profile: Profile) {
  const keys = {
    localMasterKey: randomBytes(16),
    localMasterSalt: randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14),
    remoteMasterKey: randomBytes(16),
    remoteMasterSalt: randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14),
  };
  const swapped = {
    localMasterKey: keys.remoteMasterKey,
    localMasterSalt: keys.remoteMasterSalt,
    remoteMasterKey: keys.localMasterKey,
    remoteMasterSalt: keys.localMasterSalt,
  };
  // Two sessions with the same keys, so that ROC state is separate per side.
  return {
    a: new SrtpSession({ keys, profile }),
    b: new SrtpSession({ keys, profile }),
    peer: new SrtpSession({ keys: swapped, profile }),
  };
}

interface Ctx {
  cipher: WeriftCipher & {
    encryptRtp(h: RtpHeader, p: Buffer, roc: number): Buffer;
    decryptRtp(c: Buffer, roc: number, h?: RtpHeader): [Buffer, RtpHeader];
  };
}
const ctx = (s: SrtpSession) => s.localContext as unknown as Ctx;
const remote = (s: SrtpSession) => s.remoteContext as unknown as Ctx;

function fastFor(profile: Profile) {
  return profile === ProtectionProfileAeadAes128Gcm
    ? { encrypt: gcmEncryptRtp, decrypt: gcmDecryptRtp }
    : { encrypt: ctrEncryptRtp, decrypt: ctrDecryptRtp };
}

/** Headers as the SFU sends them and odder ones: CSRCs, one- and two-byte extensions, padding, marker. */
function headers(): Array<() => RtpHeader> {
  const base = { payloadType: 96, sequenceNumber: 65_530, timestamp: 0xfffffff0, ssrc: 0xdeadbeef };
  return [
    () => new RtpHeader({ ...base }),
    () =>
      new RtpHeader({ ...base, marker: true, extensions: [{ id: 1, payload: Buffer.from("0") }] }),
    () =>
      new RtpHeader({
        ...base,
        csrc: [1, 0xffffffff],
        extensions: [
          { id: 3, payload: Buffer.from([1, 2, 3]) },
          { id: 9, payload: Buffer.from("camera-mid") },
        ],
      }),
    () =>
      new RtpHeader({
        ...base,
        extensionProfile: 0x1000,
        extensions: [
          { id: 200, payload: Buffer.from([]) },
          { id: 7, payload: Buffer.from("xyz") },
        ],
      }),
    () => new RtpHeader({ ...base, extension: true }),
  ];
}

const PAYLOAD_SIZES = [0, 1, 15, 16, 17, 100, 1188, 1400];

/** Both implementations: the native helpers (the default) and the JavaScript fallback. */
const IMPLEMENTATIONS = ["native", "JavaScript"] as const;

function nativeOrFail() {
  const { media, error } = loadNativeMedia();
  if (!media) throw new Error(`the native media helpers are not built (${error}): run npm ci`);
  return media;
}

for (const [name, profile] of PROFILES)
  for (const impl of IMPLEMENTATIONS)
    describe(`fast SRTP, ${name}, ${impl}`, () => {
      const fast = fastFor(profile);
      before(() => useNativeSrtp(impl === "native" ? nativeOrFail() : undefined));
      after(() => useNativeSrtp(undefined));

      it("encrypts byte for byte like werift, for every header shape and payload size", () => {
        const { a, b } = sessions(profile);
        for (const make of headers())
          for (const size of PAYLOAD_SIZES)
            for (const roc of [0, 1, 0xffffffff]) {
              const payload = randomBytes(size);
              const original = ctx(a).cipher.encryptRtp(make(), payload, roc);
              const header = make();
              const ours = fast.encrypt.call(ctx(b).cipher, header, payload, roc);
              assert.deepEqual(
                ours,
                original,
                `header ${make().serializeSize} B, payload ${size} B, ROC ${roc}`,
              );
              assert.equal(header.payloadOffset, make().serialize(make().serializeSize).length);
            }
      });

      it("decrypts what werift encrypts and the other way round, across a rollover", () => {
        const { a, b, peer } = sessions(profile);
        // The sender's context tracks the ROC: 65_530 … 65_535, 0 … 9 is one rollover.
        for (let i = 0; i < 16; i++) {
          const sequenceNumber = (65_530 + i) & 0xffff;
          const payload = randomBytes(1188);
          const header = new RtpHeader({
            payloadType: 96,
            sequenceNumber,
            timestamp: i * 3000,
            ssrc: 42,
          });
          const roc = sequenceNumber < 100 ? 1 : 0;
          const fromWerift = ctx(a).cipher.encryptRtp(new RtpHeader({ ...header }), payload, roc);
          const fromUs = fast.encrypt.call(
            ctx(b).cipher,
            new RtpHeader({ ...header }),
            payload,
            roc,
          );
          // werift's whole receive path (ROC tracking included) reads what we wrote.
          const received = RtpPacket.deSerialize(peer.decrypt(fromUs));
          assert.deepEqual(received.payload, payload);
          assert.equal(received.header.sequenceNumber, sequenceNumber);
          // And our decryption reads werift's, given the parsed header as werift's context passes it.
          const parsed = RtpHeader.deSerialize(fromWerift);
          const [plain] = fast.decrypt.call(remote(peer).cipher, fromWerift, roc, parsed as never);
          assert.deepEqual(RtpPacket.deSerialize(plain).payload, payload);
          const [theirs] = remote(peer).cipher.decryptRtp(
            fromWerift,
            roc,
            RtpHeader.deSerialize(fromWerift),
          );
          assert.deepEqual(plain, theirs);
        }
      });

      it("refuses a tampered packet, a wrong ROC and a replayed packet under another index", () => {
        const { a, peer } = sessions(profile);
        const header = new RtpHeader({
          payloadType: 96,
          sequenceNumber: 7,
          timestamp: 1,
          ssrc: 42,
        });
        const packet = ctx(a).cipher.encryptRtp(header, randomBytes(500), 0);
        const decrypt = (p: Buffer, roc: number) =>
          fast.decrypt.call(remote(peer).cipher, p, roc, RtpHeader.deSerialize(p) as never);
        const tampered = Buffer.from(packet);
        tampered[100] = (tampered[100] as number) ^ 1;
        assert.throws(() => decrypt(tampered, 0), SrtpAuthenticationError);
        // After a rollover, the same bytes mean another packet index: not authentic.
        assert.throws(() => decrypt(packet, 1), SrtpAuthenticationError);
        assert.doesNotThrow(() => decrypt(packet, 0));
      });

      it("reads padding as werift does and refuses an impossible padding length", () => {
        const { a, peer } = sessions(profile);
        const payload = Buffer.concat([randomBytes(50), Buffer.from([0, 0, 3])]);
        const header = new RtpHeader({
          payloadType: 96,
          sequenceNumber: 9,
          ssrc: 42,
          padding: true,
        });
        const packet = ctx(a).cipher.encryptRtp(header, payload, 0);
        const [, ours] = fast.decrypt.call(
          remote(peer).cipher,
          packet,
          0,
          RtpHeader.deSerialize(packet) as never,
        );
        const [, theirs] = remote(peer).cipher.decryptRtp(packet, 0, RtpHeader.deSerialize(packet));
        assert.equal((ours as { paddingSize: number }).paddingSize, 3);
        assert.equal(
          (ours as { paddingSize: number }).paddingSize,
          (theirs as unknown as { paddingSize: number }).paddingSize,
        );
        const bad = ctx(a).cipher.encryptRtp(
          new RtpHeader({ ...header }),
          Buffer.concat([randomBytes(10), Buffer.from([200])]),
          0,
        );
        assert.throws(
          () => fast.decrypt.call(remote(peer).cipher, bad, 0, RtpHeader.deSerialize(bad) as never),
          SrtpAuthenticationError,
        );
      });
    });
