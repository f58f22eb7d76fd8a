import { isIP } from "node:net";
import { type PeerConfig, useOPUS, useSdesMid, useVP8 } from "werift";

export interface WeriftOptions {
  /** Addresses announced as host candidates; the only ones used. */
  addresses: string[];
  portRange: [number, number] | undefined;
  /** Install the forwarding fast path into werift (default on); see ./fast/install.ts. */
  fastPath?: boolean;
}

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
export function peerConfig(options: WeriftOptions): Partial<PeerConfig> {
  const v4 = options.addresses.filter((a) => isIP(a) === 4);
  const v6 = options.addresses.filter((a) => isIP(a) === 6);
  const allLoopback = options.addresses.every((a) => LOOPBACK.test(a));
  return {
    codecs: {
      audio: [useOPUS({ parameters: "minptime=10;useinbandfec=1" })],
      video: [useVP8()],
    },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    iceServers: [],
    iceLite: true,
    // Host addresses come from the configuration only, never from interface enumeration.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: options.addresses,
    // A loopback-only instance binds to loopback, so nothing listens on the LAN.
    iceInterfaceAddresses: allLoopback ? { udp4: v4[0], udp6: v6[0] } : undefined,
    icePortRange: options.portRange,
    bundlePolicy: "max-bundle",
  };
}
