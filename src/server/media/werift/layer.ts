import type { RtpPacket } from "werift";
import type { Vp8Info } from "../simulcast/vp8";

/**
 * A simulcast layer that sent nothing for this long while another layer of
 * its source went on is considered stopped: Chrome drops its upper layers
 * when its uplink estimate falls, and a subscriber on a stopped layer sees a
 * frozen picture until we move it. A camera sends a frame every 33–100 ms,
 * so half a second is a stop.
 */
const LIVE_MS = 500;
/** Key frame requests per layer, at most one per this interval (but see the next). */
export const KEYFRAME_INTERVAL_MS = 1000;
/**
 * A subscriber that starts on a layer (its m-line just became ready, or its
 * layer changes) sees nothing new until a key frame comes. If a key frame
 * answered the last request, such a request may go this long after that key
 * frame: one that became ready just after it went by would otherwise wait
 * most of a second (after a restart everyone's connections come up within a
 * few hundred milliseconds of each other). Chrome ignores a request within
 * 300 ms of its last key frame (libwebrtc's minimum key frame send interval),
 * so sooner would be wasted. Decoders' own requests (loss) keep the second.
 */
export const KEYFRAME_AFTER_ANSWER_MS = 350;
/** Bit rate is measured over windows of this length. */
const WINDOW_MS = 1000;

/**
 * One simulcast layer (or the single stream) of a published source: what the
 * forwarders need to choose it — whether it arrives, its bit rate, its size
 * from the last key frame — and the SSRC a key frame request names.
 */
export class Layer {
  ssrc: number | undefined;
  width = 0;
  height = 0;
  /** Measured bits per second over the last full window. */
  bitrate = 0;
  /** The highest sequence number seen, for the loss metric. */
  lastSeq: number | undefined;
  private lastPacketAt = 0;
  private windowStart = 0;
  private windowBytes = 0;
  private lastKeyframeRequest = 0;
  private lastKeyframeAt = 0;

  constructor(readonly rid: string | undefined) {}

  received(packet: RtpPacket, vp8: Vp8Info | undefined, now: number): void {
    this.ssrc = packet.header.ssrc;
    this.lastPacketAt = now;
    if (vp8?.keyframe) this.lastKeyframeAt = now;
    if (vp8?.width && vp8.height) {
      this.width = vp8.width;
      this.height = vp8.height;
    }
    if (now - this.windowStart >= WINDOW_MS) {
      const elapsed = now - this.windowStart;
      // A gap longer than two windows means the layer paused: start measuring afresh.
      if (this.windowStart > 0 && elapsed < 2 * WINDOW_MS)
        this.bitrate = (this.windowBytes * 8 * 1000) / elapsed;
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += packet.payload.length + 12;
  }

  /** When its last packet came (ms; 0 = none yet). */
  get lastPacket(): number {
    return this.lastPacketAt;
  }

  /**
   * Whether the layer still arrives, judged against `newest`, the last packet
   * of any layer of its source, not against the clock (see `liveLayers`).
   */
  isLive(newest: number): boolean {
    return newest - this.lastPacketAt < LIVE_MS && this.ssrc !== undefined;
  }

  /**
   * The SSRC to send a PLI to now; or, while throttled, how many ms until
   * one may be sent (the caller sends it then, so no request is lost).
   * `starting`: a subscriber starts on this layer (`KEYFRAME_AFTER_ANSWER_MS`).
   */
  requestKeyframe(now: number, starting = false): { ssrc: number } | { wait: number } | undefined {
    if (this.ssrc === undefined) return undefined;
    const wait =
      starting && this.lastKeyframeAt >= this.lastKeyframeRequest
        ? KEYFRAME_AFTER_ANSWER_MS - (now - this.lastKeyframeAt)
        : KEYFRAME_INTERVAL_MS - (now - this.lastKeyframeRequest);
    if (wait > 0) return { wait };
    this.lastKeyframeRequest = now;
    return { ssrc: this.ssrc };
  }
}

/**
 * The layers of a source that arrive now, lowest first, with their layer
 * numbers. A layer has stopped when it is silent while another goes on, not
 * merely when nothing came for a while: after a gap in all of them (a
 * publisher's hiccup, or the media thread busy while packets wait in its
 * socket, as on a loaded machine, where timers run before the queued packets
 * are read) the clock would call every layer stopped, the subscriber's video
 * would be paused, and each resumption would wait for a key frame: a picture
 * that stalls again and again (issue 18).
 */
export function liveLayers(layers: readonly Layer[]): { index: number; layer: Layer }[] {
  // A single stream is never given up on: a still screen may send a frame a second or less.
  if (layers.length === 1)
    return layers[0]?.ssrc === undefined ? [] : [{ index: 0, layer: layers[0] }];
  const newest = Math.max(0, ...layers.map((layer) => layer.lastPacket));
  return layers.flatMap((layer, index) => (layer.isLive(newest) ? [{ index, layer }] : []));
}
