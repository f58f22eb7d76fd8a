import type { TrackInfo } from "../../protocol/messages";
import { gathered, PEER_CONFIG } from "./ice";
import type { Signalling } from "./signalling";

/**
 * The downstream connection: what this participant receives. The server
 * offers it, and offers again whenever someone's tracks come or go; each
 * offer says which m-line (mid) carries whose audio or video.
 */
export class Subscriber {
  private readonly pc = new RTCPeerConnection(PEER_CONFIG);
  /** One stream per remote participant, holding their audio and video tracks. */
  private readonly streams = new Map<string, MediaStream>();
  /** Offers are applied in order, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly signalling: Signalling,
    private readonly onStreams: (streams: ReadonlyMap<string, MediaStream>) => void,
  ) {}

  handleOffer(sdp: string, tracks: TrackInfo[]): void {
    this.chain = this.chain
      .then(() => this.apply(sdp, tracks))
      .catch((error: Error) => console.error("subscriber offer failed", error));
  }

  private async apply(sdp: string, tracks: TrackInfo[]): Promise<void> {
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gathered(this.pc);
    const answer = this.pc.localDescription?.sdp;
    if (!answer || this.closed) return;
    this.map(tracks);
    await this.signalling.request("subscriber-answer", { sdp: answer });
  }

  /** Rebuilds the participant -> stream map from the offer's track list. */
  private map(tracks: TrackInfo[]): void {
    const byMid = new Map(this.pc.getTransceivers().map((t) => [t.mid, t]));
    const wanted = new Map<string, MediaStreamTrack[]>();
    for (const info of tracks) {
      const track = byMid.get(info.mid)?.receiver.track;
      if (!track) continue;
      wanted.set(info.participantId, [...(wanted.get(info.participantId) ?? []), track]);
    }
    for (const [id, stream] of this.streams) {
      const keep = wanted.get(id);
      if (!keep) this.streams.delete(id);
      else for (const t of stream.getTracks()) if (!keep.includes(t)) stream.removeTrack(t);
    }
    for (const [id, list] of wanted) {
      let stream = this.streams.get(id);
      if (!stream) {
        stream = new MediaStream();
        this.streams.set(id, stream);
      }
      for (const t of list) if (!stream.getTracks().includes(t)) stream.addTrack(t);
    }
    this.onStreams(this.streams);
  }

  streamOf(participantId: string): MediaStream | undefined {
    return this.streams.get(participantId);
  }

  get connection(): RTCPeerConnection {
    return this.pc;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.clear();
    this.pc.close();
  }
}
