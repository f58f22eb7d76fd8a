import { gathered, PEER_CONFIG } from "./ice";
import type { Signalling } from "./signalling";

/**
 * The upstream connection: what this participant sends. It is negotiated once,
 * with an empty audio and video slot; switching a device on or off only swaps
 * the track in its slot, so no renegotiation is needed.
 */
export class Publisher {
  private readonly pc = new RTCPeerConnection(PEER_CONFIG);
  private readonly audio = this.pc.addTransceiver("audio", { direction: "sendonly" });
  private readonly video = this.pc.addTransceiver("video", { direction: "sendonly" });
  private closed = false;

  async start(signalling: Signalling): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gathered(this.pc);
    const offer = this.pc.localDescription?.sdp;
    if (!offer) throw new Error("no offer");
    const { sdp } = await signalling.request("publish", { sdp: offer });
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: "answer", sdp });
  }

  /** Puts `track` (or nothing) in the slot of its kind. */
  async send(kind: "audio" | "video", track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    await (kind === "audio" ? this.audio : this.video).sender.replaceTrack(track);
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
