import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEFAULTS } from "./rooms";
import { Store } from "./store";

describe("Store (SQLite file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plenum-store-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps rooms and their settings across reopening the file", async () => {
    const file = join(dir, "a.db");
    const first = await Store.openSqlite(file);
    await first.rooms.create({ id: "r1", moderatorTokenHash: "h", createdAt: 1 });
    await first.rooms.create({
      id: "r2",
      moderatorTokenHash: "h",
      createdAt: 1,
      name: "Council",
      ownerAccountId: "acc",
      defaults: { lobby: false, chat: false, e2ee: true },
      passwordHash: "$argon2id$x",
    });
    await first.close();
    await first.close(); // idempotent
    const second = await Store.openSqlite(file);
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
    assert.deepEqual(r2?.defaults, { lobby: false, chat: false, e2ee: true });
    assert.deepEqual(
      (await second.rooms.listByOwner("acc")).map((r) => r.id),
      ["r2"],
    );
    assert.equal(await second.rooms.find("nope"), undefined);
    await second.close();
  });

  it("retention deletes rooms unused since the cut-off, with their audit events (T10)", async () => {
    const store = await Store.openSqlite(join(dir, "b.db"));
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
    const store = await Store.openSqlite(join(dir, "c.db"));
    await store.rooms.create({ id: "r", moderatorTokenHash: "h", createdAt: 0 });
    await store.rooms.addEvent({ roomId: "r", at: 10, actor: "a", action: "lock", target: null });
    await store.rooms.addEvent({ roomId: "r", at: 20, actor: "a", action: "unlock", target: null });
    assert.equal(await store.rooms.deleteEventsBefore(15), 1);
    assert.deepEqual(
      (await store.rooms.events("r")).map((e) => e.action),
      ["unlock"],
    );
    await store.close();
  });
});
