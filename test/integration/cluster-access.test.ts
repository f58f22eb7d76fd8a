import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import type { ServerMessage } from "../../src/protocol/messages";
import { KEYS } from "../../src/server/cluster/keys";
import { startCluster, type TestCluster } from "../support/cluster";
import { createRoom } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";

type JoinedResult = {
  status: "joined";
  self: { id: string; role: string };
  participants: { name: string }[];
  resume?: string;
  resumed?: string;
};

/**
 * Issue 19 on a cluster of two nodes with a real PostgreSQL and redis-server:
 * the edge routes from the parsed message (EDGE-1), and a kick outlives the
 * death of the room's node (RES-1, KICK-1). Both nodes share one `resume.key`,
 * as docs/OPERATIONS.md asks.
 */
describe("access control on a cluster", { timeout: 300_000 }, () => {
  const shared = mkdtempSync(join(tmpdir(), "plenum-cluster-key-"));
  let cluster: TestCluster;
  let redis: Redis;
  const clients: SignallingClient[] = [];
  const url = (node: number) => cluster.nodes[node]?.process.url ?? "";
  const connect = async (node: number, cookie?: string) => {
    const c = await SignallingClient.greeted(url(node), cookie ? { cookie } : {});
    clients.push(c);
    return c;
  };
  /** Index of the node that holds `roomId`. */
  const ownerOf = async (roomId: string) => {
    const owner = await redis.get(KEYS.room(roomId));
    return cluster.nodes.findIndex((n) => n.id === owner);
  };

  before(async () => {
    cluster = await startCluster(2, { PLENUM_DATA_DIR: shared });
    redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    await redis.connect();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    redis?.disconnect();
    await cluster?.close();
    rmSync(shared, { recursive: true, force: true });
  });

  it('EDGE-1: a join spelled {"type":"\\u006aoin"} is placed on the room\'s node, not opened where it arrived', async () => {
    const room = await createRoom(url(0), { lobby: false, e2ee: false });
    const a = await connect(0);
    await a.request({ type: "join", roomId: room.id, name: "A" });
    const owner = await ownerOf(room.id);
    assert.ok(owner >= 0);
    const b = await connect(1 - owner);
    b.sendRaw(`{"type":"\\u006aoin","id":77,"roomId":"${room.id}","name":"B"}`);
    const reply = await b.take("the join's reply", (m: ServerMessage) => "id" in m && m.id === 77);
    assert.equal(reply.type, "ok", JSON.stringify(reply));
    const joined = (reply as { result: JoinedResult }).result;
    assert.deepEqual(
      joined.participants.map((p) => p.name),
      ["A"],
      "B meets A: the same room, on its node",
    );
    assert.equal(await ownerOf(room.id), owner, "still placed on one node");
  });

  it("RES-1, KICK-1: after the room's node is killed, the kicked ticket opens nothing on the other; the moderator's does", async () => {
    const room = await createRoom(url(0), { lobby: false, e2ee: false });
    const mod = await connect(0);
    const modJoined = (await mod.request({
      type: "join",
      roomId: room.id,
      name: "Mod",
      moderatorToken: room.moderatorToken,
    })) as JoinedResult;
    const owner = await ownerOf(room.id);
    const troll = await connect(owner);
    const trollJoined = (await troll.request({
      type: "join",
      roomId: room.id,
      name: "Troll",
    })) as JoinedResult;
    await mod.request({ type: "kick", participantId: trollJoined.self.id });
    await troll.take("removed", (m) => m.type === "removed");
    // Only then does the node die: the kick was stored in PostgreSQL when the reply came.
    const node = cluster.nodes[owner]?.process;
    assert.ok(node);
    const exited = new Promise((done) => node.child.once("exit", done));
    node.child.kill("SIGKILL");
    await exited;
    const survivor = 1 - owner;

    const back = await connect(survivor, troll.cookies);
    const refused = await back
      .request({ type: "join", roomId: room.id, name: "Troll", resume: trollJoined.resume ?? "" })
      .then(
        (r) => assert.fail(`the kicked person got in: ${JSON.stringify(r)}`),
        (e: unknown) => e,
      );
    assert.ok(refused instanceof RequestError, String(refused));
    assert.ok(
      ["room-unavailable", "cluster-unavailable"].includes(refused.code),
      `refused: ${refused.code}`,
    );
    const modBack = await connect(survivor, mod.cookies);
    const restored = (await modBack.request({
      type: "join",
      roomId: room.id,
      name: "Mod",
      resume: modJoined.resume ?? "",
    })) as JoinedResult;
    assert.equal(restored.resumed, "restored");
    assert.equal(restored.self.role, "moderator");
    // Now that the room lives on the survivor, the kicked browser is refused for certain.
    const again = await connect(survivor, troll.cookies);
    await assert.rejects(
      again.request({
        type: "join",
        roomId: room.id,
        name: "Troll",
        resume: trollJoined.resume ?? "",
      }),
      (e: unknown) => e instanceof RequestError && e.code === "room-unavailable",
    );
  });
});
