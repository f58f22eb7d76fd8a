import type { TileSize } from "./messages";

/**
 * The tile sizes subscribers show cameras at, in device pixels, each the
 * size of one simulcast layer (media.ts): a small gallery tile wants q, a
 * medium one h, a large (speaker) tile f — by Plenum's rule (the smallest
 * layer that covers the tile, simulcast/selector.ts), and so the Janus
 * subscriber asks for the same substream.
 */
export const TILES: Record<TileSize, { width: number; height: number; layer: number }> = {
  small: { width: 320, height: 180, layer: 0 },
  medium: { width: 640, height: 360, layer: 1 },
  large: { width: 1280, height: 720, layer: 2 },
};
