import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import {
  type PeerConfig,
  useAudioLevelIndication,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useVP8,
} from "werift";

export interface WeriftOptions {
  /** Addresses announced as host candidates; the only ones used. */
  addresses: string[];
  portRange: [number, number] | undefined;
  /** Video of at most this many most recent speakers reaches a subscriber; 0 = no limit. */
  lastN?: number;
  /** Install the forwarding fast path into werift (default on); see ./patches/fast/install.ts. */
  fastPath?: boolean;
  /** The fast path with the native helpers where they were built (default on); ../native. */
  nativeMedia?: boolean;
}

/**
 * Opus with in-band FEC (a lost packet is partly rebuilt from the next one)
 * and DTX (silence costs almost nothing): both cheap insurance on weak links.
 */
const OPUS = "minptime=10;useinbandfec=1;usedtx=1";

const LOOPBACK = /^(127\.|::1$)/;

/**
 * Peer connection settings for every server-side peer.
 *
 * Privacy: werift 0.24 falls back to Google's STUN server whenever no STUN
 * server is configured (even with `iceServers: []`), which would be a
 * third-country transfer. As an SFU we need no server-reflexive candidate at
 * all: ICE-lite gathers host candidates only and never contacts a STUN
 * server, and the browser (always the controlling agent against a lite peer)
 * does the connectivity checks. The egress test proves no packet leaves.
 */
export function peerConfig(
  options: WeriftOptions,
  direction: "upstream" | "downstream",
): Partial<PeerConfig> {
  const v4 = options.addresses.filter((a) => isIP(a) === 4);
  const v6 = options.addresses.filter((a) => isIP(a) === 6);
  const allLoopback = options.addresses.every((a) => LOOPBACK.test(a));
  const local = localAddresses();
  // One announced address of this host (per family): bind to it. A socket on
  // 0.0.0.0 answers from whichever address the route picks, and on a host
  // with several, the browser drops an answer from an address it did not ask.
  // An address that is not local (1:1 NAT in front) cannot be bound to.
  const bindTo =
    allLoopback ||
    (v4.length <= 1 && v6.length <= 1 && options.addresses.every((a) => local.has(a)))
      ? { udp4: v4[0], udp6: v6[0] }
      : undefined;
  return {
    ...(direction === "upstream" ? UPSTREAM : DOWNSTREAM),
    iceServers: [],
    iceLite: true,
    // Host addresses come from the configuration only, never from interface enumeration.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: options.addresses,
    // A loopback-only instance binds to loopback, so nothing listens on the LAN.
    iceInterfaceAddresses: bindTo,
    icePortRange: options.portRange,
    bundlePolicy: "max-bundle",
  };
}

/**
 * What publishers send: simulcast layers told apart by RTP stream id (rid),
 * and the audio level of every Opus packet for speaker detection (last-N).
 *
 * No transport-cc: werift 0.24's feedback left Chrome's estimate at ~60
 * kbit/s on loopback (only the lowest layer, at 30 kbit/s); Chrome's loss-
 * based estimate, fed by werift's receiver reports, reaches all three layers
 * in about 20 seconds.
 */
const UPSTREAM: Partial<PeerConfig> = {
  codecs: {
    audio: [useOPUS({ parameters: OPUS })],
    video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
  },
  headerExtensions: {
    audio: [useSdesMid(), useAudioLevelIndication()],
    video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId()],
  },
};

/**
 * What subscribers get: one layer per source. Their receiver reports (loss)
 * drive our estimate of their downlink (`simulcast/estimator.ts`).
 */
const DOWNSTREAM: Partial<PeerConfig> = {
  codecs: {
    audio: [useOPUS({ parameters: OPUS })],
    video: [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useREMB()] })],
  },
  headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
};

function localAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((i) => (i ? [i.address] : [])),
  );
}
