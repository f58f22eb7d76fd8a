import type { TileSize } from "../loadgen/messages";
import type { Step } from "./scenarios";

/** How many subscribers in each group show cameras small, medium and large (weights). */
export interface TileMix {
  small: number;
  medium: number;
  large: number;
}

/** By default a third each: every layer has subscribers that want it. */
export const DEFAULT_TILES: TileMix = { small: 1, medium: 1, large: 1 };

/** Parses "S:M:L" (weights, e.g. 2:1:1) or "none" (no preferences: the server chooses). */
export function parseTileMix(text: string): TileMix | "none" {
  if (text === "none") return "none";
  const parts = text.split(":").map(Number);
  if (
    parts.length !== 3 ||
    parts.some((n) => !Number.isInteger(n) || n < 0) ||
    parts.every((n) => n === 0)
  )
    throw new Error(`--tiles takes S:M:L (whole numbers, not all 0) or none, got "${text}"`);
  const [small = 0, medium = 0, large = 0] = parts;
  return { small, medium, large };
}

/**
 * The step with a tile size for every subscriber, dealt in turn from the
 * mix's pattern (1:1:1 gives small, medium, large, small, …), so the same
 * participants get the same sizes on both servers and in every run.
 */
export function withTiles(step: Step, mix: TileMix | "none"): Step {
  if (mix === "none") return step;
  const pattern: TileSize[] = [
    ...Array<TileSize>(mix.small).fill("small"),
    ...Array<TileSize>(mix.medium).fill("medium"),
    ...Array<TileSize>(mix.large).fill("large"),
  ];
  let i = 0;
  return {
    ...step,
    participants: step.participants.map((p) =>
      p.subscribe ? { ...p, tile: pattern[i++ % pattern.length] } : p,
    ),
  };
}
