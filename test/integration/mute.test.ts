import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/**
 * SPEC MOD-3: a moderator's mute is enforced by the SFU, not merely requested:
 * the muted person's audio stops reaching the others (their video does not),
 * until they switch the microphone on themselves.
 */
describe("mute by a moderator (SPEC MOD-3)", () => {
  let server: TestServer;
  const clients: WeriftClient[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("holds back the muted person's audio until they unmute themselves", async () => {
    const room = await createRoom(server.url);
    const mod = await WeriftClient.connect(server.url, "Mod");
    const speaker = await WeriftClient.connect(server.url, "Speaker");
    clients.push(mod, speaker);
    // Both enter with the moderator link so no lobby is involved: media is the subject here.
    await mod.join(room.id, room.moderatorToken);
    await speaker.join(room.id, room.moderatorToken);
    await mod.publish();
    await speaker.publish();
    await mod.waitForMediaFrom(speaker.id, 30);

    await mod.signalling.request({ type: "mute", participantId: speaker.id });
    const told = await speaker.event("moderated");
    assert.equal(told.action, "muted");

    // Audio from the speaker stops while their video keeps coming: the connection is alive.
    let audioBefore = mod.packetsFrom(speaker.id, "audio");
    let videoBefore = mod.packetsFrom(speaker.id, "video");
    await waitFor(
      "the speaker's audio to stop while video flows",
      () => {
        const audio = mod.packetsFrom(speaker.id, "audio");
        const video = mod.packetsFrom(speaker.id, "video");
        const stopped = audio === audioBefore && video >= videoBefore + 30;
        if (audio !== audioBefore) {
          // Packets in flight when the mute arrived: start the window again.
          audioBefore = audio;
          videoBefore = video;
        }
        return stopped;
      },
      { intervalMs: 250 },
    );

    // Switching the microphone on is the speaker's own decision, and it lifts the hold.
    await speaker.setMedia({ audio: true, video: true });
    const resumedFrom = mod.packetsFrom(speaker.id, "audio");
    await waitFor(
      "the speaker's audio to flow again",
      () => mod.packetsFrom(speaker.id, "audio") >= resumedFrom + 30,
    );
  });
});
