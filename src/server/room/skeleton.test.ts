import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { skeleton } from "./skeleton";

describe("confusable skeletons (docs/SPEC.md NAME-3)", () => {
  it("NAME-3: look-alike names share a skeleton; different names do not", () => {
    assert.equal(skeleton("Anna"), skeleton("Аnnа")); // Cyrillic А and а
    assert.equal(skeleton("Moderator"), skeleton("M0derat0r"));
    assert.equal(skeleton("Martin"), skeleton("rnartin"));
    assert.equal(skeleton("Bill Gates"), skeleton("bill  gates"));
    assert.equal(skeleton("Élise"), skeleton("Elise"));
    assert.notEqual(skeleton("Anna"), skeleton("Hanna"));
  });
});
