import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { figure, profile, settledHeap } from "../support/profile";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/** Fast profile: a short churn that proves the leak checks; long profile: 30 minutes. */
const SOAK_MS = profile(20_000, 30 * 60_000);
/** A newcomer every so often, each staying a few seconds with media. */
const JOIN_EVERY_MS = profile(1_500, 3_000);
const STAY_MS = profile(3_000, 8_000);
const MAX_AT_ONCE = 3;

interface Snapshot {
  fds: number;
  heapMiB: number;
  timers: number;
  handles: number;
  peers: number;
  rooms: number;
  sessions: number;
}

describe("soak: joins and leaves with media (hostile input battery)", () => {
  let server: TestServer;
  let roomId: string;
  const everyone = new Set<WeriftClient>();

  const snapshot = async (): Promise<Snapshot> => {
    const resources = process.getActiveResourcesInfo();
    return {
      fds: readdirSync("/proc/self/fd").length,
      heapMiB: (await settledHeap()) / 2 ** 20,
      timers: resources.filter((r) => r === "Timeout").length,
      handles: resources.filter((r) => r !== "Timeout" && r !== "Immediate").length,
      peers: server.server.media.peerCount,
      rooms: server.server.directory.openRooms,
      sessions: server.server.sessionCount,
    };
  };

  /** One person: joins, sends and receives media for a while, leaves. */
  const visit = async (name: string, stayMs: number) => {
    const c = await WeriftClient.connect(server.url, name);
    everyone.add(c);
    try {
      await c.join(roomId);
      await c.publish();
      await new Promise((r) => setTimeout(r, stayMs));
    } finally {
      await c.close();
      everyone.delete(c);
    }
  };

  const quiet = async (what: string) =>
    waitFor(
      what,
      () => {
        const s = server.server;
        return s.media.peerCount === 0 && s.directory.openRooms === 0 && s.sessionCount === 0;
      },
      { timeoutMs: 30_000 },
    );

  before(async () => {
    server = await startTestServer();
    roomId = (await createRoom(server.url, { lobby: false })).id;
  });
  after(async () => {
    await Promise.allSettled([...everyone].map((c) => c.close()));
    await server?.close();
  });

  it(`returns to baseline after ${SOAK_MS / 1000} s of joins and leaves with media`, {
    timeout: SOAK_MS + 5 * 60_000,
  }, async () => {
    // Warm up: the first visit loads code and fills caches that stay.
    await visit("Warm-up", 1_000);
    await quiet("the warm-up to end");
    const baseline = await snapshot();

    const started = Date.now();
    const visits: Promise<void>[] = [];
    let active = 0;
    let count = 0;
    let failures = 0;
    while (Date.now() - started < SOAK_MS) {
      if (active < MAX_AT_ONCE) {
        active++;
        const n = count++;
        visits.push(
          visit(`Visitor ${n}`, STAY_MS)
            .catch(() => {
              failures++;
            })
            .finally(() => {
              active--;
            }),
        );
      }
      await new Promise((r) => setTimeout(r, JOIN_EVERY_MS));
    }
    await Promise.all(visits);
    await quiet("every visitor's peers, rooms and sessions to close");
    // Closing sockets and timers settles asynchronously.
    const final = await waitFor(
      "file descriptors and timers back near the baseline",
      async () => {
        const s = await snapshot();
        return s.fds <= baseline.fds + 4 && s.timers <= baseline.timers + 4 ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch(() => snapshot());

    figure("soak.seconds", Math.round((Date.now() - started) / 1000));
    figure("soak.visits", count);
    figure("soak.failedVisits", failures);
    figure("soak.baseline", JSON.stringify(baseline));
    figure("soak.final", JSON.stringify(final));
    assert.equal(failures, 0, "every visit joined, published and left");
    assert.deepEqual(
      { peers: final.peers, rooms: final.rooms, sessions: final.sessions },
      { peers: 0, rooms: 0, sessions: 0 },
      "no orphaned peer connection, room or session",
    );
    assert.ok(final.fds <= baseline.fds + 4, `fds ${baseline.fds} -> ${final.fds}`);
    assert.ok(final.timers <= baseline.timers + 4, `timers ${baseline.timers} -> ${final.timers}`);
    assert.ok(
      final.handles <= baseline.handles + 4,
      `handles ${baseline.handles} -> ${final.handles}`,
    );
    assert.ok(
      final.heapMiB < baseline.heapMiB + 40,
      `heap ${baseline.heapMiB} -> ${final.heapMiB}`,
    );
  });
});
