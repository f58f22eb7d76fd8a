import type { IceServer, MediaSource, TrackInfo } from "../../protocol/messages";
import type { E2ee } from "./e2ee/controller";
import { transformPeerConfig } from "./e2ee/transforms";
import { gathered, PEER_CONFIG, withIceServers } from "./ice";
import { forThisBrowser } from "./sdp";
import type { Signalling } from "./signalling";

/** What arrives from remote participants, by participant id. */
export interface RemoteStreams {
  /** Microphone and camera together, so one element plays both. */
  media: ReadonlyMap<string, MediaStream>;
  screens: ReadonlyMap<string, MediaStream>;
}

/**
 * The downstream connection: what this participant receives. The server
 * offers it, and offers again whenever someone's tracks come or go; each
 * offer says which m-line (mid) carries whose microphone, camera or screen.
 */
export class Subscriber {
  /** Kept: setConfiguration must repeat every setting (a changed one throws). */
  private readonly config: RTCConfiguration = { ...PEER_CONFIG, ...transformPeerConfig() };
  private readonly pc = new RTCPeerConnection(this.config);
  private readonly media = new Map<string, MediaStream>();
  private readonly screens = new Map<string, MediaStream>();
  private owners = new Map<string, { participantId: string; source: MediaSource }>();
  /** Offers are applied in order, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /**
   * Whether (and with what) to decrypt, known once the join result is in;
   * until then no offer is applied, so no receiver can exist without its
   * transform (docs/E2EE.md, "No plaintext path").
   */
  private decided: { e2ee: E2ee | undefined } | undefined;
  /** The latest offer that arrived before the decision (each offer replaces the last). */
  private early: { sdp: string; tracks: TrackInfo[] } | undefined;
  /** Decrypting transform id -> its transceiver, to tell whose frames fail. */
  private readonly transforms = new Map<string, RTCRtpTransceiver>();

  constructor(
    private readonly signalling: Signalling,
    private readonly onStreams: (streams: RemoteStreams) => void,
  ) {
    // Every receiver decrypts as soon as it exists, before its first frame reaches the decoder.
    this.pc.addEventListener("track", () => this.attachTransforms());
  }

  /** The join result is in: decrypt with `e2ee`, or (an unencrypted meeting) not at all. */
  decryptWith(e2ee: E2ee | undefined): void {
    // Decided once: a later call (a reconnect) cannot take the transforms away.
    if (this.decided) return;
    this.decided = { e2ee };
    const early = this.early;
    this.early = undefined;
    if (early) this.handleOffer(early.sdp, early.tracks);
  }

  private get e2ee(): E2ee | undefined {
    return this.decided?.e2ee;
  }

  /** Gives every receiver that has none its decrypting transform. */
  private attachTransforms(): void {
    const e2ee = this.e2ee;
    if (!e2ee) return;
    const attached = new Set(this.transforms.values());
    for (const transceiver of this.pc.getTransceivers()) {
      if (attached.has(transceiver)) continue;
      const kind = transceiver.receiver.track.kind === "audio" ? "audio" : "video";
      this.transforms.set(e2ee.decryptReceiver(transceiver.receiver, kind), transceiver);
    }
    this.bindOwners();
  }

  /** Tells the decryption which member each receive transform carries (m-lines are reused). */
  private bindOwners(): void {
    if (!this.e2ee) return;
    for (const [id, transceiver] of this.transforms) {
      const owner = transceiver.mid ? this.owners.get(transceiver.mid) : undefined;
      if (owner) this.e2ee.ownedBy(id, owner.participantId);
    }
  }

  /**
   * The operator's TURN servers, known once joined: set before the server's
   * first offer, so gathering for the answer already uses them.
   */
  useIceServers(iceServers: readonly IceServer[]): void {
    if (iceServers.length === 0 || this.closed) return;
    this.pc.setConfiguration(withIceServers(this.config, iceServers));
  }

  /** The participant whose frames arrive through the transform `id`. */
  ownerOfTransform(id: string): string | undefined {
    const mid = this.transforms.get(id)?.mid;
    return mid ? this.owners.get(mid)?.participantId : undefined;
  }

  handleOffer(sdp: string, tracks: TrackInfo[]): void {
    if (!this.decided) {
      this.early = { sdp, tracks };
      return;
    }
    this.chain = this.chain
      .then(() => this.apply(sdp, tracks))
      .catch((error: Error) => console.error("subscriber offer failed", error));
  }

  private async apply(sdp: string, tracks: TrackInfo[]): Promise<void> {
    if (this.closed) return;
    await this.pc.setRemoteDescription({ type: "offer", sdp: forThisBrowser(sdp) });
    // Before the answer lets media flow: a reused or new m-line gets its transform here at the latest.
    this.attachTransforms();
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gathered(this.pc);
    const answer = this.pc.localDescription?.sdp;
    if (!answer || this.closed) return;
    this.map(tracks);
    await this.signalling.request("subscriber-answer", { sdp: answer });
  }

  /** Rebuilds the participant -> stream maps from the offer's track list. */
  private map(tracks: TrackInfo[]): void {
    const byMid = new Map(this.pc.getTransceivers().map((t) => [t.mid, t]));
    const wanted = { media: new Map<string, MediaStreamTrack[]>(), screens: new Map() };
    this.owners = new Map();
    for (const info of tracks) {
      const track = byMid.get(info.mid)?.receiver.track;
      if (!track) continue;
      this.owners.set(info.mid, { participantId: info.participantId, source: info.source });
      const into: Map<string, MediaStreamTrack[]> =
        info.source === "screen" ? wanted.screens : wanted.media;
      into.set(info.participantId, [...(into.get(info.participantId) ?? []), track]);
    }
    reconcile(this.media, wanted.media);
    reconcile(this.screens, wanted.screens);
    this.bindOwners();
    this.onStreams({ media: this.media, screens: this.screens });
  }

  /**
   * Asks the SFU, which offers this connection, to offer it again with new
   * ICE credentials; the offer arrives as any other (`handleOffer`).
   */
  async restartIce(): Promise<void> {
    if (this.closed) return;
    await this.signalling.request("subscriber-ice-restart", {});
  }

  streamOf(participantId: string): MediaStream | undefined {
    return this.media.get(participantId);
  }

  screenOf(participantId: string): MediaStream | undefined {
    return this.screens.get(participantId);
  }

  /** Whose track, and which source, arrives on `mid` (for statistics). */
  ownerOf(mid: string): { participantId: string; source: MediaSource } | undefined {
    return this.owners.get(mid);
  }

  get connection(): RTCPeerConnection {
    return this.pc;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.media.clear();
    this.screens.clear();
    this.pc.close();
  }
}

/**
 * Keeps each MediaStream object while its tracks change, so a playing element
 * keeps playing; drops streams nobody sends any more.
 */
function reconcile(streams: Map<string, MediaStream>, wanted: Map<string, MediaStreamTrack[]>) {
  for (const [id, stream] of streams) {
    const keep = wanted.get(id);
    if (!keep) streams.delete(id);
    else for (const t of stream.getTracks()) if (!keep.includes(t)) stream.removeTrack(t);
  }
  for (const [id, list] of wanted) {
    let stream = streams.get(id);
    if (!stream) {
      stream = new MediaStream();
      streams.set(id, stream);
    }
    for (const t of list) if (!stream.getTracks().includes(t)) stream.addTrack(t);
  }
}
