import { type PeerConfig, RTCPeerConnection, type RTCRtpReceiver, type RtpPacket } from "werift";
import { mediaMetrics } from "../metrics";
import { kindOf, type MediaSource, type SourceMapping } from "../types";

export type RtpListener = (packet: RtpPacket) => void;
/** Told when a source becomes forwardable (`true`) or stops being so (`false`). */
export type TrackWatcher = (source: MediaSource, forwarded: boolean) => void;

/**
 * A jump in sequence numbers larger than this is a restart or reordering, not
 * loss; counting it would swamp the loss metric.
 */
const MAX_COUNTED_GAP = 1000;

/** Chrome asks for key frames itself when it needs them; more than this is waste. */
const KEYFRAME_INTERVAL_MS = 500;

interface Received {
  receiver: RTCRtpReceiver;
  /** The SSRC last seen (PLI needs it). */
  ssrc?: number;
  /** Throttles PLI per source: camera and screen have their own encoders. */
  lastKeyframeRequest: number;
  /** The highest sequence number seen, for the loss metric. */
  lastSeq?: number;
}

/**
 * What one participant sends: a receive-only peer connection whose tracks fan
 * out to listeners (one per subscriber). The client offers; we answer. Tracks
 * are known by their source (microphone, camera, screen), which the client
 * names per m-line, because two video m-lines cannot be told apart by kind.
 */
export class Upstream {
  readonly pc: RTCPeerConnection;
  private readonly tracks = new Map<MediaSource, Received>();
  private readonly listeners = new Map<MediaSource, Set<RtpListener>>();
  private readonly trackWatchers = new Set<TrackWatcher>();
  private sourceByMid = new Map<string, MediaSource>();
  /** Sources whose packets are dropped here, before any subscriber sees them. */
  private readonly blocked = new Set<MediaSource>(["screen"]);
  /** Sources held back by a moderator's mute; unlike blocked ones, subscribers keep their m-line. */
  private readonly paused = new Set<MediaSource>();
  private closed = false;

  constructor(config: Partial<PeerConfig>) {
    this.pc = new RTCPeerConnection(config);
    this.pc.onTrack.subscribe((track) => {
      const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track === track);
      if (this.closed || !transceiver) return;
      const source = this.sourceOf(transceiver.mid ?? undefined, track.kind);
      if (!source || this.tracks.has(source) || kindOf(source) !== track.kind) return;
      const entry: Received = { receiver: transceiver.receiver, lastKeyframeRequest: 0 };
      this.tracks.set(source, entry);
      track.onReceiveRtp.subscribe((packet) => {
        entry.ssrc = packet.header.ssrc;
        countLoss(entry, packet.header.sequenceNumber, track.kind === "audio" ? "audio" : "video");
        if (this.blocked.has(source) || this.paused.has(source)) return;
        for (const listener of this.listeners.get(source) ?? []) listener(packet);
      });
      if (!this.blocked.has(source)) for (const watch of this.trackWatchers) watch(source, true);
    });
  }

  /** The named source of an m-line, or the default for the first m-line of a kind. */
  private sourceOf(mid: string | undefined, kind: string): MediaSource | undefined {
    if (this.sourceByMid.size > 0) return mid === undefined ? undefined : this.sourceByMid.get(mid);
    return kind === "audio" ? "microphone" : kind === "video" ? "camera" : undefined;
  }

  /** Answers the client's offer; only m-lines of a known source are used. */
  async answer(offerSdp: string, sources: SourceMapping[] = []): Promise<string> {
    this.sourceByMid = new Map(sources.map((s) => [s.mid, s.source]));
    await this.pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error("no local description after answering");
    return sdp;
  }

  /**
   * Tells `watch` about every forwarded source, present and future, and when
   * one stops being forwarded: subscribers get an m-line for a screen only
   * while it is shared. Returns a disposer.
   */
  watchTracks(watch: TrackWatcher): () => void {
    for (const source of this.tracks.keys()) if (!this.blocked.has(source)) watch(source, true);
    this.trackWatchers.add(watch);
    return () => this.trackWatchers.delete(watch);
  }

  /** Subscribes to one source's RTP; returns a disposer. */
  listen(source: MediaSource, listener: RtpListener): () => void {
    let set = this.listeners.get(source);
    if (!set) {
      set = new Set();
      this.listeners.set(source, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  pause(source: MediaSource, paused: boolean): void {
    if (paused) this.paused.add(source);
    else this.paused.delete(source);
  }

  setForwarding(source: MediaSource, on: boolean): void {
    if (on === !this.blocked.has(source)) return;
    if (on) this.blocked.delete(source);
    else this.blocked.add(source);
    // Subscribers renegotiate and ask for a key frame once their m-line exists.
    if (this.tracks.has(source)) for (const watch of this.trackWatchers) watch(source, on);
  }

  /** Asks the sender for a key frame of a video source (PLI), throttled. */
  requestKeyframe(source: MediaSource): void {
    const video = this.tracks.get(source);
    const now = Date.now();
    if (kindOf(source) !== "video" || !video?.ssrc || this.closed) return;
    if (now - video.lastKeyframeRequest < KEYFRAME_INTERVAL_MS) return;
    video.lastKeyframeRequest = now;
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

/** Counts the packets skipped between the last sequence number and this one (mod 2^16). */
function countLoss(entry: Received, seq: number, kind: "audio" | "video"): void {
  const last = entry.lastSeq;
  const gap = last === undefined ? 0 : (seq - last - 1 + 0x10000) & 0xffff;
  // A gap near 2^16 is a late (reordered) packet: keep the newer position.
  if (gap >= 0x8000) return;
  entry.lastSeq = seq;
  if (gap > 0 && gap <= MAX_COUNTED_GAP) mediaMetrics.lost(kind, gap);
}
