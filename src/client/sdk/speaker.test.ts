import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyQuality, SpeakerDetector } from "./speaker";

describe("SpeakerDetector", () => {
  it("picks the loudest voice above the speech level", () => {
    const d = new SpeakerDetector();
    assert.equal(
      d.update(
        new Map([
          ["a", 0.001],
          ["b", 0.001],
        ]),
        0,
      ),
      undefined,
    );
    assert.equal(
      d.update(
        new Map([
          ["a", 0.2],
          ["b", 0.5],
        ]),
        100,
      ),
      "b",
    );
  });

  it("keeps the current speaker while they talk, then hands over after a pause", () => {
    const d = new SpeakerDetector();
    d.update(new Map([["a", 0.3]]), 0);
    assert.equal(
      d.update(
        new Map([
          ["a", 0.1],
          ["b", 0.6],
        ]),
        500,
      ),
      "a",
    );
    assert.equal(
      d.update(
        new Map([
          ["a", 0],
          ["b", 0.6],
        ]),
        1000,
      ),
      "a",
      "held briefly after silence",
    );
    assert.equal(
      d.update(
        new Map([
          ["a", 0],
          ["b", 0.6],
        ]),
        2100,
      ),
      "b",
    );
  });

  it("forgets a speaker who left", () => {
    const d = new SpeakerDetector();
    d.update(new Map([["a", 0.3]]), 0);
    assert.equal(d.update(new Map([["b", 0]]), 100), undefined);
  });
});

describe("classifyQuality", () => {
  it("rates by loss and round-trip time", () => {
    assert.equal(classifyQuality(0, 0.05), "good");
    assert.equal(classifyQuality(0.03, 0.05), "fair");
    assert.equal(classifyQuality(0, 0.4), "fair");
    assert.equal(classifyQuality(0.1, undefined), "poor");
    assert.equal(classifyQuality(0, 0.9), "poor");
  });
});
