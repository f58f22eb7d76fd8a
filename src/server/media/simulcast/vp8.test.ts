import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseVp8, rewriteVp8 } from "./vp8";

/** X=1, S=1, PID=0; I=1, L=1, T=1; 15-bit picture id 0x1234; TL0PICIDX 7; TID byte. */
const DESCRIPTOR = [0x90, 0xe0, 0x80 | 0x12, 0x34, 7, 0x20];
/** A 640x360 key frame's first 10 bytes: frame tag (P=0), start code, width, height. */
const KEYFRAME = [0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01];

describe("parseVp8", () => {
  it("finds a key frame's start, size, picture id and TL0PICIDX", () => {
    const info = parseVp8(Buffer.from([...DESCRIPTOR, ...KEYFRAME]));
    assert.equal(info?.start, true);
    assert.equal(info?.keyframe, true);
    assert.deepEqual(info?.pictureId, { offset: 2, bits: 15, value: 0x1234 });
    assert.deepEqual(info?.tl0PicIdx, { offset: 4, value: 7 });
    assert.equal(info?.width, 640);
    assert.equal(info?.height, 360);
  });

  it("tells a delta frame (P=1) and a middle packet (S=0) from a key frame", () => {
    const delta = parseVp8(Buffer.from([...DESCRIPTOR, 0x51, 0, 0]));
    assert.equal(delta?.start, true);
    assert.equal(delta?.keyframe, false);
    const middle = parseVp8(Buffer.from([0x80, 0x80, 0x05, ...KEYFRAME]));
    assert.equal(middle?.start, false);
    assert.equal(middle?.keyframe, false);
    assert.deepEqual(middle?.pictureId, { offset: 2, bits: 7, value: 5 });
  });

  it("refuses payloads too short to be VP8", () => {
    assert.equal(parseVp8(Buffer.alloc(0)), undefined);
    assert.equal(parseVp8(Buffer.from([0x90, 0x80])), undefined);
  });
});

describe("rewriteVp8", () => {
  it("replaces picture id and TL0PICIDX in a copy and leaves the frame alone", () => {
    const payload = Buffer.from([...DESCRIPTOR, ...KEYFRAME]);
    const info = parseVp8(payload);
    assert.ok(info);
    const out = rewriteVp8(payload, info, 0x0102, 200);
    assert.deepEqual(parseVp8(out)?.pictureId?.value, 0x0102);
    assert.equal(parseVp8(out)?.tl0PicIdx?.value, 200);
    assert.deepEqual([...out.subarray(DESCRIPTOR.length)], KEYFRAME);
    assert.equal(parseVp8(payload)?.pictureId?.value, 0x1234, "the shared input is unchanged");
  });

  it("shares the input where nothing changes, and copies when only TL0PICIDX does", () => {
    const payload = Buffer.from([...DESCRIPTOR, ...KEYFRAME]);
    const info = parseVp8(payload);
    assert.ok(info?.tl0PicIdx);
    assert.equal(rewriteVp8(payload, info, 0x1234, info.tl0PicIdx.value), payload);
    const out = rewriteVp8(payload, info, 0x1234, (info.tl0PicIdx.value + 1) & 0xff);
    assert.notEqual(out, payload);
    assert.equal(parseVp8(out)?.tl0PicIdx?.value, (info.tl0PicIdx.value + 1) & 0xff);
    assert.equal(parseVp8(payload)?.tl0PicIdx?.value, info.tl0PicIdx.value);
  });
});
