/** What the harness and its load generator processes say to each other over IPC. */
import type { DecoderCounts } from "./freeze";

export type ServerKind = "plenum" | "janus";

/** Rates and sizes of the synthetic media every publisher sends. */
export interface MediaSettings {
  /** Video frames per second; each frame is `videoPacketsPerFrame` packets. */
  videoFps: number;
  videoPacketsPerFrame: number;
  /** RTP payload bytes of a video packet. */
  videoPacketBytes: number;
  /** Opus-like audio: one packet every 20 ms. */
  audioPacketBytes: number;
  /**
   * Simulcast layers of a camera: 1 (one stream of the size above) or 3
   * (q, h, f: a quarter, half and all of the bytes above per frame, as
   * Plenum's browser client sends them; see simulcast.ts).
   */
  videoLayers: 1 | 3;
}

/** The size a subscriber shows every remote camera at, which decides the layer it should get. */
export type TileSize = "small" | "medium" | "large";

export interface ClientSpec {
  /** Unique within the run, e.g. "r0p1" (room 0, participant 1). */
  name: string;
  room: number;
  publish: { audio: boolean; video: boolean };
  subscribe: boolean;
  /** Janus only: this publisher's feed id (chosen by the harness). */
  feed?: number;
  /** Janus only: the feed ids of the room's other publishers, to subscribe to. */
  feeds?: number[];
  /** Milliseconds after the join command that this client starts joining (join bursts). */
  startAfterMs?: number;
  /**
   * Subscribers: the tile size it shows others' cameras at (Plenum:
   * `video-preferences`; Janus: the matching `substream`). None: no
   * preference, the server's choice.
   */
  tile?: TileSize;
}

export type HarnessMessage =
  | {
      type: "init";
      server: ServerKind;
      baseUrl: string;
      clientAddress: string;
      media: MediaSettings;
      seed: number;
    }
  | { type: "create-rooms"; count: number }
  | { type: "rooms"; ids: string[] }
  | { type: "join"; clients: ClientSpec[] }
  | { type: "leave"; names: string[] }
  | { type: "window-start" }
  | { type: "window-end" }
  | { type: "close" };

export interface JoinResult {
  name: string;
  ok: boolean;
  error?: string;
  /** Tries it took (the load generator retries a failed connection, as a browser would). */
  attempts?: number;
  /** Janus: the publisher's feed id. */
  feed?: number;
  /** Join request (opening the signalling connection) to first media packet, ms; subscribers only. */
  joinMs?: number;
}

/** What one load generator process received during the measurement window. */
export interface WindowStats {
  packets: number;
  bytes: number;
  /** Packets the receivers expected from the sequence numbers in the payloads. */
  expected: number;
  /** Packets each publisher of this process sent during the window, by participant name. */
  sent: Record<string, { audio: number; video: number }>;
  /** Latency histogram (see histogram.ts), counts per bucket. */
  latency: number[];
  /** Received packets and the packets the sequence numbers say were sent, per kind. */
  byKind: Record<"audio" | "video", { packets: number; expected: number }>;
  video: VideoWindowStats;
}

/** What the receivers' decoder model (freeze.ts) saw of video in the window, summed over streams. */
/**
 * A load generator's decoder counts for the window (freeze.ts: freezes by
 * WebRTC's definition, frames per layer index 0 = q or the single layer,
 * 1 = h, 2 = f), summed over its streams. `freezeStarts` here are wall-clock
 * ms (`performance.timeOrigin` + `now()`, comparable across processes to a
 * millisecond or so), at most 2000.
 */
export interface VideoWindowStats extends DecoderCounts {
  /** Video streams (subscriber × remote camera) that decoded a frame before or in the window. */
  streams: number;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "rooms"; ids: string[] }
  | { type: "joined"; results: JoinResult[] }
  | { type: "left" }
  | { type: "window-started" }
  | { type: "window"; stats: WindowStats }
  | { type: "error"; message: string };
