import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from "werift";
import { waitFor } from "../../../../../test/support/wait";
import { loopbackPeerConfig } from "../../../../../test/support/werift-client";
import type { MediaSource } from "../../types";
import { peerConfig } from "../config";
import { Upstream } from "../upstream";
import { bundleOnlySections, installSdpInterop } from "./sdp-interop";

/**
 * What Firefox's first offer looks like with `bundlePolicy: "max-bundle"`:
 * every m-line after the first gets port 0 and `a=bundle-only` (RFC 8843
 * section 6), and its mid stays in the BUNDLE group.
 */
function firefoxStyle(offer: string): string {
  const [session = "", first = "", ...rest] = offer.split(/\r\n(?=m=)/);
  const bundled = rest.map((section) =>
    section
      .replace(/^m=(\S+) \d+ /, "m=$1 0 ")
      .replace(/\r\na=candidate:[^\r]*/g, "")
      .replace(/(\r\na=mid:[^\r]*)/, "$1\r\na=bundle-only"),
  );
  return [session, first, ...bundled].join("\r\n");
}

const SESSION = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0"];

describe("werift SDP fixes for Firefox (sdp-interop.ts)", () => {
  const open: { close(): unknown }[] = [];
  after(async () => {
    await Promise.allSettled(open.map((p) => p.close()));
  });

  it("tells bundle-only sections from rejected ones", () => {
    const sdp = [
      ...SESSION,
      "a=group:BUNDLE 0 1",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "a=mid:0",
      "m=video 0 UDP/TLS/RTP/SAVPF 96",
      "a=mid:1",
      "a=bundle-only",
      "m=video 0 UDP/TLS/RTP/SAVPF 96",
      "a=mid:2",
      "a=bundle-only",
      "m=video 0 UDP/TLS/RTP/SAVPF 96",
      "a=mid:3",
      "",
    ].join("\r\n");
    // mid 2 claims bundle-only but is not in the group; mid 3 is simply rejected.
    assert.deepEqual(bundleOnlySections(sdp), [false, true, false, false]);
  });

  it("MEDIA-2: the SFU forwards the camera of a bundle-only section", async () => {
    installSdpInterop();
    const server = new Upstream(
      peerConfig({ addresses: ["127.0.0.1"], portRange: undefined }, "upstream"),
    );
    open.push(server);
    const client = new RTCPeerConnection(await loopbackPeerConfig());
    open.push(client);
    const audio = new MediaStreamTrack({ kind: "audio" });
    const video = new MediaStreamTrack({ kind: "video" });
    client.addTransceiver(audio, { direction: "sendonly" });
    client.addTransceiver(video, { direction: "sendonly" });
    const forwarded: MediaSource[] = [];
    server.watchTracks((source, on) => {
      if (on) forwarded.push(source);
    });
    let cameraPackets = 0;
    server.listen("camera", () => cameraPackets++);

    await client.setLocalDescription(await client.createOffer());
    const offer = firefoxStyle(client.localDescription?.sdp ?? "");
    assert.match(offer, /^m=video 0 [\s\S]*a=bundle-only/m, "the offer is Firefox's shape");
    const answer = await server.answer(offer);
    await client.setRemoteDescription({ type: "answer", sdp: answer });

    let seq = 0;
    const timer = setInterval(() => {
      seq = (seq + 1) & 0xffff;
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, ssrc: 4242 });
      video.writeRtp(new RtpPacket(header, Buffer.alloc(200, 7)));
    }, 10);
    open.push({ close: () => clearInterval(timer) });
    await waitFor("the camera of the bundle-only section forwarded", () =>
      forwarded.includes("camera") ? true : undefined,
    );
    await waitFor("camera packets at the SFU", () => cameraPackets >= 50, { timeoutMs: 20_000 });
    assert.equal(client.connectionState, "connected");
  });
});
