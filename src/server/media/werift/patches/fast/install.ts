/**
 * Installs the forwarding fast path into werift, once per process, when the
 * engine starts (PLENUM_FASTPATH=0 leaves werift as it is, PLENUM_FASTPATH=js
 * uses no native helpers; both for comparison).
 *
 * This patches werift 0.24.4's prototypes at runtime: the classes are
 * created deep inside werift (per peer connection, per DTLS handshake), so
 * neither subclassing nor wrapping reaches them. Each replacement does the
 * same observable work (tests: srtp.test.ts byte-for-byte against werift, and
 * the media integration tests) and falls back to the original method for
 * what it does not cover. Because it depends on werift's internals, it
 * refuses to install on any other werift version or shape: it throws, and the
 * engine does not start, rather than corrupting media silently.
 */
import { endianness } from "node:os";
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RTCDtlsTransport,
  RTCRtpSender,
  RtpHeader,
  SrtpSession,
} from "werift";
import { loadNativeMedia, type NativeMedia } from "../../../native";
import { type Method, method, TARGET_WERIFT_VERSION, weriftVersion } from "../guard";
import { type ParsedHeader, parseHeader, type RtpHeaderLike } from "./rtp-header";
import {
  type DtlsTransportLike,
  dtlsSendRtcpNow,
  dtlsSendRtpNow,
  fastSenderSendRtp,
  SENT,
  type SenderLike,
  useNativeSend,
} from "./send";
import { type ReportingSender, runSenderReports } from "./sender-reports";
import { ctrDecryptRtcp, ctrEncryptRtcp, gcmDecryptRtcp, gcmEncryptRtcp } from "./srtcp";
import {
  ctrDecryptRtp,
  ctrEncryptRtp,
  gcmDecryptRtp,
  gcmEncryptRtp,
  nativeSrtp,
  useNativeSrtp,
  type WeriftCipher,
} from "./srtp";

let installed = false;

function cipherPrototype(profile: number): object {
  const keys = {
    localMasterKey: Buffer.alloc(16),
    localMasterSalt: Buffer.alloc(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14),
    remoteMasterKey: Buffer.alloc(16),
    remoteMasterSalt: Buffer.alloc(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14),
  };
  const session = new SrtpSession({ keys, profile: profile as 1 | 7 });
  const cipher = (session.localContext as unknown as { cipher?: object }).cipher;
  if (!cipher) throw new Error("werift shape changed: SRTP context without a cipher");
  for (const field of ["srtpSessionKey", "srtpSessionSalt"])
    if (!Buffer.isBuffer((cipher as Record<string, unknown>)[field]))
      throw new Error(`werift shape changed: SRTP cipher without ${field}`);
  return Object.getPrototypeOf(cipher) as object;
}

type NativeSrtcp<A extends unknown[], R> = (n: NativeMedia, c: WeriftCipher, ...args: A) => R;

/**
 * A cipher's `encryptRTCP` / `decryptRTCP`: the native versions while the
 * addon is in use, werift's otherwise or where the native one declines
 * (returns `undefined`: a GCM packet sent unencrypted).
 */
function srtcpMethods(
  encrypt: NativeSrtcp<[Buffer, number], Buffer>,
  decrypt: NativeSrtcp<[Buffer], unknown>,
  encryptJs: Method,
  decryptJs: Method,
) {
  return {
    encryptRTCP(this: WeriftCipher, rtcp: Buffer, index: number) {
      const n = nativeSrtp();
      return n
        ? encrypt(n, this, rtcp, index)
        : encryptJs.call(this, ...([rtcp, index] as never[]));
    },
    decryptRTCP(this: WeriftCipher, packet: Buffer) {
      const n = nativeSrtp();
      return (n && decrypt(n, this, packet)) ?? decryptJs.call(this, ...([packet] as never[]));
    },
  };
}

/**
 * Checks every method the fast path replaces or calls: throws, naming the
 * first that changed, on another werift version, shape or a big-endian CPU.
 * Patches nothing; returns werift's originals the patches fall back to.
 */
export function checkFastPath(version = weriftVersion()) {
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `the forwarding fast path (src/server/media/werift/patches/fast) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: review it against the new version, or start with PLENUM_FASTPATH=0`,
    );
  // srtp.ts builds AES-CTR counter blocks as 32-bit words in memory order.
  if (endianness() !== "LE")
    throw new Error(
      "the forwarding fast path needs a little-endian CPU; start with PLENUM_FASTPATH=0",
    );
  const gcm = cipherPrototype(ProtectionProfileAeadAes128Gcm);
  const ctr = cipherPrototype(ProtectionProfileAes128CmHmacSha1_80);
  method(gcm, "encryptRtp", ["aes-128-gcm", "rtpInitializationVector", "setAAD"]);
  const gcmDecrypt = method(gcm, "decryptRtp", ["aes-128-gcm", "finalizeSrtpRtpHeader"]);
  method(ctr, "encryptRtp", ["aes-128-ctr", "generateSrtpAuthTag", "generateCounter"]);
  const ctrDecrypt = method(ctr, "decryptRtp", [
    "aes-128-ctr",
    "generateSrtpAuthTag",
    "finalizeSrtpRtpHeader",
  ]);
  const gcmEncryptRtcpJs = method(gcm, "encryptRTCP", [
    "aes-128-gcm",
    "rtcpInitializationVector",
    "rtcpAdditionalAuthenticatedData",
  ]);
  const gcmDecryptRtcpJs = method(gcm, "decryptRTCP", ["aes-128-gcm", "parseSrtcpHeader"]);
  const ctrEncryptRtcpJs = method(ctr, "encryptRTCP", ["aes-128-ctr", "generateSrtcpAuthTag"]);
  const ctrDecryptRtcpJs = method(ctr, "decryptRTCP", [
    "aes-128-ctr",
    "generateSrtcpAuthTag",
    "parseSrtcpHeader",
  ]);
  const senderSend = method(RTCRtpSender.prototype, "sendRtp", [
    "timestampOffset",
    "seqOffset",
    "rtpCache",
    "RTP_HISTORY_SIZE",
    "redRedundantPayloadType",
    "runRtcp",
    "senderBWE",
  ]);
  method(RTCRtpSender.prototype, "runRtcp", [
    "rtcpRunning",
    "RtcpSrPacket",
    "ntpTimestamp",
    "rtpTimestamp",
    "lastSRtimestamp",
    "lastSentSRTimestamp",
    "cname",
    "sendRtcp",
  ]);
  method(RtpHeader, "deSerialize", ["getBit", "extensionProfile", "paddingSize"]);
  const dtlsSend = method(RTCDtlsTransport.prototype, "sendRtp", [
    "srtp.encrypt",
    "iceTransport.connection.send",
    "packetsSent",
  ]);
  const dtlsSendRtcp = method(RTCDtlsTransport.prototype, "sendRtcp", [
    "serialize",
    "srtcp.encrypt",
    "iceTransport.connection.send",
    "packetsSent",
  ]);

  return {
    gcm,
    ctr,
    gcmDecrypt,
    ctrDecrypt,
    gcmEncryptRtcpJs,
    gcmDecryptRtcpJs,
    ctrEncryptRtcpJs,
    ctrDecryptRtcpJs,
    senderSend,
    dtlsSend,
    dtlsSendRtcp,
  };
}

