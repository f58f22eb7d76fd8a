import assert from "node:assert/strict";
import { test } from "node:test";
import { episodes } from "../../bench/harness/video";
import { VideoDecoderModel } from "../../bench/loadgen/freeze";
import { videoLayers } from "../../bench/loadgen/media";
import { ReceiveCounter } from "../../bench/loadgen/receive";
import { simulcastOffer } from "../../bench/loadgen/simulcast";
import { readStamp, STAMP_BYTES, type Stamp, writeStamp } from "../../bench/loadgen/stamp";

/**
 * The benchmark's video bookkeeping without a network: the decoder model
 * that counts freezes and layers, the stamp every payload carries, the
 * simulcast offer. Times are given, not measured, so nothing here depends on
 * how fast the machine is.
 */

function frame(layer: number, n: number, keyframe = false, count = 1): Stamp[] {
  return Array.from({ length: count }, (_, index) => ({
    seq: n * count + index,
    sentNs: 0n,
    frame: n,
    layer,
    keyframe,
    index,
    count,
  }));
}

/** A test's time in ms: `tick(ms)` moves it on and returns it. */
function clock(): (ms: number) => number {
  let t = 0;
  return (ms) => {
    t += ms;
    return t;
  };
}

function feed(d: VideoDecoderModel, stamps: Stamp[], at: number): void {
  for (const s of stamps) d.packet(s, at);
}

test("frames 33 ms apart are no freeze; a 300 ms gap is one, of 300 ms", () => {
  const d = new VideoDecoderModel(undefined, () => undefined);
  d.resetCounts(0);
  const tick = clock();
  feed(d, frame(0, 0, true), tick(0));
  for (let n = 1; n < 30; n++) feed(d, frame(0, n), tick(33));
  assert.equal(d.counts.freezes, 0);
  feed(d, frame(0, 30), tick(300));
  for (let n = 31; n < 40; n++) feed(d, frame(0, n), tick(33));
  assert.equal(d.counts.freezes, 1);
  assert.equal(d.counts.freezeMs, 300);
  assert.equal(d.counts.framesByLayer[0], 40);
  // 150 ms is within max(3 × 33, 33 + 150): no freeze.
  feed(d, frame(0, 40), tick(150));
  assert.equal(d.counts.freezes, 1);
});

test("a lost packet stops decoding until a key frame, asks for one, and shows as a freeze", () => {
  let plis = 0;
  const d = new VideoDecoderModel(undefined, () => plis++);
  d.resetCounts(0);
  const tick = clock();
  feed(d, frame(0, 0, true, 2), tick(0));
  for (let n = 1; n < 10; n++) feed(d, frame(0, n, false, 2), tick(33));
  const lossAt = tick(0) + 33;
  feed(d, frame(0, 10, false, 2).slice(1), tick(33)); // the frame's first packet is lost
  for (let n = 11; n < 20; n++) feed(d, frame(0, n, false, 2), tick(33));
  assert.equal(d.counts.framesByLayer[0], 10, "nothing after the gap decodes");
  assert.equal(plis, 1, "one key frame request once stuck for 200 ms");
  const keyAt = tick(33);
  feed(d, frame(0, 20, true, 2), keyAt);
  assert.equal(d.counts.framesByLayer[0], 11);
  assert.equal(d.counts.freezes, 1);
  assert.equal(d.counts.freezeMs, keyAt - (lossAt - 33));
});

test("layers: a switch needs a key frame of the new layer; frames count per layer and against the tile", () => {
  const d = new VideoDecoderModel(2, () => undefined);
  d.resetCounts(0);
  const tick = clock();
  feed(d, frame(0, 0, true), tick(0));
  for (let n = 1; n < 5; n++) feed(d, frame(0, n), tick(33));
  feed(d, frame(2, 100), tick(33)); // a delta frame of f: not decodable
  assert.equal(d.counts.framesByLayer[2], 0);
  feed(d, frame(2, 101, true), tick(33));
  feed(d, frame(2, 102), tick(33));
  feed(d, frame(0, 5), tick(1)); // late q frame after the switch: no way back without a key frame
  assert.deepEqual(d.counts.framesByLayer, [5, 0, 2]);
  assert.equal(d.counts.framesWithWanted, 7);
  assert.equal(d.counts.framesOnWantedLayer, 2);
});

