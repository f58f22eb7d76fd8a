import assert from "node:assert/strict";
import { it } from "node:test";
import { AttemptLimiter } from "./attempts";

it("AttemptLimiter lets a few failures pass, then blocks for growing times (PW-2)", () => {
  let t = 0;
  const limiter = new AttemptLimiter(3, 1000, 60_000, () => t);
  for (let i = 0; i < 3; i++) limiter.fail("a");
  assert.equal(limiter.waitFor("a"), 0);
  limiter.fail("a");
  assert.equal(limiter.waitFor("a"), 1000);
  limiter.fail("a");
  assert.equal(limiter.waitFor("a"), 2000);
  for (let i = 0; i < 20; i++) limiter.fail("a");
  assert.equal(limiter.waitFor("a"), 60_000, "capped");
  assert.equal(limiter.waitFor("b"), 0, "other keys unaffected");
  t = 60_000;
  assert.equal(limiter.waitFor("a"), 0);
  limiter.succeed("a");
  limiter.fail("a");
  assert.equal(limiter.waitFor("a"), 0, "success resets");
});

it("AttemptLimiter stays bounded under a flood of keys", () => {
  const limiter = new AttemptLimiter(0, 1000, 1000, () => 0, 100);
  for (let i = 0; i < 1000; i++) limiter.fail(`k${i}`);
  assert.equal(limiter.waitFor("k999"), 1000);
  assert.equal(limiter.waitFor("k0"), 0, "the oldest entries were dropped");
});
