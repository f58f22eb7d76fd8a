import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Store } from "./store";

describe("AccountStore (SQLite file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plenum-accounts-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const local = { passwordHash: "$argon2id$x", oidc: null, createdAt: 1 };

  it("keeps local and OIDC accounts; names and identities are unique", async () => {
    const store = await Store.openSqlite(join(dir, "a.db"));
    await store.accounts.create({ id: "a1", username: "alice", ...local });
    await store.accounts.create({
      id: "a2",
      username: "jane",
      passwordHash: null,
      oidc: { issuer: "https://id.example", subject: "123" },
      createdAt: 2,
    });
    assert.equal((await store.accounts.findByUsername("alice"))?.id, "a1");
    assert.equal((await store.accounts.findByOidc("https://id.example", "123"))?.username, "jane");
    assert.equal(await store.accounts.findByOidc("https://other.example", "123"), undefined);
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
    const store = await Store.openSqlite(join(dir, "b.db"));
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
    const store = await Store.openSqlite(join(dir, "c.db"));
    await store.accounts.create({ id: "a1", username: "alice", ...local });
    await store.accounts.createSession("s1", "a1", 0, 100);
    await store.accounts.createSession("s2", "a1", 0, 200);
    assert.equal(await store.accounts.deleteExpiredSessions(100), 1);
    assert.ok(await store.accounts.findSession("s2"));
    await store.accounts.setPasswordHash("a1", "$argon2id$y");
    assert.equal(await store.accounts.findSession("s2"), undefined);
    assert.equal((await store.accounts.findById("a1"))?.passwordHash, "$argon2id$y");
    await store.close();
  });

  it("keeps an organiser's rooms out of the unused-room retention", async () => {
    const store = await Store.openSqlite(join(dir, "d.db"));
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
});
