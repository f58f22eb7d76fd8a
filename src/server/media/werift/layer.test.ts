import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RtpHeader, RtpPacket } from "werift";
import type { Vp8Info } from "../simulcast/vp8";
import { KEYFRAME_AFTER_ANSWER_MS, KEYFRAME_INTERVAL_MS, Layer } from "./layer";

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
