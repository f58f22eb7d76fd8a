import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Accounts } from "../../src/server/account/accounts";
import { TABLE_RETENTION } from "../../src/server/compliance/facts";
import { Agent } from "../support/agent";
import { type ClockedServer, startClockedServer } from "../support/clocked-server";

const DAY = 24 * 60 * 60 * 1000;
const PASSWORD = "correct horse battery staple";

/**
 * T10 and SPEC DATA-1: every stored item has a retention period, and once the
 * clock passes it, the deletion job leaves nothing behind. The clock moves;
 * nothing sleeps.
 */
describe("data lifecycle (DATA-1, DATA-3: the clock moves forward)", () => {
  let t: ClockedServer;
  let agent: Agent;
  let adHocId: string;
  let ownedId: string;

  before(async () => {
    t = await startClockedServer({
      PLENUM_ROOM_RETENTION_DAYS: "30",
      PLENUM_AUDIT_RETENTION_DAYS: "90",
      PLENUM_SESSION_HOURS: "12",
    });
    agent = new Agent(t.url);
    await new Accounts(t.store).addLocal("alice", PASSWORD);
    const login = await agent.json("POST", "/api/auth/login", {
      username: "alice",
      password: PASSWORD,
    });
    assert.equal(login.status, 200);
    const adHoc = await fetch(`${t.url}/api/rooms`, { method: "POST" });
    adHocId = ((await adHoc.json()) as { id: string }).id;
    const owned = await agent.json("POST", "/api/my/rooms", { name: "Council" });
    assert.equal(owned.status, 201);
    ownedId = ((await owned.json()) as { id: string }).id;
    for (const roomId of [adHocId, ownedId])
      await t.store.rooms.addEvent({
        roomId,
        at: t.clock.ms,
        actor: "p1",
        action: "kick",
        target: "p2",
      });
  });

  after(() => t?.close());

  const counts = async () => {
    const alice = await t.store.accounts.findByUsername("alice");
    return {
      adHocRoom: (await t.store.rooms.find(adHocId)) !== undefined,
      ownedRoom: (await t.store.rooms.find(ownedId)) !== undefined,
      adHocEvents: (await t.store.rooms.events(adHocId)).length,
      ownedEvents: (await t.store.rooms.events(ownedId)).length,
      sessions: alice ? (await t.store.accounts.sessionsOf(alice.id)).length : -1,
      account: alice !== undefined,
    };
  };

  it("covers every table of the database", () => {
    assert.deepEqual(Object.keys(TABLE_RETENTION).sort(), [
      "accounts",
      "auth_sessions",
      "kicks",
      "meeting_members",
      "meetings",
      "room_events",
      "rooms",
    ]);
  });

  it("keeps everything while it is young", async () => {
    await t.server.retention();
    assert.deepEqual(await counts(), {
      adHocRoom: true,
      ownedRoom: true,
      adHocEvents: 1,
      ownedEvents: 1,
      sessions: 1,
      account: true,
    });
  });

  it("deletes expired sign-in sessions after PLENUM_SESSION_HOURS", async () => {
    t.clock.advance(13 * 60 * 60 * 1000);
    await t.server.retention();
    assert.equal((await counts()).sessions, 0);
    assert.equal((await agent.fetch("/api/auth/me")).status, 401);
  });

  it("deletes an unused ad-hoc room with its events after PLENUM_ROOM_RETENTION_DAYS", async () => {
    t.clock.advance(30 * DAY);
    await t.server.retention();
    const c = await counts();
    assert.equal(c.adHocRoom, false);
    assert.equal(c.adHocEvents, 0);
    assert.equal(c.ownedRoom, true, "an organiser's room stays with the account");
  });

  it("deletes audit events after PLENUM_AUDIT_RETENTION_DAYS, even of rooms that stay", async () => {
    t.clock.advance(60 * DAY);
    await t.server.retention();
    const c = await counts();
    assert.equal(c.ownedEvents, 0);
    assert.equal(c.ownedRoom, true);
    assert.equal(c.account, true, "accounts are kept until removed (plenum subject erase)");
  });
});
