import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VideoPreference } from "../types";
import { demandsOf, type VideoSource } from "./allocation";

const LAYERS = [0, 1, 2].map((index) => ({
  index,
  info: { bitrate: 0, width: 0, height: 0 },
}));

function camera(label: string, lastSpokeAt: number): VideoSource {
  return {
    sourceLabel: label,
    source: "camera",
    layer: -1,
    wanted: -1,
    lastSpokeAt,
    layers: LAYERS,
  };
}

describe("demandsOf", () => {
  it("puts screens first, then cameras by how recently their person spoke", () => {
    const screen: VideoSource = { ...camera("c", 0), source: "screen" };
    const keys = demandsOf([camera("a", 10), screen, camera("b", 20)], new Map(), 0).map(
      (d) => d.key,
    );
    assert.deepEqual(keys, ["c/screen", "b/camera", "a/camera"]);
  });

  it("hides cameras beyond the last N speakers, never a screen", () => {
    const screen: VideoSource = { ...camera("s", 0), source: "screen" };
    const demands = demandsOf(
      [camera("quiet", 0), camera("recent", 30), camera("earlier", 20), screen],
      new Map(),
      2,
    );
    const want = Object.fromEntries(demands.map((d) => [d.key, d.want]));
    assert.deepEqual(want, {
      "s/screen": "any",
      "recent/camera": "any",
      "earlier/camera": "any",
      "quiet/camera": "hidden",
    });
  });

  it("takes the tile size or hidden from the subscriber's preferences", () => {
    const preferences = new Map<string, VideoPreference>([
      ["a/camera", { sourceLabel: "a", source: "camera", width: 640, height: 360, hidden: false }],
      ["b/camera", { sourceLabel: "b", source: "camera", width: 0, height: 0, hidden: true }],
    ]);
    const demands = demandsOf([camera("a", 2), camera("b", 1)], preferences, 0);
    assert.deepEqual(demands[0]?.want, { width: 640, height: 360 });
    assert.equal(demands[1]?.want, "hidden");
  });

  it("assumes the requested layer sizes and rates until they are measured", () => {
    const [d] = demandsOf([camera("a", 0)], new Map(), 0);
    assert.deepEqual(
      d?.layers.map((l) => [l.info.width, l.info.bitrate]),
      [
        [320, 150_000],
        [640, 500_000],
        [1280, 1_500_000],
      ],
    );
  });
});
