import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULTS } from "../../src/server/store/rooms";
import type { Store } from "../../src/server/store/store";

/**
 * What every store must do, whatever the database under it. A backend gives a
 * fresh, empty database per test, as a function that opens it (again and
 * again: reopening must find what was written).
 */
export interface StoreBackend {
  name: string;
  fresh(): Promise<() => Promise<Store>>;
}

const local = { passwordHash: "$argon2id$x", oidc: null, createdAt: 1 };

/** The store's contract, as one suite run against SQLite and PostgreSQL alike. */
export function storeContract(backend: StoreBackend): void {
  const fresh = async () => (await backend.fresh())();

  describe(`Store contract (${backend.name})`, () => {
    it("keeps rooms and their settings across reopening", async () => {
      const open = await backend.fresh();
      const first = await open();
      await first.rooms.create({ id: "r1", moderatorTokenHash: "h", createdAt: 1 });
      await first.rooms.create({
        id: "r2",
        moderatorTokenHash: "h",
        createdAt: 1,
        name: "Council",
        ownerAccountId: "acc",
        defaults: { lobby: false, chat: false, e2ee: true, postQuantum: true },
        passwordHash: "$argon2id$x",
      });
      await first.close();
      await first.close(); // idempotent
      const second = await open();
      assert.deepEqual(await second.rooms.find("r1"), {
        id: "r1",
        moderatorTokenHash: "h",
        createdAt: 1,
        lastUsedAt: 1,
        name: null,
        ownerAccountId: null,
        defaults: DEFAULTS,
        passwordHash: null,
      });
      const r2 = await second.rooms.find("r2");
      assert.equal(r2?.name, "Council");
      assert.equal(r2?.passwordHash, "$argon2id$x");
      assert.deepEqual(r2?.defaults, { lobby: false, chat: false, e2ee: true, postQuantum: true });
      assert.deepEqual(
        (await second.rooms.listByOwner("acc")).map((r) => r.id),
        ["r2"],
      );
      assert.equal(await second.rooms.find("nope"), undefined);
      await assert.rejects(
        second.rooms.create({ id: "r1", moderatorTokenHash: "h", createdAt: 2 }),
        "room ids are unique",
      );
      await second.ping();
      await second.close();
    });

    it("changes a room's settings, password and moderator secret; deletes it with its events", async () => {
      const store = await fresh();
      await store.rooms.create({ id: "r", moderatorTokenHash: "h1", createdAt: 1 });
      await store.rooms.update("r", {
        name: "Board",
        passwordHash: "$argon2id$p",
        defaults: { lobby: false, chat: true, e2ee: false },
      });
      await store.rooms.setModeratorTokenHash("r", "h2");
      // Millisecond timestamps exceed 32 bits: the columns must hold them exactly.
      const now = 1_780_000_000_123;
      await store.rooms.touch("r", now);
      const room = await store.rooms.find("r");
      assert.equal(room?.name, "Board");
      assert.equal(room?.passwordHash, "$argon2id$p");
      assert.equal(room?.moderatorTokenHash, "h2");
      assert.equal(room?.lastUsedAt, now);
      assert.deepEqual(room?.defaults, { lobby: false, chat: true, e2ee: false });
      await store.rooms.addEvent({
        roomId: "r",
        at: now,
        actor: "a",
        action: "lock",
        target: null,
      });
      assert.deepEqual(await store.rooms.events("r"), [
        { roomId: "r", at: now, actor: "a", action: "lock", target: null },
      ]);
      await store.rooms.delete("r");
      assert.equal(await store.rooms.find("r"), undefined);
      assert.deepEqual(await store.rooms.events("r"), []);
      await store.close();
    });

    it("retention deletes rooms unused since the cut-off, with their audit events (T10)", async () => {
      const store = await fresh();
      await store.rooms.create({ id: "old", moderatorTokenHash: "h", createdAt: 100 });
      await store.rooms.create({ id: "new", moderatorTokenHash: "h", createdAt: 100 });
      await store.rooms.addEvent({
        roomId: "old",
        at: 100,
        actor: "p1",
        action: "kick",
        target: "p2",
      });
      await store.rooms.touch("new", 500);
      assert.equal(await store.rooms.deleteUnused(300), 1);
      assert.equal(await store.rooms.find("old"), undefined);
      assert.deepEqual(await store.rooms.events("old"), []);
      assert.ok(await store.rooms.find("new"));
      await store.close();
    });

    it("audit events expire on their own retention (T10)", async () => {
      const store = await fresh();
      await store.rooms.create({ id: "r", moderatorTokenHash: "h", createdAt: 0 });
      await store.rooms.addEvent({ roomId: "r", at: 10, actor: "a", action: "lock", target: null });
      await store.rooms.addEvent({
        roomId: "r",
        at: 20,
        actor: "a",
        action: "unlock",
        target: null,
      });
      assert.equal(await store.rooms.deleteEventsBefore(15), 1);
      assert.deepEqual(
        (await store.rooms.events("r")).map((e) => e.action),
        ["unlock"],
      );
      await store.close();
    });

    it("keeps local and OIDC accounts; names and identities are unique", async () => {
      const store = await fresh();
      await store.accounts.create({ id: "a1", username: "alice", ...local });
      await store.accounts.create({
        id: "a2",
        username: "jane",
        passwordHash: null,
        oidc: { issuer: "https://id.example", subject: "123" },
        createdAt: 2,
      });
      assert.equal((await store.accounts.findByUsername("alice"))?.id, "a1");
      assert.deepEqual(await store.accounts.findById("a1"), {
        id: "a1",
        username: "alice",
        ...local,
      });
      assert.equal(
        (await store.accounts.findByOidc("https://id.example", "123"))?.username,
        "jane",
      );
      assert.equal(await store.accounts.findByOidc("https://other.example", "123"), undefined);
      assert.deepEqual(
        (await store.accounts.list()).map((a) => a.username),
        ["alice", "jane"],
      );
      await assert.rejects(store.accounts.create({ id: "a3", username: "alice", ...local }));
      await assert.rejects(
        store.accounts.create({
          id: "a4",
          username: "jane2",
          passwordHash: null,
          oidc: { issuer: "https://id.example", subject: "123" },
          createdAt: 3,
        }),
      );
      await store.close();
    });

    it("removing an account removes its sessions, rooms and their audit events, nothing else (T11)", async () => {
      const store = await fresh();
      await store.accounts.create({ id: "a1", username: "alice", ...local });
      await store.accounts.create({ id: "a2", username: "bob", ...local });
      await store.accounts.createSession("s1", "a1", 0, 100);
      await store.accounts.createSession("s2", "a2", 0, 100);
      await store.rooms.create({
        id: "r1",
        moderatorTokenHash: "h",
        createdAt: 0,
        ownerAccountId: "a1",
      });
      await store.rooms.create({
        id: "r2",
        moderatorTokenHash: "h",
        createdAt: 0,
        ownerAccountId: "a2",
      });
      await store.rooms.addEvent({ roomId: "r1", at: 1, actor: "p", action: "lock", target: null });
      await store.accounts.remove("a1");
      assert.equal(await store.accounts.findById("a1"), undefined);
      assert.equal(await store.accounts.findSession("s1"), undefined);
      assert.equal(await store.rooms.find("r1"), undefined);
      assert.deepEqual(await store.rooms.events("r1"), []);
      assert.ok(await store.accounts.findSession("s2"));
      assert.ok(await store.rooms.find("r2"));
      await store.close();
    });

    it("a new password ends every session of the account; expired sessions are swept (T10)", async () => {
      const store = await fresh();
      await store.accounts.create({ id: "a1", username: "alice", ...local });
      const later = 1_780_000_000_000;
      await store.accounts.createSession("s1", "a1", 0, 100);
      await store.accounts.createSession("s2", "a1", 0, later);
      assert.deepEqual(await store.accounts.findSession("s2"), {
        accountId: "a1",
        expiresAt: later,
      });
      assert.deepEqual(await store.accounts.sessionsOf("a1"), [
        { createdAt: 0, expiresAt: 100 },
        { createdAt: 0, expiresAt: later },
      ]);
      assert.equal(await store.accounts.deleteExpiredSessions(100), 1);
      assert.ok(await store.accounts.findSession("s2"));
      await store.accounts.setPasswordHash("a1", "$argon2id$y");
      assert.equal(await store.accounts.findSession("s2"), undefined);
      assert.equal((await store.accounts.findById("a1"))?.passwordHash, "$argon2id$y");
      await store.accounts.createSession("s3", "a1", 0, later);
      await store.accounts.deleteSession("s3");
      assert.equal(await store.accounts.findSession("s3"), undefined);
      await store.close();
    });

    it("keeps an organiser's rooms out of the unused-room retention", async () => {
      const store = await fresh();
      await store.rooms.create({ id: "adhoc", moderatorTokenHash: "h", createdAt: 0 });
      await store.rooms.create({
        id: "owned",
        moderatorTokenHash: "h",
        createdAt: 0,
        ownerAccountId: "a1",
      });
      assert.equal(await store.rooms.deleteUnused(1000), 1);
      assert.ok(await store.rooms.find("owned"));
      await store.close();
    });

    it("RES-2, KICK-1, RES-3: keeps meetings, places and kicks across reopening; deletes them when over", async () => {
      const open = await backend.fresh();
      const first = await open();
      await first.meetings.start({ id: "m1", roomId: "r1", at: 100 });
      await first.meetings.update("m1", { locked: true, lobby: true });
      const place = {
        participantId: "p1",
        role: "moderator",
        name: "Ann",
        state: "in" as const,
        passwordMark: "x",
      };
      await first.meetings.putMember("m1", place);
      await first.meetings.setMember("m1", "p1", { role: "participant" });
      const kick = {
        roomId: "r1",
        meetingId: "m1",
        at: 150,
        clientHash: "c",
        addressHash: "a",
        nameSkeleton: "troll",
      };
      await first.meetings.addKick({ ...kick, until: null });
      await first.meetings.addKick({ ...kick, until: 10_000, clientHash: "c2" });
      await first.close();
      const store = await open();
      assert.deepEqual(await store.meetings.current("r1"), {
        id: "m1",
        roomId: "r1",
        startedAt: 100,
        aliveAt: 100,
        endedAt: null,
        locked: true,
        lobby: true,
      });
      assert.deepEqual(await store.meetings.member("m1", "p1"), { ...place, role: "participant" });
      assert.equal((await store.meetings.kicks("r1", "m1", 200)).length, 2);
      assert.deepEqual(
        (await store.meetings.kicks("r1", "m2", 200)).map((k) => k.clientHash),
        ["c2"],
        "a meeting-long kick does not reach the next meeting; a longer one does",
      );
      // A running meeting, alive recently, keeps everything.
      await store.meetings.alive(["m1"], 5000);
      assert.equal(await store.meetings.deleteExpired(1000, 5000), 0);
      await store.meetings.end("m1", 6000);
      assert.equal(
        await store.meetings.current("r1"),
        undefined,
        "an ended meeting is not current",
      );
      // Ended: the meeting, its place and its meeting-long kick go; the week-long kick stays.
      assert.equal(await store.meetings.deleteExpired(1000, 7000), 3);
      assert.equal(await store.meetings.member("m1", "p1"), undefined);
      assert.equal((await store.meetings.kicks("r1", "m1", 7000)).length, 1);
      assert.equal(await store.meetings.deleteExpired(1000, 20_000), 1, "over: the long kick goes");
      // A meeting that went quiet (its process died) goes after the cut-off too.
      await store.meetings.start({ id: "m3", roomId: "r1", at: 100 });
      assert.equal(await store.meetings.deleteExpired(1000, 20_000), 1);
      await store.close();
    });
  });
}
