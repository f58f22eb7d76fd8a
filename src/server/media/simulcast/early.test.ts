import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EarlyPackets, SwitchPoint } from "./early";

describe("a layer switch on a path that reorders", () => {
  it("keeps the packets that overtook the key frame's first one, and only those after it", () => {
    const early = new EarlyPackets<string>();
    for (const seq of [98, 103, 101, 99, 102]) early.add(seq, `p${seq}`);
    assert.deepEqual(early.takeAfter(100), ["p103", "p101", "p102"]);
    assert.deepEqual(early.takeAfter(100), [], "taken once");
  });

  it("counts across the wrap and keeps only the latest packets", () => {
    const early = new EarlyPackets<number>(3);
    for (const seq of [65533, 65534, 65535, 0, 1]) early.add(seq, seq);
    assert.deepEqual(early.takeAfter(65534), [65535, 0, 1]);
  });

  it("refuses late packets from before the switch, and stops checking well past it", () => {
    const point = new SwitchPoint();
    assert.equal(point.before(5), false, "no switch yet");
    point.set(65530);
    assert.equal(point.before(65529), true);
    assert.equal(point.before(65530), false, "the switch's own packet");
    assert.equal(point.before(3), false, "after it, across the wrap");
    assert.equal(point.before(65530 + 1001 - 65536), false, "well past the switch point");
    // 40,000 packets on, half the sequence space makes new packets look old: no longer checked.
    assert.equal(point.before((65530 + 40_000) % 65536), false);
  });
});
