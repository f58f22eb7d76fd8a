import {
  type MediaStreamTrack,
  type PeerConfig,
  RTCPeerConnection,
  type RTCRtpReceiver,
  type RTCRtpTransceiver,
  RTP_EXTENSION_URI,
  type RtpPacket,
} from "werift";
import { mediaMetrics } from "../metrics";
import { parseVp8, type Vp8Info } from "../simulcast/vp8";
import { kindOf, type MediaSource, type SourceMapping } from "../types";
import { Layer, liveLayers } from "./layer";
import { UpstreamNacks } from "./nack";
import { SpeechDetector } from "./speech";

/**
 * One packet of a source: its simulcast `layer` (0 = lowest; always 0 for
 * audio and single-layer video) and, for VP8, its parsed payload descriptor.
 */
export type RtpListener = (packet: RtpPacket, layer: number, vp8: Vp8Info | undefined) => void;
/** Told when a source becomes forwardable (`true`) or stops being so (`false`). */
export type TrackWatcher = (source: MediaSource, forwarded: boolean) => void;

interface Received {
  receiver: RTCRtpReceiver;
  /** Lowest first: the client lists its simulcast encodings from small to large. */
  layers: Layer[];
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
  /** Whether this person speaks, from the audio level of their microphone's packets. */
  readonly speech = new SpeechDetector();
  /** Our NACKs to the publisher, one per video receiver (werift's mix up simulcast layers). */
  private readonly nacks: UpstreamNacks[] = [];
  /** Key frame requests waiting for the throttle, one per layer at most. */
  private readonly deferred = new Map<Layer, { timer: NodeJS.Timeout; starting: boolean }>();
  private closed = false;

  constructor(config: Partial<PeerConfig>) {
    this.pc = new RTCPeerConnection(config);
    this.pc.onTrack.subscribe((track) => {
      const transceiver = this.pc.getTransceivers().find((t) => t.receiver.track === track);
      if (this.closed || !transceiver) return;
      const source = this.sourceOf(transceiver.mid ?? undefined, track.kind);
      if (!source || this.tracks.has(source) || kindOf(source) !== track.kind) return;
      this.receive(source, transceiver);
      if (!this.blocked.has(source)) for (const watch of this.trackWatchers) watch(source, true);
    });
  }

  /** Fans out every layer's packets of `source` (a simulcast receiver has one track per rid). */
  private receive(source: MediaSource, transceiver: RTCRtpTransceiver): void {
    const tracks: MediaStreamTrack[] =
      transceiver.receiver.tracks.length > 0
        ? transceiver.receiver.tracks
        : [transceiver.receiver.track];
    const entry: Received = { receiver: transceiver.receiver, layers: [] };
    this.tracks.set(source, entry);
    const nacks =
      source !== "microphone" && transceiver.receiver.nackEnabled
        ? new UpstreamNacks(transceiver.receiver, (ssrc) => {
            const index = entry.layers.findIndex((l) => l.ssrc === ssrc);
            if (index >= 0) this.requestKeyframe(source, index);
          })
        : undefined;
    if (nacks) this.nacks.push(nacks);
    const levelId = transceiver.headerExtensions.find(
      (e) => e.uri === RTP_EXTENSION_URI.audioLevelIndication,
    )?.id;
    tracks.forEach((track, index) => {
      const layer = new Layer(track.rid);
      entry.layers.push(layer);
      const kind = source === "microphone" ? "audio" : "video";
      track.onReceiveRtp.subscribe((packet) => {
        countLoss(layer, packet.header.sequenceNumber, kind);
        nacks?.received(packet.header.ssrc, packet.header.sequenceNumber);
        const now = Date.now();
        const vp8 = source === "microphone" ? undefined : parseVp8(packet.payload);
        layer.received(packet, vp8, now);
        // A subscriber starting on this layer may be asked for sooner once a key frame came.
        if (vp8?.keyframe) this.hurryDeferred(source, layer);
        if (levelId !== undefined) this.speech.level(packet, levelId, now);
        if (this.blocked.has(source) || this.paused.has(source)) return;
        for (const listener of this.listeners.get(source) ?? []) listener(packet, index, vp8);
      });
    });
  }

