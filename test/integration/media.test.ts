import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { marker } from "../support/synthetic-media";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/** ~1 s of video at 30 fps: enough to show a flow, reached quickly even on a loaded box. */
const FLOWING = 30;

/** Every track `receiver` is offered from `sender` carries `sender`'s packets, and only theirs. */
function assertTracksCarry(receiver: WeriftClient, sender: WeriftClient): void {
  for (const kind of ["audio", "video"] as const) {
    const mid = receiver.midOf(sender.id, kind);
    assert.ok(mid !== undefined, `${receiver.name} has no ${kind} track of ${sender.name}`);
    const stats = receiver.stats(mid);
    assert.deepEqual(
      [...stats.markers],
      [marker(sender.name, kind)],
      `mid ${mid} of ${receiver.name}, offered as ${sender.name}'s ${kind}, carries other packets`,
    );
    assert.equal(stats.ssrcs.size, 1, `mid ${mid} of ${receiver.name} mixes SSRCs`);
  }
}

describe("media through the SFU", () => {
  let server: TestServer;
  let roomId: string;
  const clients: WeriftClient[] = [];
  const connect = async (name: string) => {
    const client = await WeriftClient.connect(server.url, name);
    clients.push(client);
    return client;
  };
  let alice: WeriftClient;
  let bob: WeriftClient;
  let carol: WeriftClient;
  /** Bob's participant id before he left. */
  let bobBefore: string;

  before(async () => {
    server = await startTestServer();
    roomId = (await createRoom(server.url, { lobby: false })).id;
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("tells each of two participants about the other", async () => {
    alice = await connect("Alice");
    bob = await connect("Bob");
    const first = await alice.join(roomId);
    assert.deepEqual(first.participants, []);
    const second = await bob.join(roomId);
    assert.deepEqual(
      second.participants.map((p) => p.name),
      ["Alice"],
    );
    const joined = await alice.event("participant-joined");
    assert.equal(joined.participant.id, bob.id);
    assert.equal(joined.participant.name, "Bob");
  });

  it("forwards each one's audio and video to the other", async () => {
    await Promise.all([alice.publish(), bob.publish()]);
    await Promise.all([
      alice.waitForMediaFrom(bob.id, FLOWING),
      bob.waitForMediaFrom(alice.id, FLOWING),
    ]);
  });

  it("sends each track on the mid the offer names for its sender", () => {
    assertTracksCarry(alice, bob);
    assertTracksCarry(bob, alice);
    // Nobody is sent their own media back.
    assert.ok(alice.tracks.every((t) => t.participantId === bob.id));
    assert.ok(bob.tracks.every((t) => t.participantId === alice.id));
  });

  it("tells the others when someone switches camera or microphone", async () => {
    await alice.setMedia({ audio: true, video: false });
    const updated = await bob.event("participant-updated", (e) => e.participant.id === alice.id);
    assert.deepEqual(updated.participant.media, { audio: true, video: false });
    await alice.setMedia({ audio: true, video: true });
    const again = await bob.event("participant-updated", (e) => e.participant.id === alice.id);
    assert.deepEqual(again.participant.media, { audio: true, video: true });
  });

  it("gives a latecomer everyone's media, and everyone the latecomer's", async () => {
    const keyframeRequests = { alice: alice.keyframeRequests, bob: bob.keyframeRequests };
    carol = await connect("Carol");
    const joined = await carol.join(roomId);
    assert.deepEqual(joined.participants.map((p) => p.name).sort(), ["Alice", "Bob"]);
    assert.deepEqual(
      joined.participants.find((p) => p.name === "Alice")?.media,
      { audio: true, video: true },
      "a latecomer learns the media state set before they came",
    );
    await carol.publish();
    await Promise.all([
      carol.waitForMediaFrom(alice.id, FLOWING),
      carol.waitForMediaFrom(bob.id, FLOWING),
      alice.waitForMediaFrom(carol.id, FLOWING),
      bob.waitForMediaFrom(carol.id, FLOWING),
    ]);
    assertTracksCarry(carol, alice);
    assertTracksCarry(carol, bob);
    assertTracksCarry(alice, carol);
    assertTracksCarry(bob, carol);
    // The renegotiation kept what was flowing: Alice still gets Bob.
    await alice.waitForMediaFrom(bob.id, FLOWING);
    assertTracksCarry(alice, bob);
    // The latecomer's decoders need a key frame to show anything: the SFU asked the senders.
    assert.ok(alice.keyframeRequests > keyframeRequests.alice, "Alice was asked for a key frame");
    assert.ok(bob.keyframeRequests > keyframeRequests.bob, "Bob was asked for a key frame");
  });

  it("removes someone who leaves: the others are told and their tracks renegotiated away", async () => {
    const bobId = bob.id;
    bobBefore = bobId;
    await bob.leave();
    for (const other of [alice, carol]) {
      const left = await other.event("participant-left", (e) => e.participantId === bobId);
      assert.equal(left.participantId, bobId);
      await other.waitForTracks(`${other.name}'s offer to drop Bob's tracks`, (tracks) =>
        tracks.every((t) => t.participantId !== bobId),
      );
    }
    // The rest of the meeting goes on.
    await Promise.all([
      alice.waitForMediaFrom(carol.id, FLOWING),
      carol.waitForMediaFrom(alice.id, FLOWING),
    ]);
  });

  it("lets someone who left come back on the same connection", async () => {
    // Joining again makes a new participant; their new tracks reuse no stale mapping.
    await bob.join(roomId);
    assert.notEqual(bob.id, bobBefore);
    await bob.publish();
    await Promise.all([
      bob.waitForMediaFrom(alice.id, FLOWING),
      bob.waitForMediaFrom(carol.id, FLOWING),
      alice.waitForMediaFrom(bob.id, FLOWING),
      carol.waitForMediaFrom(bob.id, FLOWING),
    ]);
    for (const [receiver, sender] of [
      [bob, alice],
      [bob, carol],
      [alice, bob],
      [carol, bob],
    ] as const) {
      assertTracksCarry(receiver, sender);
    }
  });

  it("treats a connection closed with a goodbye (1000) like leaving", async () => {
    const carolId = carol.id;
    await carol.close();
    await alice.event("participant-left", (e) => e.participantId === carolId);
    await alice.waitForTracks("Alice's offer to drop Carol's tracks", (tracks) =>
      tracks.every((t) => t.participantId !== carolId),
    );
    await alice.waitForMediaFrom(bob.id, FLOWING);
  });

  it("reuses the m-lines of people who left, so a long meeting's offer stays small", async () => {
    for (let i = 0; i < 6; i++) {
      const visitor = await connect(`Visitor ${i}`);
      await visitor.join(roomId);
      await visitor.publish();
      await alice.waitForMediaFrom(visitor.id, FLOWING);
      // Each visitor's packets arrive on the mids the offer names for them, reused or not.
      assertTracksCarry(alice, visitor);
      const id = visitor.id;
      await visitor.close();
      await alice.event("participant-left", (e) => e.participantId === id);
    }
    await alice.waitForTracks("Alice's offer to hold Bob alone", (tracks) =>
      tracks.every((t) => t.participantId === bob.id),
    );
    // Bob's two m-lines and two idle ones to reuse: not two more per visitor.
    const mLines = alice.lastOffer.match(/^m=/gm)?.length ?? 0;
    assert.ok(mLines <= 4, `${mLines} m-lines after six visitors`);
    await alice.waitForMediaFrom(bob.id, FLOWING);
  });

  it("frees every peer connection once everyone is gone", async () => {
    await Promise.all(clients.map((c) => c.close()));
    await waitFor("the SFU to hold no peers", () => server.server.media.peerCount === 0);
    assert.equal(server.server.directory.openRooms, 0);
  });
});

describe("server shutdown in the middle of a meeting", () => {
  let server: TestServer;
  const clients: WeriftClient[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("tells every participant it is going away and frees all media", async () => {
    const roomId = (await createRoom(server.url, { lobby: false })).id;
    for (const name of ["Dana", "Eve"]) {
      const client = await WeriftClient.connect(server.url, name);
      clients.push(client);
      await client.join(roomId);
      await client.publish();
    }
    const [dana, eve] = clients as [WeriftClient, WeriftClient];
    await dana.waitForMediaFrom(eve.id, FLOWING);
    await server.close();
    for (const client of clients) {
      assert.equal(
        (await client.signalling.closed).code,
        1012,
        `${client.name}'s socket (service restart: reconnect)`,
      );
    }
    assert.equal(server.server.media.peerCount, 0);
    assert.equal(server.server.directory.openRooms, 0);
  });
});
