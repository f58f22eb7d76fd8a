import { addCounts, emptyCounts } from "../loadgen/freeze";
import type { VideoWindowStats } from "../loadgen/messages";

/** What the subscribers' video looked like in one step (the decoder model of loadgen/freeze.ts). */
export interface VideoMetrics {
  /** Video streams received (subscriber × remote camera). */
  streams: number;
  /** Video packets lost (as in the loss column, video only), %. */
  lossPercent: number;
  /** Streams that should have been (every subscriber × every other camera of its room) but decoded nothing. */
  missingStreams: number;
  /** Frames decoded per second, all streams. */
  framesPerSecond: number;
  /** Freezes (WebRTC's definition) and their total duration, all streams. */
  freezes: number;
  freezeSeconds: number;
  /**
   * Freezes grouped by when they began (within 100 ms of the one before):
   * many streams freezing at once is one stall somewhere they share (server,
   * load generator), not many separate losses.
   */
  freezeEpisodes: number;
  /** Share of the streams' time spent frozen, %. */
  frozenPercent: number;
  /** Share of decoded frames per layer (q, h, f; with one layer all are "q"), %. */
  layerPercent: [number, number, number];
  /** Share of frames decoded on the layer the subscriber's tile asks for, %; NaN without tiles. */
  onWantedLayerPercent: number;
  /** Key frame requests the subscribers sent because their decoder was stuck. */
  plis: number;
}

/** The load generator processes' video counts, added up. */
export function sumVideo(parts: VideoWindowStats[]): VideoWindowStats {
  const sum: VideoWindowStats = { streams: 0, ...emptyCounts() };
  for (const p of parts) {
    sum.streams += p.streams;
    addCounts(sum, p);
    sum.freezeStarts.push(...p.freezeStarts);
  }
  return sum;
}

export function videoMetrics(
  v: VideoWindowStats,
  windowS: number,
  expectedStreams: number,
  packets: { packets: number; expected: number },
): VideoMetrics {
  const frames = v.framesByLayer.reduce((a, b) => a + b, 0);
  const share = (n: number) => (frames > 0 ? (100 * n) / frames : Number.NaN);
  return {
    streams: v.streams,
    lossPercent:
      packets.expected > 0
        ? (100 * Math.max(0, packets.expected - packets.packets)) / packets.expected
        : Number.NaN,
    missingStreams: Math.max(0, expectedStreams - v.streams),
    framesPerSecond: frames / windowS,
    freezes: v.freezes,
    freezeSeconds: v.freezeMs / 1000,
    freezeEpisodes: episodes(v.freezeStarts),
    frozenPercent:
      v.streams > 0 ? Math.min(100, (100 * v.freezeMs) / 1000 / (v.streams * windowS)) : Number.NaN,
    layerPercent: [
      share(v.framesByLayer[0] ?? 0),
      share(v.framesByLayer[1] ?? 0),
      share(v.framesByLayer[2] ?? 0),
    ],
    onWantedLayerPercent:
      v.framesWithWanted > 0 ? (100 * v.framesOnWantedLayer) / v.framesWithWanted : Number.NaN,
    plis: v.plis,
  };
}

/** Groups of freeze starts less than 100 ms after the one before. */
export function episodes(starts: number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let n = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const at of sorted) {
    if (at - last >= EPISODE_GAP_MS) n++;
    last = at;
  }
  return n;
}

const EPISODE_GAP_MS = 100;

/** Rows of the summary table: name, value of one run's metrics, digits. */
export const VIDEO_ROWS: Array<[string, (v: VideoMetrics) => number, number]> = [
  ["video streams", (v) => v.streams, 0],
  ["video streams missing", (v) => v.missingStreams, 0],
  ["video loss %", (v) => v.lossPercent, 2],
  ["decoded frames/s", (v) => v.framesPerSecond, 0],
  ["freezes", (v) => v.freezes, 0],
  ["freeze duration s", (v) => v.freezeSeconds, 2],
  ["freeze episodes", (v) => v.freezeEpisodes, 0],
  ["time frozen %", (v) => v.frozenPercent, 2],
  ["frames on layer q %", (v) => v.layerPercent[0], 1],
  ["frames on layer h %", (v) => v.layerPercent[1], 1],
  ["frames on layer f %", (v) => v.layerPercent[2], 1],
  ["frames on the tile's layer %", (v) => v.onWantedLayerPercent, 1],
  ["key frame requests (PLI)", (v) => v.plis, 0],
];

/** One line for the progress log. */
export function describeVideo(v: VideoMetrics): string {
  const pct = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)}%` : "–");
  return `video: ${v.streams} streams (${v.missingStreams} missing), ${v.freezes} freezes (${v.freezeSeconds.toFixed(1)} s, ${v.freezeEpisodes} episodes), layers q/h/f ${v.layerPercent.map(pct).join("/")}, on the tile's layer ${pct(v.onWantedLayerPercent)}, ${v.plis} PLIs`;
}
