import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Throttle } from "./throttle";

describe("Throttle", () => {
  it("lets the free failures pass, then makes each further try wait twice as long", () => {
    let now = 0;
    const throttle = new Throttle({ free: 2, baseMs: 1000, maxMs: 8000 }, () => now);
    throttle.fail("k");
    throttle.fail("k");
    assert.equal(throttle.waitMs("k"), 0);
    throttle.fail("k");
    assert.equal(throttle.waitMs("k"), 1000);
    now += 1000;
    assert.equal(throttle.waitMs("k"), 0);
    throttle.fail("k");
    assert.equal(throttle.waitMs("k"), 2000);
    for (let i = 0; i < 10; i++) throttle.fail("k");
    assert.equal(throttle.waitMs("k"), 8000, "capped");
    assert.equal(throttle.waitMs("other"), 0, "keys are independent");
  });

  it("forgets a key on success and after the longest wait", () => {
    let now = 0;
    const throttle = new Throttle({ free: 0, baseMs: 1000, maxMs: 4000 }, () => now);
    throttle.fail("a");
    throttle.fail("b");
    throttle.succeed("a");
    assert.equal(throttle.waitMs("a"), 0);
    now = 5000;
    throttle.prune();
    throttle.fail("b");
    assert.equal(throttle.waitMs("b"), 1000, "counting started over");
  });
});
