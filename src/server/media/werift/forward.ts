import { type RTCRtpTransceiver, RtpHeader, RtpPacket } from "werift";
import { mediaMetrics } from "../metrics";
import { EarlyPackets, SwitchPoint } from "../simulcast/early";
import type { Pacer } from "../simulcast/pacer";
import type { StreamRewriter } from "../simulcast/rewriter";
import { rewriteVp8, type Vp8Info } from "../simulcast/vp8";
import { kindOf, type MediaSource } from "../types";
import type { VideoSource } from "./allocation";
import { SENT } from "./patches/fast/send";
import { forgetSent } from "./patches/sent-history";
import type { Upstream } from "./upstream";

/** A key frame longer than this many packets is sent on as it comes (a lost marker). */
const MAX_PENDING = 400;

/**
 * One forwarded source: a peer's microphone, camera or screen arriving on
 * one of our send-only m-lines. Of a simulcast source exactly one layer is
 * forwarded; a change of layer waits for a key frame of the new layer, so the
 * subscriber's decoder never gets a delta frame it has no reference for.
 */
export class Forward {
  /** The layer forwarded now; -1 = none (paused or not chosen yet). */
  private current = -1;
  /** The layer wanted; forwarding moves there at its next key frame. */
  private target: number;
  /** Bytes sent since the owner last asked (for its send rate). */
  bytes = 0;
  /**
   * The subscriber's browser knows this m-line (its answer came back) and
   * the connection is up. Before that, packets would be dropped on the way
   * (werift) or by the browser, and a key frame used up for nothing would
   * leave the decoder waiting on delta frames: nothing is forwarded yet.
   */
  private ready = false;
  /** The first video packet after `ready` asked for a layer choice (`choose`). */
  private asked = false;
  /** A key frame of the target layer being collected (`collect`). */
  private pending: { packet: RtpPacket; vp8: Vp8Info | undefined }[] = [];
  /** Whether `pending` holds a frame's last packet (its marker bit). */
  private pendingEnds = false;
  /** Packets of the target layer that overtook its key frame's first packet. */
  private readonly early = new EarlyPackets<{ packet: RtpPacket; vp8: Vp8Info | undefined }>();
  /** Late packets from before the last switch are not forwarded. */
  private readonly switchPoint = new SwitchPoint();
  private readonly stopListening: () => void;
  private readonly stopKeyframeRelay: () => void;

  constructor(
    readonly sourceLabel: string,
    readonly source: MediaSource,
    readonly upstream: Upstream,
    readonly transceiver: RTCRtpTransceiver,
    private readonly rewriter: StreamRewriter,
    /** A new layer is forwarded (the first one counts as "up"). */
    private readonly onSwitch: (direction: "up" | "down") => void,
    /** The subscriber's pacer, which sends each packet when it may go. */
    private readonly pacer: Pacer,
    /**
     * Asks the owner to choose layers now. A video source's layer is chosen
     * from the layers that arrive; one whose first packets come after the
     * m-line is ready (a publisher who just connected, as after a restart)
     * would otherwise wait for the next periodic choice and miss the key
     * frame the publisher starts with.
     */
    private readonly choose: () => void = () => undefined,
  ) {
    // Audio has one stream and always flows; video waits for the first allocation.
    this.target = kindOf(source) === "audio" ? 0 : -1;
    this.stopListening = upstream.listen(source, (packet, layer, vp8) =>
      this.packet(packet, layer, vp8),
    );
    const relay = transceiver.sender.onPictureLossIndication.subscribe(() =>
      this.requestKeyframe(),
    );
    const kind = kindOf(source);
    const nacks = transceiver.sender.onGenericNack.subscribe((n) =>
      mediaMetrics.nacked(kind, n.lost.length),
    );
    this.stopKeyframeRelay = () => {
      relay.unSubscribe();
      nacks.unSubscribe();
    };
    // A reused m-line continues its numbering across the change of source.
    rewriter.stop();
  }

  get layer(): number {
    return this.current;
  }

  get wanted(): number {
    return this.target;
  }

  /** What the allocation needs to know of this source (`allocation.ts`). */
  describe(): VideoSource {
    return {
      sourceLabel: this.sourceLabel,
      source: this.source,
      layer: this.current,
      wanted: this.target,
      lastSpokeAt: this.upstream.speech.lastSpokeAt,
      layers: this.upstream.layersOf(this.source).map(({ index, layer }) => ({
        index,
        info: { bitrate: layer.bitrate, width: layer.width, height: layer.height },
      })),
    };
  }

  /** Chooses the layer to forward (-1 pauses at once); asks for its key frame. */
  setTarget(layer: number): void {
    if (layer !== this.target) {
      this.pending = [];
      this.early.clear();
    }
    this.target = layer;
    if (layer === -1 && this.current !== -1) {
      this.current = -1;
      this.rewriter.stop();
    }
    // Not before the m-line is ready: the key frame would be used up for nothing (`markReady` asks).
    if (this.ready && layer !== -1 && layer !== this.current)
      this.upstream.requestKeyframe(this.source, layer, true);
  }

  /**
   * A key frame for the layer forwarded (or about to be): the subscriber's
   * decoder needs one. `starting`: it has none yet (see `Layer.requestKeyframe`).
   */
  requestKeyframe(starting = false): void {
    if (!this.ready) return;
    const layer = this.current !== -1 ? this.current : this.target;
    if (layer !== -1) this.upstream.requestKeyframe(this.source, layer, starting);
  }

