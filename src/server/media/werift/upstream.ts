import { type PeerConfig, RTCPeerConnection, type RTCRtpReceiver, type RtpPacket } from "werift";
import type { MediaKind } from "../types";

export type RtpListener = (packet: RtpPacket) => void;

/** Chrome asks for key frames itself when it needs them; more than this is waste. */
const KEYFRAME_INTERVAL_MS = 500;

/**
 * What one participant sends: a receive-only peer connection whose tracks fan
 * out to listeners (one per subscriber). The client offers; we answer.
 */
export class Upstream {
  readonly pc: RTCPeerConnection;
  /** The receiver of each kind, and the SSRC it last saw (PLI needs it). */
  private readonly tracks = new Map<MediaKind, { receiver: RTCRtpReceiver; ssrc?: number }>();
  private readonly listeners = new Map<MediaKind, Set<RtpListener>>();
  private readonly trackWatchers = new Set<(kind: MediaKind) => void>();
  private readonly paused = new Set<MediaKind>();
  private lastKeyframeRequest = 0;
  private closed = false;

  constructor(config: Partial<PeerConfig>) {
    this.pc = new RTCPeerConnection(config);
    this.pc.onTrack.subscribe((track) => {
      const kind = track.kind as MediaKind;
      if (this.closed || this.tracks.has(kind)) return;
      const receiver = this.pc.getReceivers().find((r) => r.track === track);
      if (!receiver) return;
      const entry: { receiver: RTCRtpReceiver; ssrc?: number } = { receiver };
      this.tracks.set(kind, entry);
      track.onReceiveRtp.subscribe((packet) => {
        entry.ssrc = packet.header.ssrc;
        if (this.paused.has(kind)) return;
        for (const listener of this.listeners.get(kind) ?? []) listener(packet);
      });
      for (const watch of this.trackWatchers) watch(kind);
    });
  }

  /** Answers the client's offer; only the first audio and first video m-line are used. */
  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error("no local description after answering");
    return sdp;
  }

  get kinds(): MediaKind[] {
    return [...this.tracks.keys()];
  }

  /** Calls `watch` for every track kind, present and future. Returns a disposer. */
  watchTracks(watch: (kind: MediaKind) => void): () => void {
    for (const kind of this.tracks.keys()) watch(kind);
    this.trackWatchers.add(watch);
    return () => this.trackWatchers.delete(watch);
  }

  /** Subscribes to one kind's RTP; returns a disposer. */
  listen(kind: MediaKind, listener: RtpListener): () => void {
    let set = this.listeners.get(kind);
    if (!set) {
      set = new Set();
      this.listeners.set(kind, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  pause(kind: MediaKind, paused: boolean): void {
    if (paused) this.paused.add(kind);
    else this.paused.delete(kind);
  }

  /** Asks the sender for a key frame (PLI), throttled. */
  requestKeyframe(): void {
    const video = this.tracks.get("video");
    const now = Date.now();
    if (!video?.ssrc || this.closed || now - this.lastKeyframeRequest < KEYFRAME_INTERVAL_MS)
      return;
    this.lastKeyframeRequest = now;
    video.receiver.sendRtcpPLI(video.ssrc).catch(() => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.trackWatchers.clear();
    void this.pc.close();
  }
}
