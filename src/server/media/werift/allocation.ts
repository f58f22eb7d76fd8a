import type { Demand, LayerInfo, Want } from "../simulcast/selector";
import type { VideoPreference } from "../types";
import type { Forward } from "./forward";

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

export function keyOf(sourceLabel: string, source: string): string {
  return `${sourceLabel}/${source}`;
}

/**
 * The demands of one subscriber's video forwards, most important first:
 * screens, then cameras by how recently their person spoke. With `lastN`,
 * cameras beyond the N most recent speakers are hidden.
 */
export function demandsOf(
  forwards: Forward[],
  preferences: ReadonlyMap<string, VideoPreference>,
  lastN: number,
  now: number,
): Demand[] {
  const ordered = [...forwards].sort(
    (a, b) =>
      Number(b.source === "screen") - Number(a.source === "screen") ||
      b.upstream.speech.lastSpokeAt - a.upstream.speech.lastSpokeAt,
  );
  let cameras = 0;
  return ordered.map((f) => {
    const key = keyOf(f.sourceLabel, f.source);
    const preference = preferences.get(key);
    let want: Want = preference
      ? preference.hidden
        ? "hidden"
        : { width: preference.width, height: preference.height }
      : "any";
    if (f.source === "camera" && want !== "hidden" && lastN > 0 && ++cameras > lastN)
      want = "hidden";
    const layers = f.upstream.layersOf(f.source, now).map(({ index, layer }) => {
      const nominal = NOMINAL[Math.min(index, NOMINAL.length - 1)] ?? NOMINAL[0];
      return {
        index,
        info: {
          bitrate: layer.bitrate > 0 ? layer.bitrate : (nominal?.bitrate ?? 0),
          width: layer.width || (nominal?.width ?? 0),
          height: layer.height || (nominal?.height ?? 0),
        },
      };
    });
    // The forwarded layer counts as current; one being switched to counts too (no double headroom).
    return { key, layers, want, current: Math.max(f.layer, f.wanted) };
  });
}
