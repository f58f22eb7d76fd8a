import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import SQLite from "better-sqlite3";
import type { ServerMessage } from "../../src/protocol/messages";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom, makeStubClientDir } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";

/**
 * Issue 19, finding 1: revocations outlive the process. Every test runs real
 * `plenum serve` processes on one SQLite data folder and kills the first with
 * SIGKILL (nothing written at exit), as a crash or a power cut would.
 */

type JoinedResult = {
  status: "joined";
  self: { id: string; role: string; name: string };
  resume?: string;
  resumed?: string;
};

const ENV: Record<string, string> = { PLENUM_JOIN_BURST: "10000", PLENUM_LOG_LEVEL: "warn" };

const open: { close(): unknown }[] = [];
after(async () => {
  for (const c of open.reverse()) await c.close();
});

before(async () => {
  // The processes serve a stub page: these tests speak the protocol, not the UI.
  const clientDir = await makeStubClientDir();
  ENV.PLENUM_CLIENT_DIR = clientDir;
  open.push({ close: () => rmSync(clientDir, { recursive: true, force: true }) });
});

function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "plenum-revocation-"));
  open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}

async function serve(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ ...ENV, PLENUM_DATA_DIR: dataDir });
  open.push(server);
  return server;
}

async function crash(server: ServerProcess): Promise<void> {
  const exited = new Promise((done) => server.child.once("exit", done));
  server.child.kill("SIGKILL");
  await exited;
}

/** Waits until the server's SQLite file answers `query` with at least one row. */
async function stored(dataDir: string, what: string, query: string): Promise<void> {
  const db = new SQLite(join(dataDir, "plenum.db"), { readonly: true, fileMustExist: true });
  try {
    await waitFor(what, () => db.prepare(query).all().length > 0, { timeoutMs: 20_000 });
  } finally {
    db.close();
  }
}

async function client(url: string, cookie?: string, localAddress?: string) {
  const c = await SignallingClient.greeted(url, cookie ? { cookie } : {}, localAddress);
  open.push(c);
  return c;
}

async function enter(url: string, roomId: string, name: string, extra: object = {}) {
  const c = await client(url);
  const result = (await c.request({ type: "join", roomId, name, ...extra })) as JoinedResult;
  assert.equal(result.status, "joined", `${name} is in`);
  return { c, result, ticket: result.resume ?? "" };
}

