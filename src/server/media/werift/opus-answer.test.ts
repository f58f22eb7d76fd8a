import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withOpusFecAndDtx } from "./upstream";

describe("withOpusFecAndDtx", () => {
  it("asks for in-band FEC and DTX on Opus, and leaves other codecs alone", () => {
    const sdp = [
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "a=rtpmap:111 opus/48000/2",
      "a=fmtp:111 minptime=10;useinbandfec=0",
      "m=video 9 UDP/TLS/RTP/SAVPF 96",
      "a=rtpmap:96 VP8/90000",
      "a=fmtp:96 max-fs=12288",
      "",
    ].join("\r\n");
    const out = withOpusFecAndDtx(sdp);
    assert.match(out, /a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n/);
    assert.match(out, /a=fmtp:96 max-fs=12288\r\n/);
  });
});
