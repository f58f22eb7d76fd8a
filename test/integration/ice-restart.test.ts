import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { WeriftClient } from "../support/werift-client";

/** ~1 s of video at 30 fps. */
const FLOWING = 30;

/**
 * Issue 6: a lost media path is mended by an ICE restart of the same peer
 * connections, through the signalling (docs/PROTOCOL.md, "Media path lost"),
 * against the real server: its werift peers, ICE-lite, in media workers.
 */
describe("ICE restart through the SFU", () => {
  let server: TestServer;
  const clients: WeriftClient[] = [];
  let alice: WeriftClient;
  let bob: WeriftClient;

  before(async () => {
    server = await startTestServer();
    const roomId = (await createRoom(server.url, { lobby: false })).id;
    alice = await WeriftClient.connect(server.url, "Alice");
    clients.push(alice);
    bob = await WeriftClient.connect(server.url, "Bob");
    clients.push(bob);
    await alice.join(roomId);
    await bob.join(roomId);
    await Promise.all([alice.publish(), bob.publish()]);
    await Promise.all([
      alice.waitForMediaFrom(bob.id, FLOWING),
      bob.waitForMediaFrom(alice.id, FLOWING),
    ]);
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("gives both connections new ICE credentials and media flows again on them, twice", async () => {
    const connections = alice.connections;
    for (let restart = 1; restart <= 2; restart++) {
      const before = alice.ice();
      await alice.restartIce();
      const now = alice.ice();
      for (const side of ["upstream", "downstream"] as const) {
        assert.notEqual(now[side].remote, before[side].remote, `the SFU's ${side} ufrag is new`);
        assert.notEqual(now[side].local, before[side].local, `Alice's ${side} ufrag is new`);
      }
      // Media in both directions again: Alice's upstream to Bob, Bob's through Alice's downstream.
      await Promise.all([
        alice.waitForMediaFrom(bob.id, FLOWING),
        bob.waitForMediaFrom(alice.id, FLOWING),
      ]);
      const after = alice.ice();
      for (const side of ["upstream", "downstream"] as const) {
        assert.equal(after[side].remote, now[side].remote, `${side}: the new credentials in use`);
        assert.ok(after[side].selected, `${side}: a pair of the new generation is selected`);
      }
      assert.equal(alice.connections.upstream, connections.upstream, "the same upstream");
      assert.equal(alice.connections.downstream, connections.downstream, "the same downstream");
    }
    // Bob noticed nothing but a gap: his connections were never touched.
    await bob.waitForMediaFrom(alice.id, FLOWING);
  });
});
