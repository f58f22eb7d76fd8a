import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ServerMessage } from "../../src/protocol/messages";
import { loadConfig } from "../../src/server/config/config";
import { createLogger } from "../../src/server/observability/log";
import { startServer } from "../../src/server/server";
import { createRoom, makeStubClientDir, startTestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";

type Joined = {
  status: "joined";
  self: { id: string; role: string };
  resume?: string;
  resumed?: string;
};

async function enter(url: string, roomId: string, name: string, extra: object = {}) {
  const client = await SignallingClient.greeted(url);
  const result = (await client.request({ type: "join", roomId, name, ...extra })) as Joined;
  return { client, result };
}

/** Connects as the same browser (its cookie) and joins with its ticket. */
async function comeBack(
  url: string,
  cookies: string,
  roomId: string,
  name: string,
  resume: string,
) {
  const client = await SignallingClient.greeted(url, { cookie: cookies });
  const result = await client.request({ type: "join", roomId, name, resume });
  return { client, result };
}

const hasType = (type: string, id?: string) => (m: ServerMessage) =>
  m.type === type && (id === undefined || ("participantId" in m && m.participantId === id));

describe("resume after a dropped connection (docs/PROTOCOL.md, Resume)", () => {
  const open: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const c of open.reverse()) await c.close().catch(() => undefined);
  });

  it("keeps the place: same id and role, the others see reconnecting and no second person", async () => {
    const t = await startTestServer();
    open.push(t);
    const room = await createRoom(t.url, { lobby: true, e2ee: false });
    const mod = await enter(t.url, room.id, "Mod", { moderatorToken: room.moderatorToken });
    open.push(mod.client);
    const guest = await SignallingClient.greeted(t.url);
    open.push(guest);
    assert.deepEqual(await guest.request({ type: "join", roomId: room.id, name: "Guest" }), {
      status: "lobby",
    });
    const knock = (await mod.client.take("lobby", hasType("lobby-updated"))) as {
      waiting: { id: string }[];
    };
    await mod.client.request({ type: "admit", waiterId: knock.waiting[0]?.id ?? "" });
    const admitted = (await guest.take("admitted", hasType("admitted"))) as unknown as Joined;
    assert.ok(admitted.resume, "the admitted person gets a resume ticket");
    await mod.client.take("joined", hasType("participant-joined"));
    await mod.client.take(
      "the lobby emptied",
      (m) => m.type === "lobby-updated" && m.waiting.length === 0,
    );

    await guest.drop();
    await mod.client.take("reconnecting", hasType("participant-reconnecting", admitted.self.id));
    const back = await comeBack(t.url, guest.cookies, room.id, "Guest", admitted.resume ?? "");
    open.push(back.client);
    assert.equal(back.result.status, "joined");
    const joined = back.result as Joined;
    assert.equal(joined.resumed, "kept");
    assert.equal(joined.self.id, admitted.self.id, "the same participant");
    assert.equal(joined.self.role, "guest");
    assert.ok(joined.resume && joined.resume !== admitted.resume, "a fresh ticket");
    await mod.client.take("reconnected", hasType("participant-reconnected", admitted.self.id));
    assert.ok(
      !mod.client.unread.some(
        (m) => m.type === "participant-left" || m.type === "participant-joined",
      ),
      `the moderator saw no one leave or join: ${mod.client.unread.map((m) => m.type)}`,
    );
    // The lobby did not come into it: nothing new waits.
    assert.ok(!mod.client.unread.some((m) => m.type === "lobby-updated"));
  });

  it("takes over a place whose old connection the server still thinks alive", async () => {
    const t = await startTestServer();
    open.push(t);
    const room = await createRoom(t.url, { lobby: false, e2ee: false });
    const a = await enter(t.url, room.id, "A");
    open.push(a.client);
    const b = await enter(t.url, room.id, "B");
    open.push(b.client);
    const back = await comeBack(t.url, b.client.cookies, room.id, "B", b.result.resume ?? "");
    open.push(back.client);
    assert.equal((back.result as Joined).self.id, b.result.self.id);
    assert.equal((await b.client.closed).code, 4001, "the old connection is told it was replaced");
    await a.client.request({ type: "ping" });
    assert.ok(!a.client.unread.some((m) => hasType("participant-left")(m)));
  });

  it("ignores a ticket of another browser, a forged one, and one of a place given up", async () => {
    const t = await startTestServer({ PLENUM_RESUME_SECONDS: "1" });
    open.push(t);
    const room = await createRoom(t.url, { lobby: false, e2ee: false });
    const a = await enter(t.url, room.id, "A");
    open.push(a.client);
    const b = await enter(t.url, room.id, "B");
    open.push(b.client);
    const ticket = b.result.resume ?? "";
    const other = await enter(t.url, room.id, "X", { resume: ticket });
    open.push(other.client);
    assert.notEqual(other.result.self.id, b.result.self.id, "another browser is someone new");
    assert.equal(other.result.resumed, undefined);
    const forged = await comeBack(
      t.url,
      b.client.cookies,
      room.id,
      "Y",
      `${ticket.slice(0, -4)}AAAA`,
    );
    open.push(forged.client);
    assert.notEqual(
      (forged.result as Joined).self.id,
      b.result.self.id,
      "a forged ticket opens nothing",
    );

    await b.client.drop();
    await a.client.take("reconnecting", hasType("participant-reconnecting", b.result.self.id));
    await a.client.take("left after the window", hasType("participant-left", b.result.self.id));
    const late = await comeBack(t.url, b.client.cookies, room.id, "B", ticket);
    open.push(late.client);
    assert.notEqual((late.result as Joined).self.id, b.result.self.id, "an expired place is gone");
    assert.equal((late.result as Joined).resumed, undefined);
  });

  it("restores the place after a restart from the signed ticket; the key file is 0600", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "plenum-resume-"));
    const clientDir = await makeStubClientDir();
    open.push({ close: () => rm(dataDir, { recursive: true, force: true }) });
    open.push({ close: () => rm(clientDir, { recursive: true, force: true }) });
    const config = loadConfig({
      PLENUM_PORT: "0",
      PLENUM_DATA_DIR: dataDir,
      PLENUM_LOG_LEVEL: "silent",
      PLENUM_JOIN_BURST: "10000",
    });
    const first = await startServer(config, createLogger("silent"), clientDir);
    open.push(first);
    assert.equal((await stat(join(dataDir, "resume.key"))).mode & 0o777, 0o600);
    const room = await createRoom(first.url, { lobby: true, e2ee: false });
    const mod = await enter(first.url, room.id, "Mod", { moderatorToken: room.moderatorToken });
    const closed = mod.client.closed;
    await first.close();
    assert.equal((await closed).code, 1012, "a restart closes with 1012: reconnect");

    // The same data folder, a new process's memory: nothing but the key file survives.
    const second = await startServer(config, createLogger("silent"), clientDir);
    open.push(second);
    const back = await comeBack(
      second.url,
      mod.client.cookies,
      room.id,
      "Mod",
      mod.result.resume ?? "",
    );
    open.push(back.client);
    const joined = back.result as Joined;
    assert.equal(joined.resumed, "restored");
    assert.equal(joined.self.id, mod.result.self.id);
    assert.equal(joined.self.role, "moderator", "the role comes back with the ticket");
  });

  it("on shutdown: everyone is told, joins are refused, connections close with 1012", async () => {
    const t = await startTestServer();
    open.push(t);
    const room = await createRoom(t.url, { lobby: false, e2ee: false });
    const a = await enter(t.url, room.id, "A");
    open.push(a.client);
    const late = await SignallingClient.greeted(t.url);
    open.push(late);
    const closing = t.server.close(1500);
    await a.client.take("shutdown notice", hasType("server-shutdown"));
    await assert.rejects(
      late.request({ type: "join", roomId: room.id, name: "Late" }),
      (e: unknown) => e instanceof RequestError && e.code === "shutting-down",
    );
    assert.equal((await a.client.closed).code, 1012);
    await closing;
  });
});
