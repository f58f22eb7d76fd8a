import { type PeerConfig, RTCPeerConnection, type RTCRtpTransceiver, RtcpRrPacket } from "werift";
import { mediaMetrics } from "../metrics";
import { LossBasedEstimator } from "../simulcast/estimator";
import { Pacer } from "../simulcast/pacer";
import { StreamRewriter } from "../simulcast/rewriter";
import { selectLayers } from "../simulcast/selector";
import {
  type ForwardedTrack,
  type ForwardingStats,
  kindOf,
  type MediaSource,
  type VideoPreference,
} from "../types";
import { demandsOf, keyOf } from "./allocation";
import { Forward } from "./forward";
import type { Upstream } from "./upstream";

/** How often layers are chosen anew (and key frames asked for again while a switch waits). */
const ALLOCATE_MS = 500;
/** The client hears about its downlink at most this often. */
const DOWNLINK_EVENT_MS = 2000;

/**
 * Negotiation is one offer at a time: changes that arrive while an offer is out
 * are folded into the next one, sent when the answer comes back.
 */
type Negotiation = { state: "idle" } | { state: "offering"; dirty: boolean } | { state: "closed" };

export interface DownstreamEvents {
  offer(sdp: string, tracks: ForwardedTrack[]): void;
  failed(reason: string): void;
  downlink?(bitrate: number): void;
  stats?(stats: ForwardingStats): void;
}

/**
 * What one participant receives: a send-only peer connection that the server
 * offers and renegotiates as sources come and go.
 */
export class Downstream {
  readonly pc: RTCPeerConnection;
  private readonly forwards = new Map<string, Forward>();
  /**
   * Send-only m-lines whose source went away, kept inactive for the next
   * source of their kind. Without reuse every join and leave would add m-lines
   * for good, and a long meeting's SDP would outgrow a signalling message.
   */
  private readonly idle: Record<"audio" | "video", RTCRtpTransceiver[]> = { audio: [], video: [] };
  private negotiation: Negotiation = { state: "idle" };
  /** The client asked for an ICE restart: the next offer carries new ICE credentials. */
  private iceRestart = false;
  /**
   * One rewriter per m-line, kept while the m-line is reused, so that its
   * sequence numbers continue across layers and across people.
   */
  private readonly rewriters = new WeakMap<RTCRtpTransceiver, StreamRewriter>();
  private preferences = new Map<string, VideoPreference>();
  private readonly estimator = new LossBasedEstimator();
  private readonly pacer = new Pacer();
  /** Forwards in the offer that is out, and those whose offer was answered. */
  private offered: Forward[] = [];
  private readonly answered = new WeakSet<Forward>();
  /** Loss each sender's last receiver report gave (0..1), until the next allocation reads it. */
  private readonly losses = new Map<RTCRtpTransceiver, number>();
  /** Bits per second sent (all, and audio), measured over the last window. */
  private rates = { since: Date.now(), sent: 0, audio: 0 };
  /** The client assumes a good downlink: it hears of the estimate only once that changes markedly. */
  private lastDownlinkEvent = { at: 0, bitrate: this.estimator.estimate };
  private readonly timer: NodeJS.Timeout;
  private readonly counters: ForwardingStats = { layerSwitches: 0, downlink: 0 };

  constructor(
    config: Partial<PeerConfig>,
    private readonly events: DownstreamEvents,
    /** Video of at most this many recent speakers; 0 = all. */
    private readonly lastN = 0,
  ) {
    this.pc = new RTCPeerConnection(config);
    this.pc.connectionStateChange.subscribe((state) => {
      // A fresh connection has a decoder that needs a key frame from everyone.
      if (state === "connected") this.requestKeyframes();
      if (state === "failed") this.events.failed("downstream connection failed");
    });
    // After an ICE restart DTLS stays up and so does `connectionState`: the
    // key frames asked for when the answer came were sent before the new path
    // was chosen, so were lost. Ask again once ICE is back.
    this.pc.iceConnectionStateChange.subscribe((state) => {
      if (state === "connected" && this.pc.connectionState === "connected") this.requestKeyframes();
    });
    this.timer = setInterval(() => this.allocate(), ALLOCATE_MS);
    this.timer.unref();
  }

