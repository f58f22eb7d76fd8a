import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HandQueue } from "./hands";

describe("HandQueue", () => {
  it("keeps hands in the order they went up", () => {
    const q = new HandQueue();
    q.set("b", true);
    q.set("a", true);
    q.set("c", true);
    assert.deepEqual(q.queue, ["b", "a", "c"]);
  });

  it("keeps the first place when a hand is raised twice, and reports no change", () => {
    const q = new HandQueue();
    q.set("a", true);
    q.set("b", true);
    assert.equal(q.set("a", true), false);
    assert.deepEqual(q.queue, ["a", "b"]);
  });

  it("moves everyone behind up when a hand goes down", () => {
    const q = new HandQueue();
    for (const id of ["a", "b", "c"]) q.set(id, true);
    assert.equal(q.set("b", false), true);
    assert.equal(q.set("x", false), false);
    assert.deepEqual(q.queue, ["a", "c"]);
  });
});
