import type { MediaSettings, TileSize } from "../loadgen/messages";

/** One participant of a step: who publishes what, who subscribes. */
export interface Participant {
  name: string;
  room: number;
  publish: { audio: boolean; video: boolean };
  subscribe: boolean;
  /** Subscribers: the size they show cameras at (tiles.ts deals them out). */
  tile?: TileSize;
}

/** One load level: a fresh server, these participants, one measurement window. */
export interface Step {
  label: string;
  rooms: number;
  participants: Participant[];
  /** Pure subscribers join spread evenly over this many ms (join burst); else all at once. */
  burstMs?: number;
  /** Soak: one subscriber leaves and a new one joins this often during the window. */
  churnEveryMs?: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** Seconds of measurement per step (per server), unless --duration says otherwise. */
  defaultDuration: number;
  /**
   * Seconds between all joined and the window, unless --warmup says
   * otherwise: long enough for V8 to have compiled what runs per packet and
   * per report (a server runs for hours; its first half-minute is start-up).
   */
  defaultWarmup: number;
  media: MediaSettings;
  steps(): Step[];
  /**
   * Capacity search (scenario b): steps run in order and stop, for each server, after the
   * first step that breaks the limit.
   */
  breaks?: (m: { lossPercent: number; latencyP99Ms: number }) => boolean;
}

/**
 * 30 frames/s of two 1200-byte packets (~580 kbit/s) in the full layer, sent
 * as three simulcast layers (q, h, f: 1 × 600, 1 × 1200, 2 × 1200 bytes a
 * frame, ~1 Mbit/s together), and Opus-like 20 ms packets of 100 bytes.
 */
export const DEFAULT_MEDIA: MediaSettings = {
  videoFps: 30,
  videoPacketsPerFrame: 2,
  videoPacketBytes: 1200,
  audioPacketBytes: 100,
  videoLayers: 3,
};

const AV = { audio: true, video: true };
const NONE = { audio: false, video: false };

function fanOut(subscribers: number, kinds = AV, room = 0): Participant[] {
  return [
    { name: `r${room}pub`, room, publish: kinds, subscribe: false },
    ...Array.from({ length: subscribers }, (_, i) => ({
      name: `r${room}sub${i}`,
      room,
      publish: NONE,
      subscribe: true,
    })),
  ];
}

function meeting(size: number, room: number): Participant[] {
  return Array.from({ length: size }, (_, i) => ({
    name: `r${room}p${i}`,
    room,
    publish: AV,
    subscribe: true,
  }));
}

export function scenario(id: string, options: { fanOuts?: number[]; maxRooms?: number }): Scenario {
  switch (id) {
    case "a":
      return {
        id,
        title: "1 publisher (video + audio) → N subscribers",
        defaultDuration: 20,
        // At 1–10 subscribers (under 1,000 packets/s) the report and feedback code runs a few
        // times a second, and V8 takes about 40 s after the joins to settle (bench/RESULTS.md).
        defaultWarmup: 45,
        media: DEFAULT_MEDIA,
        steps: () =>
          (options.fanOuts ?? [1, 10, 50, 100]).map((n) => ({
            label: `${n} subscribers`,
            rooms: 1,
            participants: fanOut(n),
          })),
      };
    case "b":
      return {
        id,
        title:
          "rooms of 7 (each publishes video + audio, subscribes to 6), added until loss > 1% or latency p99 > 50 ms",
        defaultDuration: 20,
        defaultWarmup: 10,
        media: DEFAULT_MEDIA,
        steps: () =>
          Array.from({ length: options.maxRooms ?? 8 }, (_, i) => ({
            label: `${i + 1} rooms of 7`,
            rooms: i + 1,
            participants: Array.from({ length: i + 1 }, (_, r) => meeting(7, r)).flat(),
          })),
        breaks: (m) => !(m.lossPercent <= 1) || !(m.latencyP99Ms <= 50),
      };
    case "c":
      return {
        id,
        title: "one 25-person meeting (everyone publishes video + audio and subscribes to 24)",
        defaultDuration: 20,
        defaultWarmup: 10,
        // Gallery view: a 25-tile grid gets small layers; 15 frames/s of one packet each.
        media: { ...DEFAULT_MEDIA, videoFps: 15, videoPacketsPerFrame: 1 },
        steps: () => [{ label: "25 people", rooms: 1, participants: meeting(25, 0) }],
      };
    case "d":
      return {
        id,
        title: "1 speaker (audio only) + 200 audio-only listeners",
        defaultDuration: 20,
        defaultWarmup: 10,
        media: DEFAULT_MEDIA,
        steps: () => [
          {
            label: "1 + 200 audio",
            rooms: 1,
            participants: fanOut(200, { audio: true, video: false }),
          },
        ],
      };
    case "e":
      return {
        id,
        title: "join burst: 100 subscribers join one publisher within 5 s",
        defaultDuration: 10,
        defaultWarmup: 10,
        media: DEFAULT_MEDIA,
        steps: () => [
          { label: "100 joins in 5 s", rooms: 1, participants: fanOut(100), burstMs: 5_000 },
        ],
      };
    case "f":
      return {
        id,
        title: "soak: 1 publisher, 10 subscribers, one leaves and another joins every 3 s",
        defaultDuration: 30 * 60,
        defaultWarmup: 10,
        media: DEFAULT_MEDIA,
        steps: () => [{ label: "soak", rooms: 1, participants: fanOut(10), churnEveryMs: 3_000 }],
      };
    default:
      throw new Error(`unknown scenario "${id}": choose a, b, c, d, e or f`);
  }
}