  /** Starts forwarding `source` of `upstream`. No-op if already forwarded. */
  add(sourceLabel: string, source: MediaSource, upstream: Upstream): void {
    const key = keyOf(sourceLabel, source);
    if (this.negotiation.state === "closed" || this.forwards.has(key)) return;
    const transceiver = this.transceiverFor(kindOf(source));
    let rewriter = this.rewriters.get(transceiver);
    if (!rewriter) {
      rewriter = new StreamRewriter(kindOf(source) === "audio" ? 48000 : 90000);
      this.rewriters.set(transceiver, rewriter);
      this.watchReports(transceiver);
    }
    const forward = new Forward(
      sourceLabel,
      source,
      upstream,
      transceiver,
      rewriter,
      (direction) => {
        mediaMetrics.layerSwitched(direction);
        this.counters.layerSwitches++;
        this.events.stats?.({ ...this.counters });
      },
      this.pacer,
      () => this.allocate(),
    );
    this.forwards.set(key, forward);
    this.renegotiate();
    this.allocate();
  }

  /** How the subscriber shows others' video; layers are chosen anew at once. */
  setPreferences(preferences: VideoPreference[]): void {
    this.preferences = new Map(preferences.map((p) => [keyOf(p.sourceLabel, p.source), p]));
    this.allocate();
  }

  get stats(): ForwardingStats {
    return { ...this.counters };
  }

  /** Remembers the loss of each receiver report about this m-line's stream. */
  private watchReports(transceiver: RTCRtpTransceiver): void {
    const sender = transceiver.sender;
    sender.onRtcp.subscribe((packet) => {
      if (packet.type !== RtcpRrPacket.type && packet.type !== 200) return;
      const reports = (packet as RtcpRrPacket).reports ?? [];
      const mine = reports.find((r) => r.ssrc === sender.ssrc);
      if (!mine) return;
      this.losses.set(transceiver, mine.fractionLost / 256);
      // Congestion is acted on at once, not at the next allocation: audio suffers meanwhile.
      if (mine.fractionLost / 256 > 0.1) this.allocate();
    });
  }

  /**
   * Updates the downlink estimate from the receiver reports since last time,
   * then chooses each video source's layer within it: the size the
   * subscriber shows the tile at, last-N, and the budget (docs/ARCHITECTURE.md).
   */
  private allocate(): void {
    if (this.negotiation.state === "closed") return;
    const now = Date.now();
    this.measure(now);
    if (this.losses.size > 0) {
      const values = [...this.losses.values()];
      this.losses.clear();
      this.estimator.report(Math.max(...values), this.rates.sent, now);
    }
    const estimate = this.estimator.estimate;
    this.pacer.setEstimate(estimate);
    this.counters.downlink = Math.round(estimate);
    const video = [...this.forwards.values()].filter((f) => kindOf(f.source) === "video");
    const demands = demandsOf(
      video.map((f) => f.describe()),
      this.preferences,
      this.lastN,
    );
    const chosen = selectLayers(demands, estimate - this.rates.audio);
    for (const f of video) {
      const layer = chosen.get(keyOf(f.sourceLabel, f.source)) ?? -1;
      // Asking again while a switch waits for its key frame (throttled per layer upstream).
      if (layer !== f.wanted || layer !== f.layer) f.setTarget(layer);
    }
    this.tellDownlink(estimate, now);
  }

  /** Send rates (all, audio) over the last quarter second or more. */
  private measure(now: number): void {
    const elapsed = now - this.rates.since;
    if (elapsed < 250) return;
    let sent = 0;
    let audio = 0;
    for (const f of this.forwards.values()) {
      sent += f.bytes;
      if (kindOf(f.source) === "audio") audio += f.bytes;
      f.bytes = 0;
    }
    this.rates = { since: now, sent: (sent * 8000) / elapsed, audio: (audio * 8000) / elapsed };
  }

  private tellDownlink(bitrate: number, now: number): void {
    const last = this.lastDownlinkEvent;
    if (now - last.at < DOWNLINK_EVENT_MS) return;
    if (Math.abs(bitrate - last.bitrate) < 0.2 * Math.max(bitrate, last.bitrate)) return;
    this.lastDownlinkEvent = { at: now, bitrate };
    this.events.downlink?.(Math.round(bitrate));
  }

