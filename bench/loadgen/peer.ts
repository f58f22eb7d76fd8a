import {
  MediaStreamTrack,
  type PeerConfig,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  useOPUS,
  useSdesMid,
  useVP8,
} from "werift";
import { loopbackStun } from "../../test/support/loopback-stun";
import { type ReceiveCounter, StampedSource } from "./media";
import type { MediaSettings } from "./messages";

/**
 * Peer settings of a load generator client in the client namespace: its
 * veth address only, and a STUN responder on the namespace's own loopback
 * (werift asks Google's STUN server when given none; the namespace has no
 * route out, but it should not even try).
 */
export async function clientPeerConfig(clientAddress: string): Promise<Partial<PeerConfig>> {
  const stun = await loopbackStun();
  return {
    codecs: {
      audio: [useOPUS()],
      video: [useVP8()],
    },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    iceServers: [{ urls: stun.url }],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [clientAddress],
    iceInterfaceAddresses: { udp4: clientAddress },
    bundlePolicy: "max-bundle",
  };
}

/** A sendonly peer connection with the kinds asked for, its offer made. */
export async function publishingPeer(
  config: Partial<PeerConfig>,
  kinds: Array<"audio" | "video">,
): Promise<{
  pc: RTCPeerConnection;
  offer: string;
  start(settings: MediaSettings, random: () => number): StampedSource[];
}> {
  const pc = new RTCPeerConnection(config);
  const sending: Array<[MediaStreamTrack, "audio" | "video", RTCRtpTransceiver]> = [];
  for (const kind of kinds) {
    const track = new MediaStreamTrack({ kind });
    sending.push([track, kind, pc.addTransceiver(track, { direction: "sendonly" })]);
  }
  await pc.setLocalDescription(await pc.createOffer());
  const offer = pc.localDescription?.sdp;
  if (!offer) throw new Error("no local offer");
  return {
    pc,
    offer,
    start(settings, random) {
      return sending.map(([track, kind, transceiver]) => {
        const source = new StampedSource(track, kind, settings, random);
        if (kind === "video")
          transceiver.sender.onPictureLossIndication.subscribe(() => source.requestKeyframe());
        return source;
      });
    },
  };
}

/** A receiving peer connection that counts every stamped packet; `onFirst` fires on the first. */
export function receivingPeer(
  config: Partial<PeerConfig>,
  name: string,
  counter: ReceiveCounter,
  onFirst: () => void,
): RTCPeerConnection {
  const pc = new RTCPeerConnection(config);
  let first = true;
  pc.onRemoteTransceiverAdded.subscribe((transceiver) => {
    // As in test/support/werift-client.ts: keep werift from recycling an
    // inactive transceiver for a new mid when answering a grown offer.
    transceiver.usedForSender = true;
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet) => {
        if (counter.receive(`${name}/${packet.header.ssrc}`, packet.payload) && first) {
          first = false;
          onFirst();
        }
      });
    });
  });
  return pc;
}

/** Resolves once `pc` is connected; rejects when it fails (werift gives up ICE after a few seconds). */
export function connected(pc: RTCPeerConnection, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (state: string) => {
      if (state === "connected") resolve();
      else if (state === "failed" || state === "closed")
        reject(new Error(`${what}: connection ${state}`));
    };
    check(pc.connectionState);
    pc.connectionStateChange.subscribe(check);
  });
}

/** Rejects when `pc` fails, for racing against the first media packet. */
export function failure(pc: RTCPeerConnection, what: string): Promise<never> {
  return new Promise((_, reject) => {
    pc.connectionStateChange.subscribe((state) => {
      if (state === "failed") reject(new Error(`${what}: connection failed`));
    });
  });
}
