import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { Accounts } from "../../src/server/account/accounts";
import { Store } from "../../src/server/store/store";
import { Agent } from "../support/agent";
import { type ServerProcess, startServerProcess } from "../support/process";
import { figure, profile } from "../support/profile";
import { createRoom } from "../support/server";
import { SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";

const PASSWORD = "correct horse battery";
/** Fast profile: one kill in the middle of a meeting; long profile: many in a row. */
const KILLS = profile(1, 20);

interface RoomView {
  id: string;
  name: string;
  lobby: boolean;
  chat: boolean;
  e2ee: boolean;
  hasPassword: boolean;
}

describe("crash safety: kill -9 during a meeting (hostile input battery)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-crash-"));
  let server: ServerProcess | undefined;
  const clients: SignallingClient[] = [];

  before(async () => {
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    await new Accounts(store).addLocal("alice", PASSWORD);
    await store.close();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => startServerProcess({ PLENUM_DATA_DIR: dataDir, PLENUM_LOG_LEVEL: "warn" });
  const signIn = async (url: string) => {
    const agent = new Agent(url);
    const response = await agent.json("POST", "/api/auth/login", {
      username: "alice",
      password: PASSWORD,
    });
    assert.equal(response.status, 200, "the account survived");
    return agent;
  };

  it(`loses no account, room or setting after ${KILLS} SIGKILL(s), and starts clean`, async () => {
    server = await start();
    let agent = await signIn(server.url);
    const created: RoomView[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      // Something written just before the crash: a room with its settings, then a change.
      const response = await agent.json("POST", "/api/my/rooms", {
        name: `Council ${kill}`,
        chat: false,
        password: "open sesame",
      });
      assert.equal(response.status, 201);
      const room = (await response.json()) as RoomView;
      const patched = await agent.json("PATCH", `/api/my/rooms/${room.id}`, { lobby: false });
      assert.equal(patched.status, 200);
      created.push({ ...room, lobby: false });
      const adHoc = await createRoom(server.url, { lobby: false });

      // A meeting under way when the server dies.
      for (const name of ["Ada", "Grace"]) {
        const c = await SignallingClient.greeted(server.url);
        clients.push(c);
        await c.request({ type: "join", roomId: adHoc.id, name });
      }
      assert.ok(existsSync(join(dataDir, "plenum.db-wal")), "the store runs in WAL mode");
      server.child.kill("SIGKILL");
      await new Promise((resolve) => server?.child.once("exit", resolve));
      await waitFor("the meeting's sockets to close", () => clients.every((c) => !c.isOpen));

      server = await start();
      agent = await signIn(server.url);
      const listed = ((await (await agent.fetch("/api/my/rooms")).json()) as { rooms: RoomView[] })
        .rooms;
      for (const before of created) {
        const after = listed.find((r) => r.id === before.id);
        assert.ok(after, `room ${before.name} survived`);
        assert.deepEqual(
          { name: after.name, lobby: after.lobby, chat: after.chat, password: after.hasPassword },
          { name: before.name, lobby: false, chat: false, password: true },
        );
      }
      // The ad-hoc room of the interrupted meeting can be entered again.
      const back = await SignallingClient.greeted(server.url);
      clients.push(back);
      const joined = await back.request({ type: "join", roomId: adHoc.id, name: "Ada" });
      assert.equal(joined.status, "joined");
      assert.equal(
        joined.status === "joined" && joined.participants.length,
        0,
        "no ghosts of the killed meeting",
      );
      await back.close();
    }
    // A clean start: no warning or error in the log of the restarted server.
    assert.doesNotMatch(server.output(), /"level":(40|50|60)/);
    await server.close();
    server = undefined;
    const db = new Database(join(dataDir, "plenum.db"), { readonly: true });
    try {
      assert.deepEqual(db.pragma("integrity_check"), [{ integrity_check: "ok" }]);
    } finally {
      db.close();
    }
    figure("crash.kills", KILLS);
    figure("crash.roomsSurvived", created.length);
  });
});
