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

  it("never drops, and lets nothing wait more than half a second", async () => {
    let t = 0;
    const pacer = new Pacer(() => t);
    pacer.setEstimate(100_000);
    let sent = 0;
    try {
      // 192 kbit queued at 100 kbit/s would take two seconds.
      for (let i = 0; i < 20; i++) pacer.send(1200, false, () => sent++);
      // The pacer's clock moves 10 ms at a time; its timers fire on the real clock meanwhile.
      while (sent < 20 && t < 2000) {
        t += 10;
        await waitUntil(() => pacer.backlog === 0, 3);
      }
      assert.equal(sent, 20);
      assert.ok(t <= 550, `the last packet left after ${t} ms`);
    } finally {
      pacer.close();
    }
  });
});

/** Polls until `done` (the pacer's timers run on the real clock; its time is the test's). */
async function waitUntil(done: () => boolean, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await new Promise((r) => setTimeout(r, 2));
}
