import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LossBasedEstimator } from "./estimator";

describe("LossBasedEstimator", () => {
  it("drops to what got through when the subscriber reports heavy loss", () => {
    const e = new LossBasedEstimator(3_000_000);
    // 1.5 Mbit/s sent, 80 % lost: about 300 kbit/s arrived.
    e.report(0.8, 1_500_000, 1000);
    assert.equal(e.estimate, 3_000_000, "one lossy report alone is no congestion");
    e.report(0.8, 1_500_000, 1200);
    assert.ok(e.estimate < 300_000, `${e.estimate}`);
    assert.ok(e.estimate > 200_000, `${e.estimate}`);
  });

  it("holds after congestion, then grows slowly while nothing is lost", () => {
    const e = new LossBasedEstimator(3_000_000);
    e.report(0.5, 1_000_000, -100);
    e.report(0.5, 1_000_000, 0);
    const low = e.estimate;
    e.report(0, 400_000, 1000);
    assert.equal(e.estimate, low);
    for (let t = 9000; t <= 19000; t += 1000) e.report(0, 400_000, t);
    assert.ok(e.estimate > low * 1.5 && e.estimate < low * 2, `${low} -> ${e.estimate}`);
  });

  it("decreases once for a burst of reports that still count packets sent before the decrease", () => {
    const e = new LossBasedEstimator(3_000_000);
    e.report(0.5, 1_000_000, 900);
    e.report(0.5, 1_000_000, 1000);
    const once = e.estimate;
    e.report(0.7, 600_000, 1400);
    assert.equal(e.estimate, once);
    e.report(0.7, 300_000, 2500);
    assert.ok(e.estimate < once);
  });

  it("keeps the estimate under moderate loss", () => {
    const e = new LossBasedEstimator(1_000_000);
    e.report(0.05, 900_000, 1000);
    assert.equal(e.estimate, 1_000_000);
  });
});
