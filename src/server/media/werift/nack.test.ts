import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NackTracker } from "./nack";

const timing = { firstAfterMs: 20, retryMs: 60, attempts: 3 };
const asList = (due: Map<number, number[]>) => Object.fromEntries(due);

describe("NACKs to a publisher", () => {
  it("tracks each SSRC on its own, as a simulcast publisher's interleaved layers need", () => {
    const t = new NackTracker(timing);
    // Layer q numbers from 100, layer h from 40000, interleaved; q loses 102, h loses 40001.
    for (const [ssrc, seq] of [
      [1, 100],
      [2, 40000],
      [1, 101],
      [2, 40002],
      [1, 103],
      [2, 40003],
    ] as const)
      t.received(ssrc, seq, 0);
    assert.deepEqual(asList(t.due(20)), { 1: [102], 2: [40001] });
  });

  it("waits before the first NACK, since a reordered packet fills its gap by itself", () => {
    const t = new NackTracker(timing);
    t.received(1, 10, 0);
    t.received(1, 13, 0);
    assert.deepEqual(asList(t.due(19)), {}, "nothing yet");
    t.received(1, 11, 5);
    assert.deepEqual(asList(t.due(20)), { 1: [12] }, "only the one still missing");
  });

  it("asks again until the packet comes or the attempts are used up", () => {
    const t = new NackTracker(timing);
    t.received(1, 1, 0);
    t.received(1, 3, 0);
    t.received(1, 6, 0);
    assert.deepEqual(asList(t.due(20)), { 1: [2, 4, 5] });
    assert.deepEqual(asList(t.due(50)), {}, "not before the retry interval");
    t.received(1, 4, 60);
    assert.deepEqual(asList(t.due(80)), { 1: [2, 5] });
    assert.deepEqual(asList(t.due(140)), { 1: [2, 5] });
    assert.deepEqual(t.takeLostForGood(), [], "the last attempt may still be answered");
    assert.deepEqual(asList(t.due(1000)), {}, "given up after three attempts");
    assert.equal(t.nextDue(), undefined);
  });

  it("reports an SSRC whose packet is lost for good once its last attempt went unanswered, once", () => {
    const t = new NackTracker(timing);
    t.received(1, 1, 0);
    t.received(1, 3, 0);
    t.received(2, 1, 0);
    t.received(2, 3, 0);
    for (const now of [20, 80, 140]) t.due(now);
    t.received(2, 2, 150);
    assert.deepEqual(t.takeLostForGood(), []);
    t.due(200);
    assert.deepEqual(t.takeLostForGood(), [1], "SSRC 2's packet came after all");
    assert.deepEqual(t.takeLostForGood(), [], "reported once");
  });

  it("counts across the wrap of sequence numbers", () => {
    const t = new NackTracker(timing);
    t.received(7, 65534, 0);
    t.received(7, 1, 0);
    assert.deepEqual(asList(t.due(20)), { 7: [65535, 0] });
  });

  it("takes a large jump for a restart, not for hundreds of losses", () => {
    const t = new NackTracker(timing);
    t.received(1, 10, 0);
    t.received(1, 12, 0);
    t.received(1, 5000, 0);
    assert.deepEqual(asList(t.due(20)), {}, "the restart forgot the old gap too");
    t.received(1, 5002, 30);
    assert.deepEqual(asList(t.due(50)), { 1: [5001] });
  });

  it("keeps no more than a few hundred missing packets per SSRC, dropping the oldest", () => {
    const t = new NackTracker(timing);
    t.received(1, 0, 0);
    for (let seq = 2; seq <= 1000; seq += 2) t.received(1, seq, 0);
    const lost = t.due(20).get(1) ?? [];
    assert.equal(lost.length, 300);
    assert.equal(lost.at(-1), 999, "the newest kept");
  });
});
