import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import { Store } from "../../store/store";
import { databaseFindings } from "./database";

describe("database probe (T2, T10)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plenum-dbprobe-"));
  const file = join(dir, "plenum.db");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const status = (id: string) => databaseFindings(file).find((f) => f.id === id);

  it("finds the real schema fully covered by retention rules and free of keys", async () => {
    const store = await Store.openSqlite(file);
    await store.rooms.create({
      id: "A".repeat(22),
      moderatorTokenHash: "ab".repeat(32),
      createdAt: 1,
    });
    await store.close();
    assert.equal(status("T10")?.status, "green");
    assert.equal(status("T2")?.status, "green");
  });

  it("turns T2 red for key material and T10 red for a table without a retention rule", () => {
    const db = new SQLite(file);
    db.prepare("UPDATE rooms SET name = ?").run("-----BEGIN PRIVATE KEY-----\nMIIB...");
    db.exec("CREATE TABLE chat_log (text TEXT)");
    db.close();
    assert.equal(status("T2")?.status, "red");
    assert.match(status("T2")?.reason ?? "", /rooms\.name/);
    assert.equal(status("T10")?.status, "red");
    assert.match(status("T10")?.reason ?? "", /chat_log/);
  });
});
