import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { verifyPassword } from "../../src/server/auth/passwords";
import { Store } from "../../src/server/store/store";

const ROOT = resolve(import.meta.dirname, "../..");

/** Runs the real `plenum user …` process with `stdin` piped in; resolves with its exit and output. */
function plenumUser(
  dataDir: string,
  args: string[],
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/server/main.ts", "user", ...args],
    {
      cwd: ROOT,
      env: { ...process.env, PLENUM_DATA_DIR: dataDir, PLENUM_LOG_LEVEL: "silent" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdin.end(stdin);
  return new Promise((done) => child.once("close", (code) => done({ code, stdout, stderr })));
}

describe("plenum user (against a real SQLite file)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-cli-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const storedHash = async (username: string) => {
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    try {
      return (await store.accounts.findByUsername(username))?.passwordHash;
    } finally {
      await store.close();
    }
  };

  it("adds a user with the password piped on stdin, hashed with argon2id", async () => {
    const added = await plenumUser(dataDir, ["add", "Alice"], "correct horse battery\n");
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added user alice\./);
    const hash = (await storedHash("alice")) ?? "";
    assert.match(hash, /^\$argon2id\$/);
    assert.ok(await verifyPassword(hash, "correct horse battery"));
    assert.doesNotMatch(added.stdout + added.stderr, /correct horse/, "the password is not echoed");
  });

  it("refuses a taken name, a bad name and a short password with exit code 1", async () => {
    const taken = await plenumUser(dataDir, ["add", "alice"], "another long password\n");
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already taken/);
    const bad = await plenumUser(dataDir, ["add", "-x y"], "another long password\n");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid username/);
    const short = await plenumUser(dataDir, ["add", "bob"], "short\n");
    assert.equal(short.code, 1);
    assert.match(short.stderr, /10 to 1024 characters/);
    const none = await plenumUser(dataDir, ["add", "bob"], "");
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No password/);
  });

  it("answers usage mistakes with exit code 2", async () => {
    const missing = await plenumUser(dataDir, ["add"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Usage: plenum user/);
    assert.equal((await plenumUser(dataDir, ["frobnicate"])).code, 2);
  });

  it("lists users, changes a password and removes a user", async () => {
    await plenumUser(dataDir, ["add", "bob"], "bobs long password\n");
    const list = await plenumUser(dataDir, ["list"]);
    assert.equal(list.code, 0);
    assert.deepEqual(
      list.stdout
        .trim()
        .split("\n")
        .map((line) => line.split("\t").slice(0, 2)),
      [
        ["alice", "local"],
        ["bob", "local"],
      ],
    );

    const changed = await plenumUser(dataDir, ["passwd", "alice"], "a brand new password\n");
    assert.equal(changed.code, 0, changed.stderr);
    const hash = (await storedHash("alice")) ?? "";
    assert.ok(await verifyPassword(hash, "a brand new password"));
    assert.equal(await verifyPassword(hash, "correct horse battery"), false);

    const removed = await plenumUser(dataDir, ["remove", "bob"]);
    assert.equal(removed.code, 0);
    assert.equal(await storedHash("bob"), undefined);
    const again = await plenumUser(dataDir, ["remove", "bob"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no user "bob"/);
  });
});
