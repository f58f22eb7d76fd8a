import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withSessionIceLite } from "./sdp";

const SESSION = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0"];

describe("the SFU's SDP for Firefox (sdp.ts)", () => {
  it("MEDIA-2: adds a session-level a=ice-lite where werift wrote it per media section only", () => {
    const sdp = [...SESSION, "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=ice-lite", ""].join("\r\n");
    const fixed = withSessionIceLite(sdp);
    assert.match(fixed, /^t=0 0\r\na=ice-lite\r\nm=audio/m);
    assert.equal(withSessionIceLite(fixed), fixed, "not twice");
    const full = [...SESSION, "m=audio 9 UDP/TLS/RTP/SAVPF 111", ""].join("\r\n");
    assert.equal(withSessionIceLite(full), full, "a full agent stays one");
  });
});
