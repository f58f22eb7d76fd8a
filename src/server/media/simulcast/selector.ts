/** One simulcast layer a publisher currently sends. */
export interface LayerInfo {
  /** Bits per second it arrives with (measured). */
  bitrate: number;
  width: number;
  height: number;
}

/** How the subscriber shows a source: at a size (device pixels), hidden, or unknown. */
export type Want = { width: number; height: number } | "hidden" | "any";

export interface Demand {
  key: string;
  /** The layers on offer, lowest first; indices are the forwarder's layer numbers. */
  layers: { index: number; info: LayerInfo }[];
  want: Want;
  /** The layer forwarded now (or -1); upgrading beyond it needs some headroom. */
  current: number;
}

/** A layer the subscriber does not have yet must fit with this margin, so we do not flap. */
const UPGRADE_HEADROOM = 1.15;
/** A layer this much smaller than the tile still looks sharp enough. */
const SIZE_TOLERANCE = 0.9;

/**
 * Chooses one layer per source (or none) for a subscriber. Demands come in
 * priority order (recent speakers first). Every shown source first gets its
 * lowest layer while the budget lasts, the most important one always; then,
 * in priority order, each is raised towards the smallest layer that covers
 * its tile while the budget lasts. Returns layer index per key, -1 = paused.
 */
export function selectLayers(demands: Demand[], budget: number): Map<string, number> {
  const chosen = new Map<string, number>();
  const position = new Map<string, number>();
  let left = budget;
  demands.forEach((d, i) => {
    chosen.set(d.key, -1);
    const lowest = d.layers[0];
    if (d.want === "hidden" || !lowest) return;
    const cost = costOf(d, 0);
    if (i > 0 && cost > left) return;
    left -= cost;
    position.set(d.key, 0);
    chosen.set(d.key, lowest.index);
  });
  for (const d of demands) {
    const at = position.get(d.key);
    if (at === undefined) continue;
    const target = targetPosition(d);
    let p = at;
    while (p < target) {
      const extra = costOf(d, p + 1) - costOf(d, p);
      if (extra > left) break;
      left -= extra;
      p++;
    }
    chosen.set(d.key, d.layers[p]?.index ?? -1);
  }
  return chosen;
}

/** The position (in `layers`) of the smallest layer that covers the tile. */
function targetPosition(d: Demand): number {
  const top = d.layers.length - 1;
  const want = d.want;
  if (want === "any" || want === "hidden") return top;
  // Either dimension suffices: the video is fitted into the tile keeping its shape.
  const fits = d.layers.findIndex(
    (l) =>
      l.info.width >= want.width * SIZE_TOLERANCE || l.info.height >= want.height * SIZE_TOLERANCE,
  );
  return fits === -1 ? top : fits;
}

function costOf(d: Demand, position: number): number {
  const layer = d.layers[position];
  if (!layer) return Number.POSITIVE_INFINITY;
  return layer.index > d.current ? layer.info.bitrate * UPGRADE_HEADROOM : layer.info.bitrate;
}
