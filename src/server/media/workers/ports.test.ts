import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { splitPorts } from "./ports";

describe("splitPorts", () => {
  it("gives every worker its own contiguous share of the range, using all of it", () => {
    assert.deepEqual(splitPorts([40000, 40009], 3), [
      [40000, 40003],
      [40004, 40006],
      [40007, 40009],
    ]);
    assert.deepEqual(splitPorts([40000, 40000], 1), [[40000, 40000]]);
  });

  it("leaves the choice to the system when no range is set", () => {
    assert.deepEqual(splitPorts(undefined, 2), [undefined, undefined]);
  });

  it("refuses a range smaller than the number of workers, saying why", () => {
    assert.throws(() => splitPorts([40000, 40001], 3), /2 media ports cannot be shared among 3/);
  });
});
