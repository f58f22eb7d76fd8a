import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServerMessage, Waiter } from "../../src/protocol/messages";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";

/**
 * Issue 19, findings 2 and 5: a kick cannot be undone by clearing a cookie,
 * and names cannot impersonate. Other loopback addresses (127.0.0.x) stand
 * for other computers.
 */

const clients: SignallingClient[] = [];
let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
});

async function connect(localAddress?: string, cookie?: string) {
  const c = await SignallingClient.greeted(server.url, cookie ? { cookie } : {}, localAddress);
  clients.push(c);
  return c;
}

async function refused(promise: Promise<unknown>, code: string): Promise<RequestError> {
  const error = await promise.then(
    (r) => assert.fail(`expected ${code}, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RequestError, String(error));
  assert.equal(error.code, code);
  return error;
}

async function moderated(body: { lobby?: boolean } = {}) {
  const room = await createRoom(server.url, { e2ee: false, ...body });
  const mod = await connect();
  await mod.request({
    type: "join",
    roomId: room.id,
    name: "Mod",
    moderatorToken: room.moderatorToken,
  });
  return { room, mod };
}

/** The lobby list once `name` shows up in it. */
async function knockOf(mod: SignallingClient, name: string): Promise<Waiter> {
  const update = await mod.take(
    `${name} knocking`,
    (m: ServerMessage) => m.type === "lobby-updated" && m.waiting.some((w) => w.name === name),
  );
  assert.ok(update.type === "lobby-updated");
  const waiter = update.waiting.find((w) => w.name === name);
  assert.ok(waiter);
  return waiter;
}

describe("kicks and names (docs/SPEC.md KICK-*, NAME-*)", () => {
  it("KICK-2: after a kick the lobby goes on; a return with cleared cookies is flagged, by address or by look-alike name", async () => {
    const { room, mod } = await moderated({ lobby: false });
    const troll = await connect("127.0.0.30");
    const joined = await troll.request({ type: "join", roomId: room.id, name: "Troll" });
    assert.ok(joined.status === "joined");
    await mod.request({ type: "kick", participantId: joined.self.id });
    const tightened = await mod.take(
      "the lobby goes on",
      (m) => m.type === "room-updated" && m.settings.lobby,
    );
    assert.ok(tightened.type === "room-updated");

    // The same browser: refused as if the room did not exist (MOD-1, ACC-2).
    const sameBrowser = await connect("127.0.0.30", troll.cookies);
    await refused(
      sameBrowser.request({ type: "join", roomId: room.id, name: "Troll" }),
      "room-unavailable",
    );
    // Cookies cleared, same network, new name: waits, flagged to the moderator.
    const cleared = await connect("127.0.0.30");
    assert.deepEqual(
      await cleared.request({ type: "join", roomId: room.id, name: "Nice person" }),
      { status: "lobby" },
    );
    assert.deepEqual((await knockOf(mod, "Nice person")).flags, ["removed-earlier"]);
    // Another network, the same name spelled with look-alikes: flagged too.
    const elsewhere = await connect("127.0.0.31");
    await elsewhere.request({ type: "join", roomId: room.id, name: "Tr0ll" });
    assert.deepEqual((await knockOf(mod, "Tr0ll")).flags, ["removed-earlier"]);
    // Someone else entirely: not flagged.
    const stranger = await connect("127.0.0.32");
    await stranger.request({ type: "join", roomId: room.id, name: "Alice" });
    assert.equal((await knockOf(mod, "Alice")).flags, undefined);
  });

  it("KICK-1: a meeting-long kick ends with the meeting; a week-long one outlasts it", async () => {
    const { room, mod } = await moderated({ lobby: false });
    const brief = await connect("127.0.0.40");
    const long = await connect("127.0.0.41");
    const a = await brief.request({ type: "join", roomId: room.id, name: "Brief" });
    const b = await long.request({ type: "join", roomId: room.id, name: "Long" });
    assert.ok(a.status === "joined" && b.status === "joined");
    await mod.request({ type: "kick", participantId: a.self.id });
    await mod.request({ type: "kick", participantId: b.self.id, ban: "week" });
    await mod.request({ type: "end-meeting" });

    // A new meeting in the same room.
    const mod2 = await connect(undefined, mod.cookies);
    await mod2.request({
      type: "join",
      roomId: room.id,
      name: "Mod",
      moderatorToken: room.moderatorToken,
    });
    const briefAgain = await connect("127.0.0.40", brief.cookies);
    const result = await briefAgain.request({ type: "join", roomId: room.id, name: "Brief" });
    assert.equal(result.status, "joined", "the meeting-long kick is over");
    const longAgain = await connect("127.0.0.41", long.cookies);
    await refused(
      longAgain.request({ type: "join", roomId: room.id, name: "Long" }),
      "room-unavailable",
    );
  });

  it("NAME-2: invisible, control and direction-changing characters are refused with a clear message", async () => {
    const { room } = await moderated();
    const guest = await connect();
    for (const name of ["Mod\u202Eerator", "\u3164", "Anna\u0085", "Ann\u200Ba", "A\u00A0B"]) {
      const error = await refused(
        guest.request({ type: "join", roomId: room.id, name }),
        "bad-message",
      );
      assert.match(error.message, /name: .*(characters|spaces)/, JSON.stringify(name));
    }
  });

  it("NAME-3: a name that looks like someone present is flagged to moderators", async () => {
    const { room, mod } = await moderated();
    const anna = await connect();
    await anna.request({ type: "join", roomId: room.id, name: "Anna" });
    const first = await knockOf(mod, "Anna");
    assert.equal(first.flags, undefined);
    await mod.request({ type: "admit", waiterId: first.id });
    const fake = await connect();
    await fake.request({ type: "join", roomId: room.id, name: "\u0410nn\u0430" });
    assert.deepEqual((await knockOf(mod, "\u0410nn\u0430")).flags, ["similar-name"]);
  });
});