  /** The m-line is negotiated and connected: forwarding starts at the next key frame. */
  markReady(): void {
    if (this.ready) return;
    this.ready = true;
    this.requestKeyframe(true);
  }

  private packet(packet: RtpPacket, layer: number, vp8: Vp8Info | undefined): void {
    if (!this.ready) return;
    const isAudio = kindOf(this.source) === "audio";
    if (!isAudio && this.target === -1 && !this.asked) {
      this.asked = true;
      this.choose();
    }
    if (layer === this.target && layer !== this.current && !isAudio) {
      this.collect(packet, layer, vp8);
      return;
    }
    if (layer === this.target && layer !== this.current) {
      this.current = layer;
      this.rewriter.switchTo(fieldsOf(packet, vp8), Date.now());
      this.switchPoint.set(packet.header.sequenceNumber);
    }
    if (layer !== this.current || this.switchPoint.before(packet.header.sequenceNumber)) return;
    this.forward(packet, vp8, isAudio);
  }

  /**
   * Packets of the layer being switched to, from its key frame on. While one
   * layer is showing, the old one goes on until the new key frame is whole
   * (its marker bit), then the key frame goes out at once: the subscriber
   * sees no pause for the time the publisher takes to send a large key frame.
   * Packets that overtook the key frame's first one join it (`EarlyPackets`).
   */
  private collect(packet: RtpPacket, layer: number, vp8: Vp8Info | undefined): void {
    if (this.pending.length === 0) {
      if (!vp8?.keyframe) {
        this.early.add(packet.header.sequenceNumber, { packet, vp8 });
        return;
      }
      this.pending = [{ packet, vp8 }, ...this.early.takeAfter(packet.header.sequenceNumber)];
      this.pendingEnds = this.pending.some((p) => p.packet.header.marker);
    } else {
      this.pending.push({ packet, vp8 });
      this.pendingEnds ||= packet.header.marker;
    }
    const complete = this.pendingEnds || this.pending.length >= MAX_PENDING;
    if (!complete && this.current !== -1) return;
    const first = this.pending[0];
    if (!first) return;
    const switched = this.current !== -1;
    const direction = layer > this.current ? "up" : "down";
    this.current = layer;
    this.rewriter.switchTo(fieldsOf(first.packet, first.vp8), Date.now());
    this.switchPoint.set(first.packet.header.sequenceNumber);
    if (switched) forgetSent(this.transceiver);
    this.onSwitch(direction);
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) this.forward(p.packet, p.vp8, false);
  }

  private forward(packet: RtpPacket, vp8: Vp8Info | undefined, isAudio: boolean): void {
    const now = Date.now();
    if (packet.payload.length === 0) {
      // Padding the publisher sent to probe its uplink: worthless to the subscriber.
      this.rewriter.skip(fieldsOf(packet, vp8));
      return;
    }
    const out = this.rewriter.rewrite(fieldsOf(packet, vp8), now, vp8?.pictureId?.bits);
    const header = copyHeader(packet.header, out.sequenceNumber, out.timestamp);
    const payload =
      vp8 && (vp8.pictureId || vp8.tl0PicIdx)
        ? rewriteVp8(packet.payload, vp8, out.pictureId, out.tl0PicIdx)
        : packet.payload;
    const bytes = payload.length + 12;
    this.bytes += bytes;
    mediaMetrics.forwarded(isAudio ? "audio" : "video", bytes);
    this.pacer.send(bytes, isAudio, this.sendNow, new RtpPacket(header, payload));
  }

  /** One function for every packet of this forward (the pacer calls it now or later). */
  private readonly sendNow = (rtp: RtpPacket): void => {
    const sent = this.transceiver.sender.sendRtp(rtp);
    // The fast path's settled promise needs no handler (one promise and microtask less per packet).
    if (sent !== SENT) sent.catch(() => undefined);
  };

  close(): void {
    this.stopListening();
    this.stopKeyframeRelay();
  }
}

/**
 * The subscriber's copy of a header: the sender sets SSRC and payload type,
 * and caches the packet for NACKs, so every subscriber needs its own.
 * Extension ids were negotiated upstream and mean nothing here: dropped. Set
 * field by field: werift's constructor (Object.assign of a spread copy) cost
 * more than the rest of this forward.
 */
function copyHeader(from: RtpHeader, sequenceNumber: number, timestamp: number): RtpHeader {
  const h = new RtpHeader();
  h.version = from.version;
  h.padding = from.padding;
  h.paddingSize = from.paddingSize;
  h.marker = from.marker;
  h.payloadOffset = from.payloadOffset;
  h.payloadType = from.payloadType;
  h.sequenceNumber = sequenceNumber;
  h.timestamp = timestamp;
  h.ssrc = from.ssrc;
  h.csrcLength = from.csrcLength;
  h.csrc = from.csrc;
  h.extensionProfile = from.extensionProfile;
  h.extensionLength = from.extensionLength;
  return h;
}

function fieldsOf(packet: RtpPacket, vp8: Vp8Info | undefined) {
  return {
    sequenceNumber: packet.header.sequenceNumber,
    timestamp: packet.header.timestamp,
    pictureId: vp8?.pictureId?.value,
    tl0PicIdx: vp8?.tl0PicIdx?.value,
  };
}
