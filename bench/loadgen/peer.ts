import {
  MediaStreamTrack,
  type PeerConfig,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  RtpPacket,
  useOPUS,
  useSdesMid,
  useSdesRTPStreamId,
  useVP8,
} from "werift";
import { loopbackStun } from "../../test/support/loopback-stun";
import { StampedSource } from "./media";
import type { MediaSettings } from "./messages";
import type { ReceiveCounter, StreamInfo } from "./receive";
import { type RidOrder, SimulcastSender, simulcastOffer } from "./simulcast";

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

/**
 * A sendonly peer connection with the kinds asked for, its offer made. With
 * `simulcast`, the camera is offered and sent as three layers in the order
 * that server expects (simulcast.ts).
 */
export async function publishingPeer(
  config: Partial<PeerConfig>,
  kinds: Array<"audio" | "video">,
  simulcast?: RidOrder,
): Promise<{
  pc: RTCPeerConnection;
  offer: string;
  start(settings: MediaSettings, random: () => number): StampedSource[];
}> {
  // werift numbers extensions by their place in these lists, so one mid
  // object in both gets one id in both m-lines, as in a browser's offer:
  // Janus reads the mid of unsignalled SSRCs with a single id per connection.
  const mid = useSdesMid();
  const pc = new RTCPeerConnection(
    simulcast
      ? { ...config, headerExtensions: { audio: [mid], video: [mid, useSdesRTPStreamId()] } }
      : config,
  );
  const sending: Array<[MediaStreamTrack, "audio" | "video", RTCRtpTransceiver]> = [];
  for (const kind of kinds) {
    const track = new MediaStreamTrack({ kind });
    sending.push([track, kind, pc.addTransceiver(track, { direction: "sendonly" })]);
  }
  await pc.setLocalDescription(await pc.createOffer());
  const local = pc.localDescription?.sdp;
  if (!local) throw new Error("no local offer");
  const offer = simulcast && kinds.includes("video") ? simulcastOffer(local, simulcast) : local;
  return {
    pc,
    offer,
    start(settings, random) {
      return sending.map(([track, kind, transceiver]) => {
        if (kind === "video" && simulcast) {
          let source: StampedSource | undefined;
          const sender = new SimulcastSender(pc, transceiver, random, (layer) =>
            source?.requestKeyframe(layer),
          );
          source = new StampedSource(
            (layer, header, payload) => sender.send(layer, header, payload),
            kind,
            settings,
            random,
          );
          return source;
        }
        const source = new StampedSource(
          (_, header, payload) => track.writeRtp(new RtpPacket(header, payload)),
          kind,
          settings,
          random,
        );
        if (kind === "video")
          transceiver.sender.onPictureLossIndication.subscribe(() => source.requestKeyframe());
        return source;
      });
    },
  };
}

/** What a receiving peer knows of the video it shows: the layer its tiles ask for, if any. */
export interface ReceiverOptions {
  wantedLayer?: number;
}

/** A receiving peer connection that counts every stamped packet; `onFirst` fires on the first. */
export function receivingPeer(
  config: Partial<PeerConfig>,
  name: string,
  counter: ReceiveCounter,
  onFirst: () => void,
  options: ReceiverOptions = {},
): RTCPeerConnection {
  const pc = new RTCPeerConnection(config);
  let first = true;
  pc.onRemoteTransceiverAdded.subscribe((transceiver) => {
    // As in test/support/werift-client.ts: keep werift from recycling an
    // inactive transceiver for a new mid when answering a grown offer.
    transceiver.usedForSender = true;
    transceiver.onTrack.subscribe((track) => {
      const kind = track.kind === "audio" ? "audio" : "video";
      const infos = new Map<number, StreamInfo>();
      track.onReceiveRtp.subscribe((packet) => {
        const ssrc = packet.header.ssrc;
        let info = infos.get(ssrc);
        if (!info) {
          info = {
            kind,
            ...(options.wantedLayer !== undefined ? { wantedLayer: options.wantedLayer } : {}),
            requestKeyframe: () => {
              transceiver.receiver.sendRtcpPLI(ssrc).catch(() => undefined);
            },
          };
          infos.set(ssrc, info);
        }
        const stamped = counter.receive(`${name}/${ssrc}`, packet.payload, info);
        if (stamped && first) {
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