/**
 * Patches werift; idempotent; all or nothing (every shape is checked first).
 * Throws (naming the reason) if werift is not the version and shape this was
 * written against. `native` (the default) uses the native helpers for SRTP
 * and sending where they were built; it may be switched on every call (the
 * benchmark and tests compare both). Returns whether the native helpers are
 * in use. The server installs it through `installWeriftPatches` (../index.ts).
 */
export function installFastPath(options: { native?: boolean } = {}): boolean {
  const media = options.native === false ? undefined : loadNativeMedia().media;
  useNativeSrtp(media);
  useNativeSend(media);
  if (installed) return media !== undefined;
  const {
    gcm,
    ctr,
    gcmDecrypt,
    ctrDecrypt,
    gcmEncryptRtcpJs,
    gcmDecryptRtcpJs,
    ctrEncryptRtcpJs,
    ctrDecryptRtcpJs,
    senderSend,
    dtlsSend,
    dtlsSendRtcp,
  } = checkFastPath();

  Object.assign(gcm, {
    encryptRtp: gcmEncryptRtp,
    decryptRtp(
      this: never,
      cipherText: Buffer,
      roc: number,
      header?: RtpHeaderLike & { paddingSize: number },
    ) {
      return header
        ? gcmDecryptRtp.call(this, cipherText, roc, header)
        : gcmDecrypt.call(this, ...([cipherText, roc] as never[]));
    },
  });
  // SRTCP only with the native helpers: in JavaScript it would need werift's cipher object per packet anyway.
  Object.assign(
    gcm,
    srtcpMethods(gcmEncryptRtcp, gcmDecryptRtcp, gcmEncryptRtcpJs, gcmDecryptRtcpJs),
  );
  Object.assign(
    ctr,
    srtcpMethods(ctrEncryptRtcp, ctrDecryptRtcp, ctrEncryptRtcpJs, ctrDecryptRtcpJs),
  );
  Object.assign(ctr, {
    encryptRtp: ctrEncryptRtp,
    decryptRtp(
      this: never,
      cipherText: Buffer,
      roc: number,
      header?: RtpHeaderLike & { paddingSize: number },
    ) {
      return header
        ? ctrDecryptRtp.call(this, cipherText, roc, header)
        : ctrDecrypt.call(this, ...([cipherText, roc] as never[]));
    },
  });
  RTCDtlsTransport.prototype.sendRtp = function (
    this: DtlsTransportLike,
    payload: Buffer,
    header: RtpHeaderLike,
  ) {
    if (this.config.debug?.outboundPacketLoss)
      return dtlsSend.call(this, ...([payload, header] as never[]));
    return Promise.resolve(dtlsSendRtpNow(this, payload, header));
  } as unknown as typeof RTCDtlsTransport.prototype.sendRtp;
  RTCDtlsTransport.prototype.sendRtcp = function (
    this: DtlsTransportLike,
    packets: Array<{ serialize(): Buffer }>,
  ) {
    if (this.config.debug?.outboundPacketLoss)
      return dtlsSendRtcp.call(this, ...([packets] as never[]));
    try {
      dtlsSendRtcpNow(this, packets);
      return SENT;
    } catch (error) {
      return Promise.reject(error);
    }
  } as unknown as typeof RTCDtlsTransport.prototype.sendRtcp;
  RTCRtpSender.prototype.sendRtp = function (
    this: SenderLike,
    rtp: Parameters<typeof senderSend>[0],
  ) {
    return fastSenderSendRtp(
      this,
      rtp as never,
      (r) => senderSend.call(this, r as never) as Promise<void>,
    );
  } as unknown as typeof RTCRtpSender.prototype.sendRtp;
  RTCRtpSender.prototype.runRtcp = function (this: ReportingSender) {
    return runSenderReports(this);
  } as unknown as typeof RTCRtpSender.prototype.runRtcp;
  const makeHeader = () => new RtpHeader() as unknown as ParsedHeader;
  RtpHeader.deSerialize = ((raw: Buffer) =>
    parseHeader(makeHeader, raw)) as unknown as typeof RtpHeader.deSerialize;
  installed = true;
  return media !== undefined;
}
