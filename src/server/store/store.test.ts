import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Store } from "./store";

describe("Store (SQLite file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plenum-store-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps rooms across reopening the file", async () => {
    const file = join(dir, "a.db");
    const first = await Store.openSqlite(file);
    await first.createRoom({ id: "r1", moderatorTokenHash: "h", createdAt: 1, lastUsedAt: 1 });
    await first.close();
    await first.close(); // idempotent
    const second = await Store.openSqlite(file);
    assert.deepEqual(await second.findRoom("r1"), {
      id: "r1",
      moderatorTokenHash: "h",
      createdAt: 1,
      lastUsedAt: 1,
    });
    assert.equal(await second.findRoom("nope"), undefined);
    await second.close();
  });

  it("retention deletes only rooms unused since the cut-off", async () => {
    const store = await Store.openSqlite(join(dir, "b.db"));
    await store.createRoom({ id: "old", moderatorTokenHash: "h", createdAt: 0, lastUsedAt: 100 });
    await store.createRoom({ id: "new", moderatorTokenHash: "h", createdAt: 0, lastUsedAt: 100 });
    await store.touchRoom("new", 500);
    assert.equal(await store.deleteUnusedRooms(300), 1);
    assert.equal(await store.findRoom("old"), undefined);
    assert.ok(await store.findRoom("new"));
    await store.close();
  });
});
