import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { RTCPeerConnection } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./guard";
import { checkWeriftPatches, installWeriftPatches } from "./index";
import { WERIFT_PATCHES } from "./manifest";
import { silenceWeriftNacks } from "./receiver-nack";
import { forgetSent } from "./sent-history";

const ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));
const FIXES = WERIFT_PATCHES.filter((p) => p.kind === "fix").map((p) => p.name);

describe("werift patches: one manifest, every guard checked at start", () => {
  it("targets the werift that is installed", () => {
    assert.equal(weriftVersion(), TARGET_WERIFT_VERSION);
  });

  it("PATCH-1: every guard passes on the installed werift and Node (fails when a patch stops applying)", () => {
    assert.deepEqual(checkWeriftPatches({ fastPath: true, native: true }), []);
  });

  it("PATCH-1: every patch says what, why, what upstream knows, and names tests that exist", () => {
    for (const patch of WERIFT_PATCHES) {
      for (const field of [patch.what, patch.why, patch.upstream])
        assert.ok(field.length > 20, `${patch.name}: a sentence`);
      assert.ok(patch.tests.length > 0, `${patch.name}: tests`);
      for (const test of patch.tests) assert.ok(existsSync(join(ROOT, test)), test);
    }
  });

  it("a shape guard refuses, naming the method, when werift's shape changed", () => {
    const changed = { sendRtp() {}, decryptRtp: 42 };
    assert.throws(
      () => method(changed, "sendRtp", ["rtpCache"]),
      /sendRtp no longer uses rtpCache/,
    );
    assert.throws(() => method(changed, "decryptRtp", []), /decryptRtp is not a method/);
    assert.throws(() => method(changed, "encryptRtp", []), /encryptRtp is not a method/);
  });

  it("PATCH-2: with the fast path on, another werift version refuses to start, naming every patch", () => {
    assert.throws(
      () => installWeriftPatches({ fastPath: true, native: true }, "0.25.0"),
      (error: Error) =>
        WERIFT_PATCHES.filter((p) => p.kind !== "native").every((p) =>
          error.message.includes(`${p.name}: `),
        ) && error.message.includes("found 0.25.0"),
    );
  });

  it("PATCH-2: PLENUM_FASTPATH=0 starts on another werift version, leaving out and naming the fixes", () => {
    const { native, skipped } = installWeriftPatches({ fastPath: false, native: false }, "0.25.0");
    assert.equal(native, false);
    assert.deepEqual(
      skipped.map((s) => s.patch),
      FIXES,
    );
  });

  it("the fixes act once installed: restart-aware connect, werift's NACKs silenced, sent history emptied", async () => {
    const proto = RTCPeerConnection.prototype as unknown as Record<string, unknown>;
    assert.ok(!String(proto.connect).includes("needsIceStart"), "werift's own connect first");
    installWeriftPatches({ fastPath: false, native: false });
    assert.ok(String(proto.connect).includes("needsIceStart"), "connect is patched");
    const pc = new RTCPeerConnection();
    try {
      const transceiver = pc.addTransceiver("video", { direction: "sendrecv" });
      const sender = transceiver.sender as unknown as { rtpCache: unknown[] };
      sender.rtpCache = [1, 2, 3];
      forgetSent(transceiver);
      assert.deepEqual(sender.rtpCache, []);
      const receiver = transceiver.receiver as unknown as { nack: { addPacket: () => unknown } };
      const weriftAddPacket = receiver.nack.addPacket;
      silenceWeriftNacks(transceiver.receiver);
      assert.notEqual(receiver.nack.addPacket, weriftAddPacket);
    } finally {
      await pc.close();
    }
  });
});
