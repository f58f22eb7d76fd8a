import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { CLOSE } from "../../src/protocol/errors";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/** ~1 s of video at 30 fps: enough to show a flow, reached quickly even on a loaded box. */
const FLOWING = 30;

/** OS threads of this process; a worker thread is one of them. */
const threads = () => readdirSync("/proc/self/task").length;

/**
 * Rooms spread over media worker threads: a crash in one worker is contained
 * to its rooms, whose people are told to reconnect (close code 1012) and can.
 */
describe("media workers", () => {
  let server: TestServer;
  const clients: WeriftClient[] = [];
  const meeting = async (roomId: string, names: string[]) => {
    const people = await Promise.all(names.map((n) => WeriftClient.connect(server.url, n)));
    clients.push(...people);
    for (const p of people) await p.join(roomId);
    await Promise.all(people.map((p) => p.publish()));
    return people;
  };
  const flowing = async (people: WeriftClient[]) => {
    for (const to of people)
      for (const from of people) if (from !== to) await to.waitForMediaFrom(from.id, FLOWING);
  };
  let roomA: string;
  let roomB: string;
  let a: WeriftClient[];
  let b: WeriftClient[];

  before(async () => {
    server = await startTestServer({ PLENUM_MEDIA_WORKERS: "2" });
    roomA = (await createRoom(server.url, { lobby: false })).id;
    roomB = (await createRoom(server.url, { lobby: false })).id;
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("places two rooms on two workers, and both forward media", async () => {
    a = await meeting(roomA, ["Alice", "Bob"]);
    b = await meeting(roomB, ["Carol", "Dave"]);
    await Promise.all([flowing(a), flowing(b)]);
    const { testing } = server.server.media;
    const workerA = testing.workerOf(roomA);
    const workerB = testing.workerOf(roomB);
    assert.notEqual(workerA, undefined);
    assert.notEqual(workerB, undefined);
    assert.notEqual(workerA, workerB, "the second room went to the idle worker");
    assert.equal(server.server.media.peerCount, 4);
  });

  it("contains a worker's crash to its room: the other keeps its media, the crashed one is told to reconnect", async () => {
    const media = server.server.media;
    const before = media.testing.threadIds();
    media.testing.crash(roomA);
    const closes = await Promise.all(a.map((c) => c.signalling.closed));
    assert.deepEqual(
      closes.map((c) => c.code),
      [CLOSE.serviceRestart, CLOSE.serviceRestart],
    );
    // Room B never noticed: its media keeps flowing through the surviving worker.
    await flowing(b);
    assert.equal(media.peerCount, 2, "the crashed room's peers are gone, room B's remain");
    await waitFor("a replacement worker", () => media.workerCount === 2);
    assert.notDeepEqual(media.testing.threadIds(), before, "the crashed thread was replaced");
    for (const c of a) await c.close();

    // The same people come back into the same room, and media flows again.
    a = await meeting(roomA, ["Alice", "Bob"]);
    await Promise.all([flowing(a), flowing(b)]);
    assert.equal(media.peerCount, 4);
  });

  it("ends every worker thread on close", async () => {
    const media = server.server.media;
    const running = media.workerCount;
    assert.equal(running, 2);
    const during = threads();
    await Promise.allSettled(clients.map((c) => c.close()));
    await server.close();
    assert.equal(media.workerCount, 0);
    assert.ok(
      threads() <= during - running,
      `${during} threads with ${running} workers, ${threads()} after close`,
    );
  });
});
