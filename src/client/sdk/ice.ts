import type { IceServer } from "../../protocol/messages";

/** Gathering with no STUN/TURN server ends within milliseconds; this bounds a slow one. */
const GATHER_TIMEOUT_MS = 3000;

/**
 * Waits until the connection has gathered its candidates, so the SDP we send
 * carries them all (the server takes no trickled candidates).
 */
export function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/**
 * Peer connections use only ICE servers the operator configured; none by
 * default (the SFU is reachable directly). Never a public STUN server.
 */
export const PEER_CONFIG: RTCConfiguration = { iceServers: [], bundlePolicy: "max-bundle" };

/**
 * The operator's TURN servers from the join reply, with their time-limited
 * credentials: a browser behind a firewall that blocks UDP reaches the SFU
 * through them (TURNS on 443). Empty when the operator runs no TURN.
 */
export function withIceServers(
  config: RTCConfiguration,
  iceServers: readonly IceServer[],
): RTCConfiguration {
  return { ...config, iceServers: iceServers.map((s) => ({ ...s, urls: [...s.urls] })) };
}
