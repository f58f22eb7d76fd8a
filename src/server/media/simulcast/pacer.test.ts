import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Pacer } from "./pacer";

describe("Pacer", () => {
  it("holds back a video burst beyond the allowance but never audio", () => {
    const t = 1000;
    const pacer = new Pacer(() => t);
    pacer.setEstimate(300_000);
    const sent: string[] = [];
    try {
      // A key frame: 20 packets of 1200 bytes at once, far more than 20 ms at 300 kbit/s.
      for (let i = 0; i < 20; i++) pacer.send(1200, false, () => sent.push(`v${i}`));
      pacer.send(100, true, () => sent.push("a"));
      assert.ok(sent.length < 5, `sent at once: ${sent.join(",")}`);
      assert.ok(sent.includes("a"), "audio went at once");
      assert.ok(pacer.backlog > 0);
    } finally {
      pacer.close();
    }
  });

  it("drops a backlog of more than a second rather than sending it ever later", () => {
    const pacer = new Pacer(() => 0);
    pacer.setEstimate(100_000);
    try {
      for (let i = 0; i < 20; i++) pacer.send(1200, false, () => undefined);
      assert.ok(pacer.backlog < 100_000, `backlog ${pacer.backlog} bits`);
    } finally {
      pacer.close();
    }
  });
});