  /** The layers of `source` that arrive now, lowest first, with their layer numbers. */
  layersOf(source: MediaSource): { index: number; layer: Layer }[] {
    return liveLayers(this.tracks.get(source)?.layers ?? []);
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
    // DTLS server (a=setup:passive): the browser, which chose the candidate
    // pair, starts the handshake. As the client, werift (ICE-lite) sends its
    // first flight to a pair of its own choosing, which need not be the one
    // that works once the host has more than one address: the upstream then
    // hangs in "connecting" while downstreams (werift offers, the browser is
    // the client) connect.
    for (const dtls of this.pc.dtlsTransports) if (dtls.role === "auto") dtls.role = "server";
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error("no local description after answering");
    return withOpusFecAndDtx(sdp);
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

  /**
   * Asks the sender for a key frame of one layer of a video source (PLI),
   * at most once a second per layer, or sooner for a subscriber `starting`
   * on it (`Layer.requestKeyframe`): however many subscribers switch or lose
   * packets, the publisher's encoder is not made to send key frames back to
   * back. Without `layer`, every layer.
   */
  requestKeyframe(source: MediaSource, layer?: number, starting = false): void {
    const video = this.tracks.get(source);
    if (kindOf(source) !== "video" || !video || this.closed) return;
    const now = Date.now();
    const layers = layer === undefined ? video.layers : [video.layers[layer]];
    for (const l of layers) {
      const held = l && this.deferred.get(l);
      // Held back already: only a request that may go sooner changes anything.
      if (!l || (held && (held.starting || !starting))) continue;
      if (held) clearTimeout(held.timer);
      this.deferred.delete(l);
      const answer = l.requestKeyframe(now, starting);
      if (!answer) continue;
      if ("ssrc" in answer) video.receiver.sendRtcpPLI(answer.ssrc).catch(() => undefined);
      else {
        // Throttled: asked once the interval is over, however many asked meanwhile.
        const timer = setTimeout(() => {
          this.deferred.delete(l);
          if (!this.closed) this.requestKeyframe(source, video.layers.indexOf(l), starting);
        }, answer.wait);
        this.deferred.set(l, { timer, starting });
      }
    }
  }

  private hurryDeferred(source: MediaSource, layer: Layer): void {
    const held = this.deferred.get(layer);
    if (!held?.starting) return;
    clearTimeout(held.timer);
    this.deferred.delete(layer);
    const index = this.tracks.get(source)?.layers.indexOf(layer) ?? -1;
    if (index >= 0) this.requestKeyframe(source, index, true);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.trackWatchers.clear();
    for (const { timer } of this.deferred.values()) clearTimeout(timer);
    this.deferred.clear();
    for (const nacks of this.nacks) nacks.close();
    void this.pc.close();
  }
}

/**
 * werift answers with the offer's Opus parameters, not its own, and Chrome
 * offers no DTX. The answer's fmtp is the receiver's wish (RFC 7587): we ask
 * for in-band FEC and DTX, so the browser sends both. Only the SDP the browser
 * reads changes; werift receives whatever arrives.
 */
export function withOpusFecAndDtx(sdp: string): string {
  const opus = [...sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000/gim)].map((m) => m[1]);
  return sdp.replace(
    /^a=fmtp:(\d+) (.*?)(\r?)$/gm,
    (line, pt: string, params: string, cr: string) => {
      if (!opus.includes(pt)) return line;
      const kept = params.split(";").filter((p) => p && !/^(useinbandfec|usedtx)=/.test(p));
      return `a=fmtp:${pt} ${[...kept, "useinbandfec=1", "usedtx=1"].join(";")}${cr}`;
    },
  );
}

/**
 * A jump in sequence numbers larger than this is a restart or reordering, not
 * loss; counting it would swamp the loss metric.
 */
const MAX_COUNTED_GAP = 1000;

/** Counts the packets skipped between the layer's last sequence number and this one (mod 2^16). */
function countLoss(layer: { lastSeq?: number }, seq: number, kind: "audio" | "video"): void {
  const last = layer.lastSeq;
  const gap = last === undefined ? 0 : (seq - last - 1 + 0x10000) & 0xffff;
  // A gap near 2^16 is a late (reordered) packet: keep the newer position.
  if (gap >= 0x8000) return;
  layer.lastSeq = seq;
  if (gap > 0 && gap <= MAX_COUNTED_GAP) mediaMetrics.lost(kind, gap);
}
