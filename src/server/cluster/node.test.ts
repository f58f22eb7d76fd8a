import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { startRedis, type TestRedis } from "../../../test/support/redis";
import { waitFor } from "../../../test/support/wait";
import { WeriftEngine } from "../media/werift/engine";
import { createLogger } from "../observability/log";
import { RoomDirectory } from "../room/directory";
import { ResumeTickets } from "../room/resume-ticket";
import { AccessGuard } from "../signalling/guard";
import { Store } from "../store/store";
import { KEYS } from "./keys";
import { ClusterNode, ClusterUnavailable } from "./node";

describe("ClusterNode placement (real redis-server)", () => {
  let redis: TestRedis;
  let store: Store;
  const media = new WeriftEngine({ addresses: ["127.0.0.1"], portRange: undefined });
  const log = createLogger("silent");
  const nodes: ClusterNode[] = [];

  /** A node whose load is `peers` media peers and no CPU, so placement is predictable. */
  const node = async (id: string, peers: number) => {
    const directory = new RoomDirectory(store, media, log);
    const cluster = new ClusterNode(
      { redisUrl: redis.url, nodeId: id, drainSeconds: 1 },
      {
        directory,
        peerCount: () => peers,
        cpu: () => 0,
        log,
        sessionDeps: {
          directory,
          guard: new AccessGuard(),
          log,
          rate: { perSecond: 20, burst: 40 },
          resume: { tickets: new ResumeTickets(randomBytes(32), 60_000), windowMs: 30_000 },
          lifecycle: { draining: false },
          iceServers: () => [],
          limits: { participants: 100, lobby: 50, moderatorActionsPerMinute: 60 },
        },
      },
    );
    nodes.push(cluster);
    await cluster.start();
    return cluster;
  };

  let a: ClusterNode;
  let b: ClusterNode;
  let c: ClusterNode;

  before(async () => {
    redis = await startRedis();
    store = await Store.openSqlite(":memory:");
    a = await node("a", 10);
    b = await node("b", 0);
    c = await node("c", 5);
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    media.close();
    await store?.close();
    await redis?.close();
  });

  it("places a room once, on the least loaded live node, whoever asks at the same time", async () => {
    const owners = await Promise.all([a, b, c, a, c].map((n) => n.place("room-1")));
    assert.deepEqual(owners, ["b", "b", "b", "b", "b"]);
  });

  it("gives a draining node no new room, but keeps its running one there", async () => {
    b.drain();
    await waitFor("b's draining published", async () => (await a.place("room-2")) === "c");
    assert.equal(await a.place("room-1"), "b");
    assert.deepEqual(b.ready, { ok: false, reason: "draining" });
  });

  it("places the rooms of a node that is gone anew", async () => {
    await b.close();
    assert.equal(await a.place("room-1"), "c");
  });

  it("refuses to place while Redis is away, and places again once it is back", async () => {
    await redis.kill();
    await waitFor("a unready", () => !a.ready.ok);
    await assert.rejects(a.place("room-3"), ClusterUnavailable);
    await redis.restart();
    await waitFor("a ready", () => a.ready.ok, { timeoutMs: 30_000 });
    // The restarted Redis is empty: it knows the nodes again after their next beat.
    const check = new Redis(redis.url, { lazyConnect: true });
    try {
      await check.connect();
      await waitFor(
        "a and c known again",
        async () => (await check.exists(KEYS.node("a"), KEYS.node("c"))) === 2,
      );
    } finally {
      check.disconnect();
    }
    assert.equal(await a.place("room-3"), "c");
  });
});
