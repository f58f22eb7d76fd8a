import { RtpHeader } from "werift";
import type { MediaSettings } from "./messages";
import { STAMP_BYTES, writeStamp } from "./stamp";

/**
 * Synthetic media: paced RTP whose payloads end in a stamp (stamp.ts), so a
 * receiver measures loss, latency, freezes and layers without decoding.
 */

/** One video layer a publisher sends: packets per frame, bytes per packet, the size its key frames state. */
export interface LayerSpec {
  packets: number;
  bytes: number;
  width: number;
  height: number;
}

/** Share of the full layer's bytes and the picture size of q, h and f (Plenum's client: publisher.ts). */
const SIMULCAST = [
  { share: 1 / 4, width: 320, height: 180 },
  { share: 1 / 2, width: 640, height: 360 },
  { share: 1, width: 1280, height: 720 },
];

/** The layers of a camera, lowest first: one, or q, h and f from the full layer's size. */
export function videoLayers(settings: MediaSettings): LayerSpec[] {
  const full = settings.videoPacketsPerFrame * settings.videoPacketBytes;
  if (settings.videoLayers === 1)
    return [
      {
        packets: settings.videoPacketsPerFrame,
        bytes: settings.videoPacketBytes,
        width: 1280,
        height: 720,
      },
    ];
  return SIMULCAST.map(({ share, width, height }) => {
    const packets = Math.max(1, Math.ceil((share * full) / settings.videoPacketBytes));
    return { packets, bytes: Math.round((share * full) / packets), width, height };
  });
}

/**
 * VP8 payload descriptor (RFC 7741) as Chrome writes it: extended, with a
 * 15-bit picture id, TL0PICIDX and a TID byte (one temporal layer); and on a
 * frame's first packet the frame tag (RFC 6386 9.1), with the start code and
 * picture size on a key frame. Returns the bytes written.
 */
function writeVp8(
  payload: Buffer,
  first: boolean,
  keyframe: boolean,
  pictureId: number,
  tl0: number,
  layer: LayerSpec,
): void {
  payload[0] = first ? 0x90 : 0x80; // X, S
  payload[1] = 0xe0; // I, L, T
  payload[2] = 0x80 | ((pictureId >> 8) & 0x7f);
  payload[3] = pictureId & 0xff;
  payload[4] = tl0 & 0xff;
  payload[5] = 0x20; // TID 0, Y
  if (!first) return;
  if (!keyframe) {
    payload[6] = 0x11; // P = 1: inter frame, show_frame
    return;
  }
  Buffer.from([0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a]).copy(payload, 6);
  payload.writeUInt16LE(layer.width & 0x3fff, 12);
  payload.writeUInt16LE(layer.height & 0x3fff, 14);
}

/** Where a source's packets go: the layer index, and the packet. */
export type RtpSink = (layer: number, header: RtpHeader, payload: Buffer) => void;

interface LayerState {
  spec: LayerSpec;
  fill: Buffer;
  rtpSeq: number;
  timestamp: number;
  seq: number;
  frame: number;
  pictureId: number;
  keyframeWanted: boolean;
}

/** Writes paced, stamped RTP (audio, or every layer of a camera) into a sink until stopped. */
export class StampedSource {
  private readonly timer: NodeJS.Timeout;
  private readonly layers: LayerState[];
  /** Packets sent so far, all layers. */
  get sent(): number {
    return this.layers.reduce((n, l) => n + l.seq, 0);
  }

  constructor(
    private readonly sink: RtpSink,
    readonly kind: "audio" | "video",
    private readonly settings: MediaSettings,
    random: () => number,
  ) {
    const specs: LayerSpec[] =
      kind === "audio"
        ? [{ packets: 1, bytes: settings.audioPacketBytes, width: 0, height: 0 }]
        : videoLayers(settings);
    this.layers = specs.map((spec) => {
      const fill = Buffer.alloc(Math.max(spec.bytes, STAMP_BYTES + 16));
      for (let i = 0; i < fill.length; i++) fill[i] = Math.floor(random() * 256);
      return {
        spec,
        fill,
        rtpSeq: Math.floor(random() * 0xffff),
        timestamp: Math.floor(random() * 0xffffffff),
        seq: 0,
        frame: 0,
        pictureId: Math.floor(random() * 0x8000),
        keyframeWanted: true,
      };
    });
    this.interval = kind === "video" ? 1000 / settings.videoFps : 20;
    this.started = performance.now();
    this.timer = setInterval(() => this.catchUp(), this.interval);
  }

  private readonly interval: number;
  private readonly started: number;
  private ticks = 0;

  /**
   * Sends every frame that is due by now: on a loaded machine timers fire
   * late, and the rate must not drop with them (at most 5 frames at once,
   * a burst a real encoder would not make either).
   */
  private catchUp(): void {
    const due = Math.floor((performance.now() - this.started) / this.interval);
    if (due - this.ticks > 5) this.ticks = due - 5;
    while (this.ticks < due) {
      this.ticks++;
      for (const [index, layer] of this.layers.entries()) this.frame(layer, index);
    }
  }

  /**
   * The next frame of `layer` (or of every layer) is a key frame. Like a
   * browser's encoder, the sources send key frames only first and on request
   * (PLI), never periodically: a lost one shows as a freeze until asked again.
   */
  requestKeyframe(layer?: number): void {
    for (const [i, l] of this.layers.entries())
      if (layer === undefined || i === layer) l.keyframeWanted = true;
  }

  private frame(l: LayerState, index: number): void {
    const audio = this.kind === "audio";
    const keyframe = !audio && l.keyframeWanted;
    l.keyframeWanted = false;
    const n = l.spec.packets;
    for (let i = 0; i < n; i++) {
      const payload = Buffer.from(l.fill);
      if (!audio) writeVp8(payload, i === 0, keyframe, l.pictureId, l.frame, l.spec);
      writeStamp(payload, {
        seq: l.seq++,
        frame: l.frame,
        layer: index,
        keyframe,
        index: i,
        count: n,
      });
      const header = new RtpHeader({
        payloadType: 96,
        sequenceNumber: l.rtpSeq,
        timestamp: l.timestamp,
        marker: !audio && i === n - 1,
      });
      l.rtpSeq = (l.rtpSeq + 1) & 0xffff;
      this.sink(index, header, payload);
    }
    l.frame++;
    l.pictureId = (l.pictureId + 1) & 0x7fff;
    l.timestamp = (l.timestamp + (audio ? 960 : Math.round(90_000 / this.settings.videoFps))) >>> 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