  /** Stops forwarding one source of `sourceLabel`. */
  remove(sourceLabel: string, source: MediaSource): void {
    const key = keyOf(sourceLabel, source);
    const f = this.forwards.get(key);
    if (!f || this.negotiation.state === "closed") return;
    this.release(key, f);
    this.renegotiate();
  }

  /** Stops forwarding everything from `sourceLabel`. */
  removeSource(sourceLabel: string): void {
    let changed = false;
    for (const [key, f] of this.forwards) {
      if (f.sourceLabel !== sourceLabel) continue;
      this.release(key, f);
      changed = true;
    }
    if (changed) this.renegotiate();
  }

  /** An idle m-line of `kind`, made send-only again, or a new one. */
  private transceiverFor(kind: "audio" | "video"): RTCRtpTransceiver {
    const reused = this.idle[kind].shift();
    if (!reused) return this.pc.addTransceiver(kind, { direction: "sendonly" });
    reused.setDirection("sendonly");
    return reused;
  }

  private release(key: string, f: Forward): void {
    f.close();
    this.forwards.delete(key);
    f.transceiver.setDirection("inactive");
    this.idle[kindOf(f.source)].push(f.transceiver);
  }

  /** Applies the client's answer to our outstanding offer. */
  async acceptAnswer(sdp: string): Promise<void> {
    if (this.negotiation.state !== "offering") throw new Error("no offer is outstanding");
    await this.pc.setRemoteDescription({ type: "answer", sdp });
    const dirty = this.negotiation.dirty;
    this.negotiation = { state: "idle" };
    for (const f of this.offered) this.answered.add(f);
    // New subscribers' decoders start with a key frame.
    this.requestKeyframes();
    if (dirty) this.renegotiate();
  }

  /** Restarts ICE with the next offer (now, or once the outstanding one is answered). */
  restartIce(): void {
    this.iceRestart = true;
    this.renegotiate();
  }

  private renegotiate(): void {
    switch (this.negotiation.state) {
      case "closed":
        return;
      case "offering":
        this.negotiation.dirty = true;
        return;
      case "idle":
        this.negotiation = { state: "offering", dirty: false };
        this.offer().catch((error: Error) => this.events.failed(`offer failed: ${error.message}`));
    }
  }

  private async offer(): Promise<void> {
    const iceRestart = this.iceRestart;
    this.iceRestart = false;
    const offer = await this.pc.createOffer({ iceRestart });
    await this.pc.setLocalDescription(offer);
    const sdp = this.pc.localDescription?.sdp;
    if (this.negotiation.state === "closed") return;
    if (!sdp) throw new Error("no local description after offering");
    const tracks: ForwardedTrack[] = [];
    this.offered = [...this.forwards.values()].filter((f) => f.transceiver.mid);
    for (const f of this.forwards.values()) {
      if (f.transceiver.mid)
        tracks.push({
          mid: f.transceiver.mid,
          sourceLabel: f.sourceLabel,
          kind: kindOf(f.source),
          source: f.source,
        });
    }
    this.events.offer(keepInactiveBundled(sdp), tracks);
  }

  /**
   * After the connection came up or an answer came back: forwards whose
   * m-line the browser has accepted start (a key frame each), and the others'
   * decoders get a key frame too.
   */
  private requestKeyframes(): void {
    const connected = this.pc.connectionState === "connected";
    for (const f of this.forwards.values()) {
      if (connected && this.answered.has(f)) f.markReady();
      else f.requestKeyframe();
    }
  }

  close(): void {
    if (this.negotiation.state === "closed") return;
    this.negotiation = { state: "closed" };
    clearInterval(this.timer);
    this.pacer.close();
    for (const f of this.forwards.values()) f.close();
    this.forwards.clear();
    void this.pc.close();
  }
}

/**
 * werift writes every inactive m-line (a source that left) with port 0, which
 * means "rejected", yet keeps it in the BUNDLE group. Chrome answers that by
 * rejecting the m-lines, and refuses the next offer that adds one ("The m=
 * section with mid='2' should be rejected"): whoever came after someone left
 * would stay invisible. Inactive is not rejected (RFC 8829 5.2.2): such an
 * m-line keeps the bundle's port.
 */
function keepInactiveBundled(sdp: string): string {
  return sdp.replace(/^m=(audio|video) 0 /gm, "m=$1 9 ");
}
