/**
 * Every place Plenum reaches into werift's (or Node's) private code, in one
 * list: what each patch changes, why, what upstream knows of it, its guard
 * and the test that fails when it stops applying. `installWeriftPatches`
 * (./index.ts) checks every guard at start and installs them.
 */
import { checkFastPath, installFastPath } from "./fast/install";
import { checkSocketFd } from "./fast/send";
import { checkIceRestart, installIceRestart } from "./ice-restart";
import { checkReceiverNack, installReceiverNack } from "./receiver-nack";
import { checkSdpInterop, installSdpInterop } from "./sdp-interop";
import { checkSentHistory, installSentHistory } from "./sent-history";

/** Which patches the configuration asks for. */
export interface PatchOptions {
  /** PLENUM_FASTPATH is not 0. */
  fastPath: boolean;
  /** PLENUM_FASTPATH=1: the native helpers where built. */
  native: boolean;
}

export interface WeriftPatch {
  name: string;
  /** What it changes. */
  what: string;
  /** What goes wrong without it. */
  why: string;
  /** What upstream knows of it, and the version it was written against. */
  upstream: string;
  /** The tests that fail when it stops applying or stops working. */
  tests: string[];
  /**
   * `fix`: always wanted (a werift bug). `fast-path`: the forwarding fast path
   * (PLENUM_FASTPATH=1 or js). `native`: the fast path's native send (PLENUM_FASTPATH=1).
   */
  kind: "fix" | "fast-path" | "native";
  /** Throws, naming the reason, if it cannot apply to what is loaded; patches nothing. */
  check(version: string): void;
  /** Applies it; idempotent; throws like `check`. */
  install(options: PatchOptions): void;
}

const WRITTEN_FOR = "written for werift 0.24.4; no upstream issue filed yet";

export const WERIFT_PATCHES: readonly WeriftPatch[] = [
  {
    name: "ice-restart",
    what: "RTCPeerConnection.connect starts ICE again on a transport whose DTLS is up but whose ICE was restarted",
    why: "werift skips every DTLS-connected transport, so after an ICE restart no pair is selected and nothing is sent on a connection the browser calls connected",
    upstream: WRITTEN_FOR,
    tests: [
      "src/server/media/werift/patches/ice-restart.test.ts",
      "test/integration/ice-restart.test.ts",
    ],
    kind: "fix",
    check: (v) => void checkIceRestart(v),
    install: installIceRestart,
  },
  {
    name: "sdp-bundle-only",
    what: "SessionDescription.parse and TransceiverManager.setRemoteRTP treat a bundle-only m-line (port 0, a=bundle-only, in the BUNDLE group) as open",
    why: "werift signals an incoming track only for a non-zero port: Firefox's camera and screen (max-bundle offers) were never forwarded",
    upstream: WRITTEN_FOR,
    tests: ["src/server/media/werift/patches/sdp-interop.test.ts", "test/e2e/firefox.test.ts"],
    kind: "fix",
    check: (v) => void checkSdpInterop(v),
    install: installSdpInterop,
  },
  {
    name: "receiver-nack",
    what: "each upstream receiver's private nack.addPacket becomes a no-op; media/werift/nack.ts sends NACKs per SSRC",
    why: "werift's one NackHandler per receiver mixes the simulcast layers' sequence numbers up: real losses were never resent",
    upstream: WRITTEN_FOR,
    tests: ["src/server/media/werift/nack.test.ts", "test/integration/nack.test.ts"],
    kind: "fix",
    check: checkReceiverNack,
    install: installReceiverNack,
  },
  {
    name: "sent-history",
    what: "RTCRtpSender's private rtpCache is emptied on a layer switch (media/werift/forward.ts)",
    why: "NACKs for the old layer would be answered at full size on the congested link and crowd out the new layer's key frame",
    upstream: WRITTEN_FOR,
    tests: ["src/server/media/werift/patches/manifest.test.ts"],
    kind: "fix",
    check: checkSentHistory,
    install: installSentHistory,
  },
  {
    name: "fast-path",
    what: "RtpHeader.deSerialize, the SRTP and SRTCP ciphers, RTCRtpSender.sendRtp and runRtcp, RTCDtlsTransport.sendRtp and sendRtcp",
    why: "werift's per-packet bit reads, BigInt arithmetic and four layers of promises cost about a third more CPU per forwarded packet (bench/RESULTS.md)",
    upstream: "performance, same bytes on the wire; written for werift 0.24.4",
    tests: [
      "src/server/media/werift/patches/fast/install.test.ts",
      "src/server/media/werift/patches/fast/srtp.test.ts",
      "src/server/media/werift/patches/fast/srtcp.test.ts",
    ],
    kind: "fast-path",
    check: (v) => void checkFastPath(v),
    install: (o) => void installFastPath({ native: o.native }),
  },
  {
    name: "native-send",
    what: "reads a UDP socket's descriptor from Node's private dgram state for the addon's synchronous sendto",
    why: "dgram.send makes a lookup step, a request object and a callback per datagram",
    upstream:
      "Node keeps the handle private (its public _handle getter is deprecated); checked on this Node at start",
    tests: ["src/server/media/native/native.test.ts"],
    kind: "native",
    check: checkSocketFd,
    // Chosen by the fast path's install, with the addon.
    install: () => undefined,
  },
];
