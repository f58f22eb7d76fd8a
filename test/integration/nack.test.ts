import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/**
 * Loss between the SFU and a subscriber is repaired: the subscriber's NACKs
 * reach the SFU's sender for that subscriber, which retransmits from its own
 * history (each subscriber has its own packet copies, so one subscriber's
 * repair cannot corrupt another's stream).
 */
describe("NACK retransmission by the SFU", () => {
  let server: TestServer;
  const clients: WeriftClient[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  /** A sender publishing in a room of its own and a viewer already receiving its media. */
  async function viewerAndSender(): Promise<{ viewer: WeriftClient; sender: WeriftClient }> {
    const roomId = (await createRoom(server.url, { lobby: false })).id;
    const viewer = await WeriftClient.connect(server.url, "Viewer");
    clients.push(viewer);
    const sender = await WeriftClient.connect(server.url, "Sender");
    clients.push(sender);
    await viewer.join(roomId);
    await sender.join(roomId);
    await sender.publish();
    await viewer.waitForMediaFrom(sender.id, 30);
    return { viewer, sender };
  }

  it("resends video packets a subscriber lost, once it asks", async () => {
    const { viewer } = await viewerAndSender();
    const vp8 = Number(/^a=rtpmap:(\d+) VP8\/90000/m.exec(viewer.lastOffer)?.[1]);
    assert.ok(vp8 > 0, "the offer names VP8's payload type");
    // Every tenth video packet is lost on its first way to the viewer.
    const loss = viewer.loseFirstArrivals(
      (p) => p.header.payloadType === vp8 && p.header.sequenceNumber % 10 === 0,
    );
    await waitFor("20 video packets to be lost", () => loss.dropped.size >= 20);
    const lost = [...loss.dropped].slice(0, 20);
    await waitFor(
      "the SFU to resend the first 20 lost packets",
      () => lost.every((key) => loss.recovered.has(key)),
      { timeoutMs: 30_000 },
    );
  });

  it("asks the publisher for a key frame when a lost packet does not come back", async () => {
    const { sender } = await viewerAndSender();
    // The key frame requests of the viewer's start are over: none for 2 s.
    let seen = sender.keyframeRequests;
    let quietSince = Date.now();
    await waitFor(
      "the start's key frame requests to be over",
      () => {
        if (sender.keyframeRequests !== seen) {
          seen = sender.keyframeRequests;
          quietSince = Date.now();
        }
        return Date.now() - quietSince >= 2000;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // The werift viewer never asks for key frames itself: a request now comes from the SFU,
    // once its NACKs for the lost packet have gone unanswered.
    sender.loseVideoPacketForGood();
    await waitFor("a key frame request from the SFU", () => sender.keyframeRequests > seen, {
      timeoutMs: 15_000,
    });
  });
});