test("a picture still frozen when the window ends counts, within the window only", () => {
  const d = new VideoDecoderModel(undefined, () => undefined);
  const tick = clock();
  feed(d, frame(0, 0, true), tick(0));
  for (let n = 1; n < 10; n++) feed(d, frame(0, n), tick(33));
  d.resetCounts(tick(0) + 500);
  const c = d.finish(tick(0) + 1500);
  assert.equal(c.freezes, 1);
  assert.equal(c.freezeMs, 1000);
});

test("the stamp round-trips and the counter's loss follows each layer's sequence numbers", () => {
  const payload = Buffer.alloc(100);
  writeStamp(payload, { seq: 7, frame: 3, layer: 2, keyframe: true, index: 1, count: 2 });
  const s = readStamp(payload);
  assert.ok(s && s.sentNs > 0n);
  assert.deepEqual(
    { ...s, sentNs: 0n },
    {
      seq: 7,
      sentNs: 0n,
      frame: 3,
      layer: 2,
      keyframe: true,
      index: 1,
      count: 2,
    },
  );
  assert.equal(readStamp(Buffer.alloc(STAMP_BYTES)), undefined, "no magic, no stamp");

  const counter = new ReceiveCounter();
  const info = { kind: "video" as const, requestKeyframe: () => undefined };
  const packet = (layer: number, seq: number, keyframe = false) => {
    const p = Buffer.alloc(60);
    writeStamp(p, { seq, frame: seq, layer, keyframe, index: 0, count: 1 });
    counter.receive("sub/1", p, info);
  };
  packet(0, 100, true);
  for (let seq = 101; seq < 110; seq++) if (seq !== 105) packet(0, seq); // 105 lost
  packet(2, 5000, true); // switch to f: q's later numbers were never meant for us
  for (let seq = 5001; seq < 5010; seq++) packet(2, seq);
  assert.deepEqual(counter.byKind().video, { packets: 19, expected: 20 });
  const v = counter.video();
  assert.equal(v.streams, 1);
  assert.deepEqual(v.framesByLayer, [5, 0, 10]);
});

test("simulcast layers and the offer: q, h, f in the order each server expects, no SSRC lines", () => {
  const media = {
    videoFps: 30,
    videoPacketsPerFrame: 2,
    videoPacketBytes: 1200,
    audioPacketBytes: 100,
  };
  assert.deepEqual(
    videoLayers({ ...media, videoLayers: 3 }).map((l) => [l.packets, l.bytes, l.width]),
    [
      [1, 600, 320],
      [1, 1200, 640],
      [2, 1200, 1280],
    ],
  );
  assert.equal(videoLayers({ ...media, videoLayers: 1 }).length, 1);
  const sdp = [
    "v=0",
    "m=audio 9 UDP/TLS/RTP/SAVPF 96",
    "a=mid:0",
    "a=ssrc:1 cname:x",
    "m=video 9 UDP/TLS/RTP/SAVPF 97",
    "a=mid:1",
    "a=ssrc:2 cname:x",
    "a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "",
  ].join("\r\n");
  const plenum = simulcastOffer(sdp, "low-first");
  assert.match(plenum, /a=ssrc:1 cname/, "audio keeps its SSRC");
  assert.doesNotMatch(plenum, /a=ssrc:2/);
  assert.match(
    plenum,
    /a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n$/,
  );
  assert.match(simulcastOffer(sdp, "high-first"), /a=simulcast:send f;h;q\r\n$/);
});

test("freezes that begin together are one episode", () => {
  assert.equal(episodes([]), 0);
  assert.equal(episodes([1000, 1010, 1050, 1099, 2000, 5000, 5020]), 3);
});
