import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RTCRtpSender, RtpHeader } from "werift";
import { installFastPath } from "./install";

describe("installing the fast path", () => {
  it("patches werift once; installing again changes nothing", () => {
    const before = RTCRtpSender.prototype.sendRtp;
    assert.equal(installFastPath(), true, "the native helpers are built and used by default");
    const after = RTCRtpSender.prototype.sendRtp;
    assert.notEqual(after, before);
    assert.equal(installFastPath({ native: false }), false, "PLENUM_FASTPATH=js");
    assert.equal(RTCRtpSender.prototype.sendRtp, after);
    installFastPath();
    // The patched parser still parses: a header with a mid extension.
    const raw = Buffer.from("90600001000000010000000abede000110300000", "hex");
    const h = RtpHeader.deSerialize(raw);
    assert.equal(h.extensions[0]?.payload.toString(), "0");
    assert.equal(h.payloadOffset, 20);
  });
});
