import type { IceServer, MediaSource } from "../../protocol/messages";
import type { E2ee } from "./e2ee/controller";
import { transformPeerConfig } from "./e2ee/transforms";
import { gathered, PEER_CONFIG, withIceServers } from "./ice";
import { forThisBrowser } from "./sdp";
import type { Signalling } from "./signalling";

/**
 * The camera is sent as three VP8 simulcast layers, lowest first (the server
 * numbers them in this order): a quarter, half and full size of the 720p
 * capture. The server forwards each subscriber the one its tile needs and
 * its downlink carries. A screen stays one layer: text must stay sharp.
 */
const CAMERA_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: "q", scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: "h", scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: "f", scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

/**
 * The upstream connection: what this participant sends. It is negotiated once,
 * with an empty slot per source (microphone, camera, screen); switching a
 * device on, off or to another device only swaps the track in its slot, so no
 * renegotiation is needed. The offer tells the server which m-line is which.
 */
export class Publisher {
  private readonly pc: RTCPeerConnection;
  private readonly slots: Record<MediaSource, RTCRtpTransceiver>;
  private closed = false;
  /** Set by `start`: an ICE restart renegotiates through the same signalling. */
  private signalling: Signalling | undefined;

  /**
   * With `e2ee`, every slot is encrypted before anything is sent, so no frame
   * leaves in clear. `iceServers`: the operator's TURN from the join reply.
   */
  constructor(e2ee?: E2ee, iceServers: readonly IceServer[] = []) {
    this.pc = new RTCPeerConnection(
      withIceServers({ ...PEER_CONFIG, ...transformPeerConfig() }, iceServers),
    );
    this.slots = {
      microphone: this.pc.addTransceiver("audio", { direction: "sendonly" }),
      camera: this.pc.addTransceiver("video", {
        direction: "sendonly",
        sendEncodings: CAMERA_LAYERS.map((l) => ({ ...l })),
      }),
      screen: this.pc.addTransceiver("video", { direction: "sendonly" }),
    };
    if (!e2ee) return;
    for (const [source, t] of Object.entries(this.slots))
      e2ee.encryptSender(t.sender, source === "microphone" ? "audio" : "video");
  }

  async start(signalling: Signalling): Promise<void> {
    this.signalling = signalling;
    await this.negotiate(signalling, {});
  }

  /**
   * Offers the same connection again with new ICE credentials (`publish`
   * once more); the SFU answers with its own new ones. Slots, tracks and
   * encryption stay as they are.
   */
  async restartIce(): Promise<void> {
    if (this.closed) return;
    if (!this.signalling || this.pc.signalingState !== "stable")
      throw new Error("the upstream connection is still being negotiated");
    await this.negotiate(this.signalling, { iceRestart: true });
  }

  private async negotiate(signalling: Signalling, options: RTCOfferOptions): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer(options));
    await gathered(this.pc);
    const offer = this.pc.localDescription?.sdp;
    if (!offer) throw new Error("no offer");
    const tracks = (Object.entries(this.slots) as [MediaSource, RTCRtpTransceiver][]).flatMap(
      ([source, t]) => (t.mid ? [{ mid: t.mid, source }] : []),
    );
    const { sdp } = await signalling.request("publish", { sdp: offer, tracks });
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: "answer", sdp: forThisBrowser(sdp) });
  }

  /** Puts `track` (or nothing) in the slot of `source`. */
  async send(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    const sender = this.slots[source].sender;
    if (sender.track !== track) await sender.replaceTrack(track);
  }

  get connection(): RTCPeerConnection {
    return this.pc;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pc.close();
  }
}
