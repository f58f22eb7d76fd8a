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
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { endianness } from "node:os";
import { dirname, join } from "node:path";
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RTCDtlsTransport,
  RTCRtpSender,
  RtpHeader,
  SrtpSession,
} from "werift";
import { loadNativeMedia, type NativeMedia } from "../../native";
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

export const TARGET_WERIFT_VERSION = "0.24.4";

let installed = false;

/** The installed werift's version, from its package.json (not exported, so found beside its entry point). */
export function weriftVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("werift"));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "werift" && pkg.version) return pkg.version;
    } catch {
      // not here; one level up
    }
  }
  throw new Error("werift's package.json not found");
}

type Method = (this: unknown, ...args: never[]) => unknown;

/** A method of werift's that must exist and still use `mustMention` (names in its source): the shape guard. */
export function method(proto: object, name: string, mustMention: string[]): Method {
  const fn = (proto as Record<string, unknown>)[name];
  if (typeof fn !== "function") throw new Error(`werift shape changed: ${name} is not a method`);
  const source = String(fn);
  for (const word of mustMention)
    if (!source.includes(word))
      throw new Error(`werift shape changed: ${name} no longer uses ${word}`);
  return fn as Method;
}

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
 * Patches werift; idempotent. Throws (naming the reason) if werift is not
 * the version and shape this was written against. `native` (the default)
 * uses the native helpers for SRTP and sending where they were built; it
 * may be switched on every call (the benchmark and tests compare both).
 * Returns whether the native helpers are in use.
 */
export function installFastPath(options: { native?: boolean } = {}): boolean {
  const media = options.native === false ? undefined : loadNativeMedia().media;
  useNativeSrtp(media);
  useNativeSend(media);
  if (installed) return media !== undefined;
  const version = weriftVersion();
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `the forwarding fast path (src/server/media/werift/fast) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: review it against the new version, or start with PLENUM_FASTPATH=0`,
    );

  // srtp.ts builds AES-CTR counter blocks as 32-bit words in memory order.
  if (endianness() !== "LE")
    throw new Error(
      "the forwarding fast path needs a little-endian CPU; start with PLENUM_FASTPATH=0",
    );
  // Check every shape first, then patch: all or nothing.
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
