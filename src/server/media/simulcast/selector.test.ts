import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Demand, selectLayers } from "./selector";

/** Three layers as a 1280x720 camera sends them. */
const LAYERS = [
  { index: 0, info: { bitrate: 150_000, width: 320, height: 180 } },
  { index: 1, info: { bitrate: 500_000, width: 640, height: 360 } },
  { index: 2, info: { bitrate: 1_500_000, width: 1280, height: 720 } },
];

function demand(key: string, want: Demand["want"], current = -1): Demand {
  return { key, layers: LAYERS, want, current };
}

describe("selectLayers", () => {
  it("gives a small tile the low layer and a large tile the high layer", () => {
    const chosen = selectLayers(
      [demand("small", { width: 300, height: 170 }), demand("large", { width: 1200, height: 700 })],
      10_000_000,
    );
    assert.equal(chosen.get("small"), 0);
    assert.equal(chosen.get("large"), 2);
  });

  it("takes the layer that covers the tile in one dimension (the video is letterboxed)", () => {
    const chosen = selectLayers([demand("a", { width: 640, height: 480 })], 10_000_000);
    assert.equal(chosen.get("a"), 1);
  });

  it("pauses hidden tiles and sources without layers", () => {
    const chosen = selectLayers(
      [demand("hidden", "hidden"), { key: "none", layers: [], want: "any", current: -1 }],
      10_000_000,
    );
    assert.equal(chosen.get("hidden"), -1);
    assert.equal(chosen.get("none"), -1);
  });

  it("falls back to the lowest layer when the budget is small, and keeps the first source", () => {
    const chosen = selectLayers([demand("speaker", "any", 2), demand("other", "any", 2)], 200_000);
    assert.equal(chosen.get("speaker"), 0);
    assert.equal(chosen.get("other"), -1);
  });

  it("spends the budget on sources in priority order", () => {
    const chosen = selectLayers([demand("first", "any"), demand("second", "any")], 2_200_000);
    assert.equal(chosen.get("first"), 2);
    assert.equal(chosen.get("second"), 0);
  });

  it("keeps the current layer at its bitrate but needs headroom to move up", () => {
    // 1.5 M + 150 k = 1.65 M: enough to keep layer 2, not enough to reach it (x1.15).
    const keep = selectLayers([demand("a", "any", 2)], 1_700_000);
    const reach = selectLayers([demand("a", "any", 1)], 1_700_000);
    assert.equal(keep.get("a"), 2);
    assert.equal(reach.get("a"), 1);
  });

  it("uses the layers that exist: an upper layer the publisher stopped is not chosen", () => {
    const chosen = selectLayers(
      [{ key: "a", layers: LAYERS.slice(0, 2), want: { width: 1280, height: 720 }, current: -1 }],
      10_000_000,
    );
    assert.equal(chosen.get("a"), 1);
  });
});
