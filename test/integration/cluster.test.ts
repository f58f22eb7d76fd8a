import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { KEYS } from "../../src/server/cluster/keys";
import { startCluster, type TestCluster } from "../support/cluster";
import { MlsMember } from "../support/mls-member";
import { plenum } from "../support/plenum-cli";
import { createRoom } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/** ~1 s of video: media flows. */
const FLOWING = 30;
/** The promise of the issue: clients are back in a moved room within 10 s. */
const FAILOVER_MS = 10_000;
const PASSWORD = "a long organiser password";

/**
 * Three Plenum nodes with a real PostgreSQL and a real redis-server: people
 * entering through different nodes meet in one room on one media node; the
 * room survives the death of that node and of Redis (docs/OPERATIONS.md, "Cluster").
 */
describe("a cluster of three nodes", { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let redis: Redis;
  const clients = new Set<WeriftClient>();
  let roomId: string;
  let people: WeriftClient[] = [];
  /** The node each client connected through. */
  const via = new Map<WeriftClient, number>();
  /** Index of the first room's node. */
  let ownerIndex = -1;

  const url = (node: number) => cluster.nodes[node]?.process.url ?? "";
  const connect = async (node: number, name: string) => {
    const client = await WeriftClient.connect(url(node), name);
    clients.add(client);
    via.set(client, node);
    return client;
  };
  const alive = (i: number) => {
    const child = cluster.nodes[i]?.process.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  };
  const ownerOf = async (room: string) => redis.get(KEYS.room(room));
  /** Joins through `node`, trying again while the cluster is still moving the room. */
  const rejoin = (node: number, name: string, room: string) =>
    waitFor(
      `${name} back in the room through node-${node + 1}`,
      async () => {
        const client = await connect(node, name);
        try {
          await client.join(room);
          return client;
        } catch (error) {
          clients.delete(client);
          await client.close();
          throw error;
        }
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  const readyz = async (node: number) => (await fetch(`${url(node)}/readyz`)).status;

  before(async () => {
    cluster = await startCluster(3);
    redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    await redis.connect();
  });
  after(async () => {
    await Promise.allSettled([...clients].map((c) => c.close()));
    redis?.disconnect();
    await cluster?.close();
  });

  it("places a room on exactly one node; people entering through three nodes meet there, media flows", async () => {
    roomId = (await createRoom(url(1), { lobby: false })).id;
    const alice = await connect(0, "Alice");
    await alice.join(roomId);
    const owner = await ownerOf(roomId);
    ownerIndex = cluster.nodes.findIndex((n) => n.id === owner);
    assert.ok(ownerIndex >= 0, `placed on one of the nodes (${owner})`);
    const bob = await connect(1, "Bob");
    const carol = await connect(2, "Carol");
    const bobJoined = await bob.join(roomId);
    const carolJoined = await carol.join(roomId);
    assert.deepEqual(
      bobJoined.participants.map((p) => p.name),
      ["Alice"],
    );
    assert.deepEqual(carolJoined.participants.map((p) => p.name).sort(), ["Alice", "Bob"]);
    assert.equal((await alice.event("participant-joined")).participant.name, "Bob");
    assert.equal(await ownerOf(roomId), owner, "joining through other nodes does not move it");
    await Promise.all([alice.publish(), bob.publish(), carol.publish()]);
    await Promise.all([
      alice.waitForMediaFrom(bob.id, FLOWING),
      bob.waitForMediaFrom(alice.id, FLOWING),
      carol.waitForMediaFrom(alice.id, FLOWING),
      alice.waitForMediaFrom(carol.id, FLOWING),
    ]);
    people = [alice, bob, carol];
    // Media goes straight to the room's node: every SFU candidate anyone got is its port.
    const [low, high] = cluster.nodes[ownerIndex]?.mediaPorts ?? [0, 0];
    for (const client of people) {
      const ports = [...client.lastOffer.matchAll(/a=candidate:\S+ \d+ udp \d+ \S+ (\d+)/gi)].map(
        (m) => Number(m[1]),
      );
      assert.ok(ports.length > 0, `${client.name} got candidates`);
      for (const port of ports)
        assert.ok(port >= low && port <= high, `${client.name}: port ${port} is ${owner}'s`);
    }
    // Each node accepts a browser page of its own origin, and only that.
    const own = await SignallingClient.connect(url(1), { origin: url(1) });
    await own.close();
    await assert.rejects(SignallingClient.connect(url(1), { origin: url(2) }), /403/);
    // PostgreSQL and Redis are hosts the operator configured, not unexpected egress (COMPLIANCE L1).
    const facts = (await (await fetch(`${url(1)}/api/compliance/facts`)).json()) as {
      egress: { hosts: Record<string, number>; configured: string[] };
    };
    assert.ok(Object.keys(facts.egress.hosts).length > 0);
    for (const host of Object.keys(facts.egress.hosts))
      assert.ok(facts.egress.configured.includes(host), `${host} is configured`);
  });

  it("when a node that only relays dies, the meeting stays; its client resumes its place through another node", async () => {
    const [relaying = 0, other = 0] = [0, 1, 2].filter((i) => i !== ownerIndex);
    const victim = people.find((c) => via.get(c) === relaying);
    const observer = people.find((c) => via.get(c) === ownerIndex);
    assert.ok(victim && observer);
    const victimId = victim.id;
    const { ticket, cookie } = victim.resumption;
    assert.ok(ticket, "the join gave a resume ticket");
    cluster.nodes[relaying]?.process.child.kill("SIGKILL");
    assert.equal((await victim.signalling.closed).code, 1006);
    clients.delete(victim);
    await victim.close();
    // The owner keeps the victim's place once their node stops vouching for them; the others stay.
    await observer.event("participant-reconnecting", (e) => e.participantId === victimId);
    const back = await waitFor(
      `${victim.name} resumed through node-${other + 1}`,
      async () => {
        const client = await WeriftClient.connect(url(other), victim.name, { cookie });
        clients.add(client);
        via.set(client, other);
        try {
          const joined = await client.join(roomId, undefined, ticket);
          assert.equal(joined.resumed, "kept");
          return client;
        } catch (error) {
          clients.delete(client);
          await client.close();
          throw error;
        }
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.equal(back.id, victimId, "the same participant, not a second tile");
    assert.equal(await ownerOf(roomId), cluster.nodes[ownerIndex]?.id, "the room did not move");
    await observer.event("participant-reconnected", (e) => e.participantId === victimId);
    await back.publish();
    const rest = people.filter((c) => c !== victim);
    await Promise.all(rest.map((c) => c.waitForMediaFrom(back.id, FLOWING)));
    people = [...rest, back];
    await cluster.startNode(relaying);
  });

  it("when the room's node is killed, the room moves and everyone is back in within 10 s", async () => {
    const killed = cluster.nodes[ownerIndex];
    const survivor = [0, 1, 2].find((i) => i !== ownerIndex) ?? 0;
    const killedAt = Date.now();
    killed?.process.child.kill("SIGKILL");
    // Sockets to the dead node die with it (1006); the relaying nodes tell their clients (1012).
    const back = async (client: WeriftClient) => {
      const node = via.get(client) ?? 0;
      const { code } = await client.signalling.closed;
      assert.equal(code, node === ownerIndex ? 1006 : 1012, `${client.name}'s close code`);
      clients.delete(client);
      await client.close();
      const again = await rejoin(node === ownerIndex ? survivor : node, client.name, roomId);
      return { client: again, ms: Date.now() - killedAt };
    };
    const results = await Promise.all(people.map(back));
    const times = results.map((r) => r.ms);
    console.log(`failover: back in the room after ${times.join(", ")} ms`);
    for (const ms of times) assert.ok(ms < FAILOVER_MS, `back after ${ms} ms`);
    const owner = await ownerOf(roomId);
    assert.ok(owner !== null && owner !== killed?.id, `placed anew, on ${owner}`);
    const [a, b, c] = results.map((r) => r.client) as [WeriftClient, WeriftClient, WeriftClient];
    await Promise.all([a.publish(), b.publish(), c.publish()]);
    await Promise.all([
      a.waitForMediaFrom(b.id, FLOWING),
      b.waitForMediaFrom(c.id, FLOWING),
      c.waitForMediaFrom(a.id, FLOWING),
    ]);
    people = [a, b, c];
  });

  it("without Redis, joins are refused with a clear error and /readyz says 503; all returns with it, nothing lost", async () => {
    const [one = 0, two = 0] = [0, 1, 2].filter(alive);
    const added = await plenum(["user", "add", "olga"], cluster.env(one), `${PASSWORD}\n`);
    assert.equal(added.code, 0, added.stderr);
    const later = (await createRoom(url(two), { lobby: false })).id;

    await cluster.redis.kill();
    await waitFor("a node unready", async () => (await readyz(one)) === 503, {
      timeoutMs: 20_000,
    });
    const dave = await connect(two, "Dave");
    await assert.rejects(dave.join(later), (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.equal(error.code, "cluster-unavailable");
      assert.match(error.message, /try again in a moment/);
      return true;
    });
    await waitFor("the outage in the node's log", () =>
      cluster.nodes[two]?.process.output().includes("Redis unreachable"),
    );

    await cluster.redis.restart();
    await waitFor(
      "every node ready again",
      async () => (await readyz(one)) === 200 && (await readyz(two)) === 200,
      { timeoutMs: 30_000 },
    );
    await waitFor("the recovery in the node's log", () =>
      cluster.nodes[two]?.process.output().includes("Redis is reachable again"),
    );
    const erin = await rejoin(two, "Erin", later);
    assert.deepEqual(await erin.join(later).catch((e: RequestError) => e.code), "already-joined");
    const frank = await rejoin(one, "Frank", roomId);
    assert.ok(frank.id);
    const login = await fetch(`${url(two)}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url(two) },
      body: JSON.stringify({ username: "olga", password: PASSWORD }),
    });
    assert.equal(login.status, 200, "the account is still there");
  });

  it("when the node of an E2EE room dies, its members re-form the MLS group on another node", async () => {
    for (const i of [0, 1, 2]) if (!alive(i)) await cluster.startNode(i);
    const room = (await createRoom(url(1), { lobby: false, e2ee: true })).id;
    const members = new Set<MlsMember>();
    const enter = async (node: number, name: string) => {
      const member = await waitFor(`${name} in the E2EE room`, () =>
        MlsMember.join(url(node), room, name),
      );
      members.add(member);
      return member;
    };
    const inGroup = (a: MlsMember, b: MlsMember) =>
      a.last !== undefined &&
      b.last !== undefined &&
      a.last.epoch === b.last.epoch &&
      a.last.members.size === 2 &&
      Buffer.from(a.last.authenticator).equals(Buffer.from(b.last.authenticator));
    try {
      const max = await enter(1, "Max");
      const nina = await enter(2, "Nina");
      await waitFor("Max and Nina in one MLS group", () => inGroup(max, nina));
      const before = Buffer.from(max.last?.authenticator ?? []);
      const owner = await ownerOf(room);
      const index = cluster.nodes.findIndex((n) => n.id === owner);
      const [first = 0, second = 0] = [0, 1, 2].filter((i) => i !== index);

      cluster.nodes[index]?.process.child.kill("SIGKILL");
      // A member connected to the dead node sees its socket drop (1006); the others are told (1012).
      for (const closed of await Promise.all([max.signalling.closed, nina.signalling.closed]))
        assert.ok([1006, 1012].includes(closed.code), `close code ${closed.code}`);
      // The new node's delivery service starts empty: the first back creates a new group
      // (epoch 0), the next is added with a Welcome: fresh keys, a new safety number.
      const max2 = await enter(first, "Max");
      const nina2 = await enter(second, "Nina");
      await waitFor("Max and Nina in a new MLS group", () => inGroup(max2, nina2));
      assert.ok(!Buffer.from(max2.last?.authenticator ?? []).equals(before));
      assert.deepEqual([...(max2.last?.members.values() ?? [])].sort(), [max2.id, nina2.id].sort());
      const moved = await ownerOf(room);
      assert.ok(moved !== null && moved !== owner, `placed anew, on ${moved}`);
    } finally {
      await Promise.allSettled([...members].map((m) => m.close()));
    }
  });

  it("a node drains on SIGTERM: no new rooms, its running room goes on until it ends, then it stops", async () => {
    // The earlier meetings end (everyone leaves, rather than dropping and being kept for a
    // resume), so that the draining node has only the one of this test.
    await Promise.allSettled([...clients].map((c) => c.leave().finally(() => c.close())));
    clients.clear();
    for (const i of [0, 1, 2]) if (!alive(i)) await cluster.startNode(i);
    await waitFor("every meeting ended", async () => {
      const loads = await redis.mget(["node-1", "node-2", "node-3"].map(KEYS.node));
      return loads.every((l) => l !== null && (JSON.parse(l) as { rooms: number }).rooms === 0);
    });
    const running = (await createRoom(url(0), { lobby: false })).id;
    const pia = await connect(0, "Pia");
    await pia.join(running);
    const owner = await ownerOf(running);
    const index = cluster.nodes.findIndex((n) => n.id === owner);
    const draining = cluster.nodes[index];
    assert.ok(draining, `the room's node ${owner} is one of ours`);
    const others = [0, 1, 2].filter((i) => i !== index);
    const [other = 0] = others;

    draining.process.child.kill("SIGTERM");
    await waitFor("the node announces that it drains", async () => {
      const load = await redis.get(KEYS.node(owner ?? ""));
      return load !== null && (JSON.parse(load) as { draining: boolean }).draining;
    });
    assert.equal(await readyz(index), 503);
    // A new room started through the draining node lives elsewhere.
    const fresh = (await createRoom(url(other), { lobby: false })).id;
    const quinn = await connect(index, "Quinn");
    await quinn.join(fresh);
    assert.notEqual(await ownerOf(fresh), owner);
    // The running meeting goes on there: someone joining through another node meets Pia.
    const rosa = await connect(other, "Rosa");
    const joined = await rosa.join(running);
    assert.deepEqual(
      joined.participants.map((p) => p.name),
      ["Pia"],
    );
    assert.equal(await ownerOf(running), owner);

    // The meeting ends when its people leave.
    for (const c of [pia, rosa]) {
      clients.delete(c);
      await c.leave();
      await c.close();
    }
    await waitFor("the drained node to stop by itself", () =>
      draining.process.child.exitCode !== null ? { code: draining.process.child.exitCode } : null,
    )
      .then(({ code }) => assert.equal(code, 0))
      .catch((e) => {
        console.log(draining.process.output().slice(-4000));
        throw e;
      });
    const back = await rejoin(other, "Pia", running);
    assert.ok(back.id);
    assert.notEqual(await ownerOf(running), owner);
  });
});