async function refused(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    (r) => assert.fail(`expected ${code}, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RequestError, String(error));
  assert.equal(error.code, code);
}

const ofType = (type: string) => (m: ServerMessage) => m.type === type;

describe("revocations outlive a restart (docs/SPEC.md RES-*, KICK-*)", () => {
  it("RES-1, KICK-1: kicked, locked, password changed, server killed: the kicked ticket opens nothing; the others wait for a moderator", async () => {
    const dataDir = dataFolder();
    const first = await serve(dataDir);
    const room = await createRoom(first.url, { lobby: false, e2ee: false });
    const mod = await enter(first.url, room.id, "Mod", { moderatorToken: room.moderatorToken });
    const intruder = await enter(first.url, room.id, "Intruder");
    const colleague = await enter(first.url, room.id, "Colleague");

    await mod.c.request({ type: "kick", participantId: intruder.result.self.id });
    await mod.c.request({ type: "lock", locked: true });
    await mod.c.request({ type: "set-password", password: "a new secret" });
    await stored(
      dataDir,
      "the kick, the lock and the new password are stored",
      "SELECT 1 FROM kicks k JOIN meetings m ON m.id = k.meeting_id JOIN rooms r ON r.id = m.room_id WHERE m.locked = 1 AND r.password_hash IS NOT NULL",
    );
    await crash(first);
    const second = await serve(dataDir);

    // The kicked browser, with its cookie and its ticket, as the attacker did.
    const back = await client(second.url, intruder.c.cookies);
    await refused(
      back.request({ type: "join", roomId: room.id, name: "New name", resume: intruder.ticket }),
      "room-unavailable",
    );
    // Cookie cleared, ticket kept: the ticket is bound to the old cookie, and the room is locked.
    const fresh = await client(second.url);
    await refused(
      fresh.request({ type: "join", roomId: room.id, name: "Other", resume: intruder.ticket }),
      "room-unavailable",
    );

    // The moderator comes straight back; the colleague waits, flagged as returning.
    const modBack = await client(second.url, mod.c.cookies);
    const modResult = (await modBack.request({
      type: "join",
      roomId: room.id,
      name: "Mod",
      resume: mod.ticket,
    })) as JoinedResult;
    assert.equal(modResult.resumed, "restored");
    assert.equal(modResult.self.role, "moderator");
    const colleagueBack = await client(second.url, colleague.c.cookies);
    const waiting = await colleagueBack.request({
      type: "join",
      roomId: room.id,
      name: "Colleague",
      resume: colleague.ticket,
    });
    assert.deepEqual(waiting, { status: "lobby" }, "a locked room with a new password: lobby");
    const update = await modBack.take(
      "the colleague's knock",
      (m) => m.type === "lobby-updated" && m.waiting.length === 1,
    );
    assert.ok(update.type === "lobby-updated");
    assert.deepEqual(update.waiting[0]?.flags, ["returning"]);
    assert.equal(update.waiting[0]?.name, "Colleague");
    await modBack.request({ type: "admit", waiterId: update.waiting[0]?.id ?? "" });
    const admitted = await colleagueBack.take("admitted", ofType("admitted"));
    assert.ok(admitted.type === "admitted");
    assert.equal(admitted.self.id, colleague.result.self.id, "the same place");
    assert.equal(admitted.locked, true, "still locked after the restart");
  });

  it("RES-2: a demoted deputy comes back as what they are now, under the same name", async () => {
    const dataDir = dataFolder();
    const first = await serve(dataDir);
    const room = await createRoom(first.url, { lobby: false, e2ee: false });
    const mod = await enter(first.url, room.id, "Mod", { moderatorToken: room.moderatorToken });
    const deputy = await enter(first.url, room.id, "Deputy");
    await mod.c.request({
      type: "set-role",
      participantId: deputy.result.self.id,
      role: "moderator",
    });
    await deputy.c.take("promoted", (m) => m.type === "moderated" && m.action === "promoted");
    // A resume while a moderator hands out a ticket that says "moderator".
    await deputy.c.drop();
    const again = await client(first.url, deputy.c.cookies);
    const resumed = (await again.request({
      type: "join",
      roomId: room.id,
      name: "Deputy",
      resume: deputy.ticket,
    })) as JoinedResult;
    assert.equal(resumed.self.role, "moderator");
    const moderatorTicket = resumed.resume ?? "";
    await mod.c.request({
      type: "set-role",
      participantId: deputy.result.self.id,
      role: "participant",
    });
    await again.take("demoted", (m) => m.type === "moderated" && m.action === "demoted");
    await stored(
      dataDir,
      "the demotion is stored",
      "SELECT 1 FROM meeting_members WHERE role = 'participant'",
    );
    await crash(first);
    const second = await serve(dataDir);

    const back = await client(second.url, deputy.c.cookies);
    const result = (await back.request({
      type: "join",
      roomId: room.id,
      name: "Moderator (official)",
      resume: moderatorTicket,
    })) as JoinedResult;
    assert.equal(result.resumed, "restored");
    assert.equal(result.self.id, deputy.result.self.id);
    assert.equal(
      result.self.role,
      "participant",
      "the role the meeting gave last, not the ticket's",
    );
    assert.equal(result.self.name, "Deputy", "a resume cannot change the name");
    await refused(back.request({ type: "lock", locked: true }), "forbidden");
  });

  it("RES-1: an ended meeting is not resumed; its ticket makes a new, separate person", async () => {
    const dataDir = dataFolder();
    const first = await serve(dataDir);
    const room = await createRoom(first.url, { lobby: true, e2ee: false });
    const mod = await enter(first.url, room.id, "Mod", { moderatorToken: room.moderatorToken });
    const guestClient = await client(first.url);
    assert.deepEqual(await guestClient.request({ type: "join", roomId: room.id, name: "Guest" }), {
      status: "lobby",
    });
    const knock = await mod.c.take(
      "knock",
      (m) => m.type === "lobby-updated" && m.waiting.length > 0,
    );
    assert.ok(knock.type === "lobby-updated");
    await mod.c.request({ type: "admit", waiterId: knock.waiting[0]?.id ?? "" });
    const admitted = await guestClient.take("admitted", ofType("admitted"));
    assert.ok(admitted.type === "admitted");
    await mod.c.request({ type: "end-meeting" });
    await guestClient.take("removed", ofType("removed"));
    await stored(dataDir, "the end is stored", "SELECT 1 FROM meetings WHERE ended_at IS NOT NULL");
    await crash(first);
    const second = await serve(dataDir);

    const back = await client(second.url, guestClient.cookies);
    const result = await back.request({
      type: "join",
      roomId: room.id,
      name: "Guest",
      resume: admitted.resume ?? "",
    });
    assert.deepEqual(result, { status: "lobby" }, "like anyone new: the lobby");
  });
});
