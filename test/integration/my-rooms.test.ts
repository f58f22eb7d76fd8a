import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { PROTOCOL_VERSION } from "../../src/protocol/messages";
import { Accounts } from "../../src/server/account/accounts";
import { Agent } from "../support/agent";
import { type ClockedServer, startClockedServer } from "../support/clocked-server";

const PASSWORD = "correct horse battery";

interface RoomView {
  id: string;
  name: string;
  url: string;
  lobby: boolean;
  chat: boolean;
  e2ee: boolean;
  postQuantum: boolean;
  hasPassword: boolean;
  moderatorUrl?: string;
}

async function signedIn(t: ClockedServer, username: string): Promise<Agent> {
  const agent = new Agent(t.url);
  const response = await agent.json("POST", "/api/auth/login", { username, password: PASSWORD });
  assert.equal(response.status, 200);
  return agent;
}

/** Opens the signalling socket as a browser of `agent` would, greets, joins; returns the join reply. */
async function joinReply(t: ClockedServer, agent: Agent | undefined, roomId: string) {
  const ws = new WebSocket(`${t.url.replace(/^http/, "ws")}/ws`, {
    headers: { origin: t.url, ...(agent ? { cookie: agent.cookieHeader() } : {}) },
  });
  try {
    const replies = new Map<number, unknown>();
    const waiting = new Map<number, (reply: unknown) => void>();
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { id?: number };
      if (typeof message.id !== "number") return;
      const resolve = waiting.get(message.id);
      if (resolve) resolve(message);
      else replies.set(message.id, message);
    });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const request = (message: { id: number } & Record<string, unknown>) =>
      new Promise<unknown>((resolve) => {
        waiting.set(message.id, resolve);
        ws.send(JSON.stringify(message));
      });
    await request({ type: "hello", id: 1, protocolVersion: PROTOCOL_VERSION });
    return (await request({ type: "join", id: 2, roomId, name: "Someone" })) as {
      type: string;
      result?: { self?: { role?: string } };
    };
  } finally {
    ws.close();
  }
}

describe("an organiser's persistent rooms", () => {
  let t: ClockedServer;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    t = await startClockedServer();
    const accounts = new Accounts(t.store);
    await accounts.addLocal("alice", PASSWORD);
    await accounts.addLocal("bob", PASSWORD);
    alice = await signedIn(t, "alice");
    bob = await signedIn(t, "bob");
  });
  after(() => t?.close());

  it("needs a signed-in organiser", async () => {
    const anonymous = new Agent(t.url);
    const list = await anonymous.fetch("/api/my/rooms");
    assert.equal(list.status, 401);
    assert.equal(((await list.json()) as { code: string }).code, "not-signed-in");
    assert.equal((await anonymous.json("POST", "/api/my/rooms", { name: "x" })).status, 401);
  });

  it("creates, lists, changes and deletes a room (T3)", async () => {
    const created = await alice.json("POST", "/api/my/rooms", {
      name: "  Council  ",
      lobby: true,
      chat: false,
      e2ee: true,
      password: "open sesame",
    });
    assert.equal(created.status, 201);
    const room = (await created.json()) as RoomView;
    assert.match(room.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(room.url, `${t.url}/r/${room.id}`);
    assert.match(room.moderatorUrl ?? "", new RegExp(`^${room.url}#mod=[A-Za-z0-9_-]{43}$`));
    assert.deepEqual(
      { name: room.name, lobby: room.lobby, chat: room.chat, hasPassword: room.hasPassword },
      { name: "Council", lobby: true, chat: false, hasPassword: true },
    );
    const stored = await t.store.rooms.find(room.id);
    assert.match(stored?.passwordHash ?? "", /^\$argon2id\$/, "only the hash is stored");

    const listed = await alice.fetch("/api/my/rooms");
    assert.equal(listed.headers.get("cache-control"), "no-store");
    const list = (await listed.json()) as { rooms: RoomView[] };
    assert.deepEqual(
      list.rooms.map((r) => [r.id, r.name]),
      [[room.id, "Council"]],
    );
    assert.equal(list.rooms[0]?.moderatorUrl, undefined, "the moderator secret is shown once");

    const patched = await alice.json("PATCH", `/api/my/rooms/${room.id}`, {
      name: "City council",
      lobby: false,
      postQuantum: true,
      password: null,
    });
    assert.equal(patched.status, 200);
    const after = (await patched.json()) as RoomView;
    assert.deepEqual(
      [after.name, after.lobby, after.chat, after.e2ee, after.postQuantum, after.hasPassword],
      ["City council", false, false, true, true, false],
    );

    const link = await alice.json("POST", `/api/my/rooms/${room.id}/moderator-link`);
    const { moderatorUrl } = (await link.json()) as { moderatorUrl: string };
    assert.notEqual(moderatorUrl, room.moderatorUrl, "a fresh moderator link replaces the old");

    assert.equal((await alice.json("DELETE", `/api/my/rooms/${room.id}`)).status, 204);
    assert.deepEqual(
      ((await (await alice.fetch("/api/my/rooms")).json()) as { rooms: RoomView[] }).rooms,
      [],
    );
    assert.equal((await fetch(`${t.url}/api/rooms/${room.id}`)).status, 404, "gone for guests");
  });

  it("explains a bad body", async () => {
    const response = await alice.json("POST", "/api/my/rooms", { name: "", lobby: "yes" });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { code: string; message: string };
    assert.equal(body.code, "bad-request");
    assert.match(body.message, /name/);
    assert.match(body.message, /lobby/);
    const empty = await alice.json("PATCH", "/api/my/rooms/AAAAAAAAAAAAAAAAAAAAAA", {});
    assert.equal(empty.status, 404, "ownership is checked before the body");
  });

  it("hides a room from everyone but its owner: others get the answer an unknown room gets", async () => {
    const created = await alice.json("POST", "/api/my/rooms", { name: "Private" });
    const { id } = (await created.json()) as RoomView;
    const unknown = "AAAAAAAAAAAAAAAAAAAAAA";

    const bobsList = (await (await bob.fetch("/api/my/rooms")).json()) as { rooms: RoomView[] };
    assert.deepEqual(bobsList.rooms, []);
    for (const [method, suffix, body] of [
      ["PATCH", "", { name: "Mine now" }],
      ["DELETE", "", {}],
      ["POST", "/moderator-link", {}],
    ] as const) {
      const theirs = await bob.json(method, `/api/my/rooms/${id}${suffix}`, body);
      const none = await bob.json(method, `/api/my/rooms/${unknown}${suffix}`, body);
      assert.equal(theirs.status, 404, `${method} ${suffix}`);
      assert.deepEqual(await theirs.json(), await none.json());
    }
    assert.equal((await t.store.rooms.find(id))?.name, "Private", "unchanged");
  });

  it("makes the signed-in owner the moderator when they join over the WebSocket, and nobody else", async () => {
    const created = await alice.json("POST", "/api/my/rooms", { name: "Standup", lobby: false });
    const { id } = (await created.json()) as RoomView;

    const owner = await joinReply(t, alice, id);
    assert.equal(owner.type, "ok");
    assert.equal(owner.result?.self?.role, "moderator");

    const other = await joinReply(t, bob, id);
    assert.equal(other.result?.self?.role, "participant", "another organiser is not");
    const guest = await joinReply(t, undefined, id);
    assert.equal(guest.result?.self?.role, "guest", "a guest is not");

    await alice.json("POST", "/api/auth/logout");
    const signedOut = await joinReply(t, alice, id);
    assert.equal(signedOut.result?.self?.role, "guest", "the ended session counts for nothing");
  });
});
