import type { Demand, LayerInfo, Want } from "../simulcast/selector";
import type { MediaSource, VideoPreference } from "../types";

/**
 * Until a layer has been measured (its first second) or its key frame seen,
 * it is assumed to be what the client asks for (publisher.ts): 1/4, 1/2 and
 * full size of 720p, at 150 kbit/s, 500 kbit/s and 1.5 Mbit/s.
 */
const NOMINAL: LayerInfo[] = [
  { bitrate: 150_000, width: 320, height: 180 },
  { bitrate: 500_000, width: 640, height: 360 },
  { bitrate: 1_500_000, width: 1280, height: 720 },
];

/** One video source a subscriber receives, as the allocation sees it (plain data). */
export interface VideoSource {
  sourceLabel: string;
  source: MediaSource;
  /** Layer forwarded now and layer being switched to (-1 = none). */
  layer: number;
  wanted: number;
  /** When its person last spoke (ms; 0 = never). */
  lastSpokeAt: number;
  /** Layers arriving now, lowest first; 0 in a field = not measured yet. */
  layers: { index: number; info: LayerInfo }[];
}

export function keyOf(sourceLabel: string, source: string): string {
  return `${sourceLabel}/${source}`;
}

/**
 * The demands of one subscriber's video sources, most important first:
 * screens, then cameras by how recently their person spoke. With `lastN` > 0,
 * cameras beyond the N most recent speakers are hidden.
 */
export function demandsOf(
  sources: VideoSource[],
  preferences: ReadonlyMap<string, VideoPreference>,
  lastN: number,
): Demand[] {
  const ordered = [...sources].sort(
    (a, b) =>
      Number(b.source === "screen") - Number(a.source === "screen") ||
      b.lastSpokeAt - a.lastSpokeAt,
  );
  let cameras = 0;
  return ordered.map((s) => {
    const key = keyOf(s.sourceLabel, s.source);
    const preference = preferences.get(key);
    let want: Want = preference
      ? preference.hidden
        ? "hidden"
        : { width: preference.width, height: preference.height }
      : "any";
    if (s.source === "camera" && want !== "hidden" && lastN > 0 && ++cameras > lastN)
      want = "hidden";
    const layers = s.layers.map(({ index, info }) => {
      const nominal = NOMINAL[Math.min(index, NOMINAL.length - 1)];
      return {
        index,
        info: {
          bitrate: info.bitrate || (nominal?.bitrate ?? 0),
          width: info.width || (nominal?.width ?? 0),
          height: info.height || (nominal?.height ?? 0),
        },
      };
    });
    // The layer being switched to counts as current too (no headroom asked twice).
    return { key, layers, want, current: Math.max(s.layer, s.wanted) };
  });
}
