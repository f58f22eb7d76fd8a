import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RtpHeader, RtpPacket } from "werift";
import type { Vp8Info } from "../simulcast/vp8";
import { KEYFRAME_AFTER_ANSWER_MS, KEYFRAME_INTERVAL_MS, Layer, liveLayers } from "./layer";

const packet = new RtpPacket(new RtpHeader({ ssrc: 1234, sequenceNumber: 1 }), Buffer.alloc(20));
const keyframe: Vp8Info = { start: true, keyframe: true };
const delta: Vp8Info = { start: true, keyframe: false };

describe("Layer key frame requests", () => {
  it("sends none before the layer's SSRC is known, then one at once", () => {
    const layer = new Layer("q");
    assert.equal(layer.requestKeyframe(1000), undefined);
    layer.received(packet, delta, 1000);
    assert.deepEqual(layer.requestKeyframe(1000), { ssrc: 1234 });
  });

  it("holds a second request for a second while the first is unanswered", () => {
    const layer = new Layer("q");
    layer.received(packet, delta, 0);
    layer.requestKeyframe(10_000);
    assert.deepEqual(layer.requestKeyframe(10_100), { wait: KEYFRAME_INTERVAL_MS - 100 });
    layer.received(packet, delta, 10_500);
    assert.deepEqual(layer.requestKeyframe(10_500), { wait: KEYFRAME_INTERVAL_MS - 500 });
    assert.deepEqual(layer.requestKeyframe(10_000 + KEYFRAME_INTERVAL_MS), { ssrc: 1234 });
  });

  it("lets a subscriber starting on the layer ask soon after a key frame answered the last", () => {
    const layer = new Layer("q");
    layer.received(packet, delta, 0);
    layer.requestKeyframe(10_000);
    layer.received(packet, keyframe, 10_080);
    // Chrome would ignore a request this close to its key frame.
    assert.deepEqual(layer.requestKeyframe(10_100, true), { wait: KEYFRAME_AFTER_ANSWER_MS - 20 });
    assert.deepEqual(layer.requestKeyframe(10_080 + KEYFRAME_AFTER_ANSWER_MS, true), {
      ssrc: 1234,
    });
  });

  it("keeps a decoder's own requests (loss) to one a second, answered or not", () => {
    const layer = new Layer("q");
    layer.received(packet, delta, 0);
    layer.requestKeyframe(10_000);
    layer.received(packet, keyframe, 10_080);
    assert.deepEqual(layer.requestKeyframe(10_500), { wait: KEYFRAME_INTERVAL_MS - 500 });
  });
});

/** Three simulcast layers whose packets last came at the given times (ms). */
function layersAt(...times: number[]): Layer[] {
  return times.map((at, i) => {
    const layer = new Layer(["q", "h", "f"][i]);
    const p = new RtpPacket(new RtpHeader({ ssrc: 1000 + i, sequenceNumber: 1 }), Buffer.alloc(20));
    layer.received(p, delta, at);
    return layer;
  });
}

describe("which simulcast layers arrive", () => {
  it("a layer silent while the others go on has stopped (Chrome dropped it)", () => {
    const live = liveLayers(layersAt(10_000, 10_000, 9_000)).map((l) => l.index);
    assert.deepEqual(live, [0, 1]);
  });

  it("a gap in every layer at once stops none of them (a busy media thread, a publisher's hiccup: issue 18)", () => {
    // All last seen long before whoever asks now: the same gap for each.
    const live = liveLayers(layersAt(8_000, 7_980, 7_990)).map((l) => l.index);
    assert.deepEqual(live, [0, 1, 2]);
  });

  it("a layer that never sent is not offered", () => {
    const layers = [...layersAt(5_000, 5_000), new Layer("f")];
    assert.deepEqual(
      liveLayers(layers).map((l) => l.index),
      [0, 1],
    );
  });

  it("a single stream is offered however long it is silent (a still screen)", () => {
    assert.deepEqual(
      liveLayers(layersAt(1)).map((l) => l.index),
      [0],
    );
    assert.deepEqual(liveLayers([new Layer(undefined)]), []);
  });
});
