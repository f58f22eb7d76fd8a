import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ntpTime } from "werift";
import { ntpAt } from "./send";

describe("the sender-report clock", () => {
  it("gives werift's ntpTime() for the same instant, whatever its quirky format", () => {
    const real = performance.now;
    try {
      for (const at of [0, 1, 1234.5678, 98_765.4321, 3_600_000.000_1]) {
        performance.now = () => at;
        assert.equal(ntpAt(performance.timeOrigin + at), ntpTime(), `at ${at} ms`);
      }
    } finally {
      performance.now = real;
    }
  });
});
