import {
  type PeerConfig,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
} from "werift";
import { mediaMetrics } from "../metrics";
import { type ForwardedTrack, kindOf, type MediaSource } from "../types";
import type { Upstream } from "./upstream";

/** One forwarded track: a peer's source arriving on one of our send-only m-lines. */
interface Forward {
  sourceLabel: string;
  source: MediaSource;
  upstream: Upstream;
  transceiver: RTCRtpTransceiver;
  stopListening: () => void;
  stopKeyframeRelay: () => void;
}

/**
 * Negotiation is one offer at a time: changes that arrive while an offer is out
 * are folded into the next one, sent when the answer comes back.
 */
type Negotiation = { state: "idle" } | { state: "offering"; dirty: boolean } | { state: "closed" };

export interface DownstreamEvents {
  offer(sdp: string, tracks: ForwardedTrack[]): void;
  failed(reason: string): void;
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

  constructor(
    config: Partial<PeerConfig>,
    private readonly events: DownstreamEvents,
  ) {
    this.pc = new RTCPeerConnection(config);
    this.pc.connectionStateChange.subscribe((state) => {
      // A fresh connection has a decoder that needs a key frame from everyone.
      if (state === "connected") this.requestKeyframes();
      if (state === "failed") this.events.failed("downstream connection failed");
    });
  }

  /** Starts forwarding `source` of `upstream`. No-op if already forwarded. */
  add(sourceLabel: string, source: MediaSource, upstream: Upstream): void {
    const key = `${sourceLabel}/${source}`;
    if (this.negotiation.state === "closed" || this.forwards.has(key)) return;
    const kind = kindOf(source);
    const transceiver = this.transceiverFor(kind);
    const sender = transceiver.sender;
    let first = true;
    const stopListening = upstream.listen(source, (packet) => {
      // A reused m-line continues its sequence numbers and timestamps across the
      // change of source, so the receiver sees one stream with a jump, not chaos.
      if (first) {
        sender.replaceRTP(packet.header, true);
        first = false;
      }
      // The sender rewrites SSRC, payload type and sequence numbers in place and
      // caches the packet for NACKs, so every subscriber needs its own copy.
      // Extension ids were negotiated upstream and mean nothing here: dropped.
      const header = new RtpHeader({ ...packet.header, extensions: [], extension: false });
      sender.sendRtp(new RtpPacket(header, packet.payload)).catch(() => undefined);
      // 12: the fixed RTP header; without extensions that is what goes out.
      mediaMetrics.forwarded(kind, packet.payload.length + 12);
    });
    const pli = sender.onPictureLossIndication.subscribe(() => upstream.requestKeyframe(source));
    const nack = sender.onGenericNack.subscribe((n) => mediaMetrics.nacked(kind, n.lost.length));
    this.forwards.set(key, {
      sourceLabel,
      source,
      upstream,
      transceiver,
      stopListening,
      stopKeyframeRelay: () => {
        pli.unSubscribe();
        nack.unSubscribe();
      },
    });
    this.renegotiate();
  }

  /** Stops forwarding one source of `sourceLabel`. */
  remove(sourceLabel: string, source: MediaSource): void {
    const key = `${sourceLabel}/${source}`;
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
    this.stopForward(f);
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
    // New subscribers' decoders start with a key frame.
    this.requestKeyframes();
    if (dirty) this.renegotiate();
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
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    const sdp = this.pc.localDescription?.sdp;
    if (this.negotiation.state === "closed") return;
    if (!sdp) throw new Error("no local description after offering");
    const tracks: ForwardedTrack[] = [];
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

  private requestKeyframes(): void {
    for (const f of this.forwards.values()) f.upstream.requestKeyframe(f.source);
  }

  private stopForward(f: Forward): void {
    f.stopListening();
    f.stopKeyframeRelay();
  }

  close(): void {
    if (this.negotiation.state === "closed") return;
    this.negotiation = { state: "closed" };
    for (const f of this.forwards.values()) this.stopForward(f);
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
