import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Store } from "../../src/server/store/store";
import { plenum } from "../support/plenum-cli";

const PASSWORD = "correct horse battery staple";

describe("plenum subject and plenum docs (against a real SQLite file)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-subject-"));
  const env = { PLENUM_DATA_DIR: dataDir };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  before(async () => {
    assert.equal((await plenum(["user", "add", "alice"], env, `${PASSWORD}\n`)).code, 0);
    assert.equal((await plenum(["user", "add", "bob"], env, `${PASSWORD}\n`)).code, 0);
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    try {
      const alice = await store.accounts.findByUsername("alice");
      assert.ok(alice);
      await store.rooms.create({
        id: "A".repeat(22),
        moderatorTokenHash: "h",
        createdAt: 1,
        name: "Council",
        ownerAccountId: alice.id,
      });
      await store.rooms.addEvent({
        roomId: "A".repeat(22),
        at: 2,
        actor: "p1",
        action: "kick",
        target: "p2",
      });
      await store.accounts.createSession("token-hash", alice.id, 3, Date.now() + 60_000);
    } finally {
      await store.close();
    }
  });

  it("DATA-4: exports every table with the account's data as JSON, without secrets (T11)", async () => {
    const run = await plenum(["subject", "export", "--account", "alice"], env);
    assert.equal(run.code, 0, run.stderr);
    const data = JSON.parse(run.stdout) as {
      account: { username: string; hasPassword: boolean };
      sessions: unknown[];
      rooms: { name: string; events: { action: string }[] }[];
    };
    assert.equal(data.account.username, "alice");
    assert.equal(data.account.hasPassword, true);
    assert.equal(data.sessions.length, 1);
    assert.equal(data.rooms[0]?.name, "Council");
    assert.equal(data.rooms[0]?.events[0]?.action, "kick");
    assert.doesNotMatch(run.stdout, /argon2|token-hash|"h"/, "hashes are not exported");
  });

  it("erases the account with its sessions, rooms and events, and nothing of anyone else", async () => {
    assert.equal((await plenum(["subject", "erase", "--account", "alice"], env)).code, 0);
    assert.equal((await plenum(["subject", "export", "--account", "alice"], env)).code, 1);
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    try {
      assert.equal(await store.rooms.find("A".repeat(22)), undefined);
      assert.deepEqual(await store.rooms.events("A".repeat(22)), []);
      assert.ok(await store.accounts.findByUsername("bob"));
    } finally {
      await store.close();
    }
    assert.equal((await plenum(["subject", "erase"], env)).code, 2, "usage");
  });

  it("generates the record of processing and the TOMs from the configuration", async () => {
    const facts = {
      ...env,
      PLENUM_CONTROLLER_NAME: "Bezirksamt Musterstadt",
      PLENUM_ROOM_RETENTION_DAYS: "21",
    };
    const record = await plenum(["docs", "record-of-processing"], facts);
    assert.equal(record.code, 0, record.stderr);
    assert.match(record.stdout, /^# Record of processing activities/);
    assert.match(record.stdout, /Bezirksamt Musterstadt/);
    assert.match(record.stdout, /rooms 21 days/);
    assert.match(record.stdout, /\[not stated: PLENUM_DPO_CONTACT\]/);
    const measures = await plenum(["docs", "toms"], facts);
    assert.match(measures.stdout, /^# Technical and organisational measures/);
    const german = await plenum(["docs", "record-of-processing", "--lang", "de"], facts);
    assert.match(german.stdout, /^# Verzeichnis von Verarbeitungstätigkeiten/);
    assert.match(german.stdout, /\[nicht angegeben: PLENUM_DPO_CONTACT\]/);
    assert.match(german.stdout, /Räume 21 Tage/);
    const pdf = join(dataDir, "toms.pdf");
    const printed = await plenum(["docs", "toms", "--format", "pdf", "--out", pdf], facts);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(readFileSync(pdf).subarray(0, 5).toString(), "%PDF-");
    assert.equal((await plenum(["docs", "nonsense"], env)).code, 2);
  });
});
