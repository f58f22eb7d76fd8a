import assert from "node:assert/strict";
import { it } from "node:test";
import { TokenBucket } from "./rate-limit";

it("TokenBucket allows a burst, then refills at its rate", () => {
  let t = 0;
  const bucket = new TokenBucket(10, 3, () => t);
  assert.deepEqual(
    [bucket.take(), bucket.take(), bucket.take(), bucket.take()],
    [true, true, true, false],
  );
  t = 100; // 0.1 s at 10/s: one token back
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  t = 60_000; // refills only up to the burst
  assert.equal([1, 2, 3, 4].filter(() => bucket.take()).length, 3);
});
