import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";

/**
 * Issue 19, finding 3: everything that costs or grows has a bound, a clear
 * error and a figure in /metrics (docs/SPEC.md LIMIT-1, LIMIT-2).
 */

const TOKEN = "metrics-token-0123456789-abcdefghij";
const open: { close(): Promise<unknown> }[] = [];
after(async () => {
  for (const c of open.reverse()) await c.close();
});

async function serve(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ PLENUM_METRICS_TOKEN: TOKEN, ...env });
  open.push(server);
  return server;
}

async function connect(server: TestServer) {
  const c = await SignallingClient.greeted(server.url);
  open.push(c);
  return c;
}

async function refused(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    (r) => assert.fail(`expected ${code}, got ${JSON.stringify(r)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof RequestError, String(error));
  assert.equal(error.code, code);
}

async function metrics(server: TestServer): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return response.text();
}

function post(server: TestServer, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/rooms`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });
}

describe("bounds (docs/SPEC.md LIMIT-*)", () => {
  it("LIMIT-1: a full meeting and a full lobby refuse with their own codes, counted in /metrics", async () => {
    const server = await serve({ PLENUM_MAX_PARTICIPANTS: "2", PLENUM_MAX_LOBBY: "2" });
    const open = await createRoom(server.url, { lobby: false, e2ee: false });
    for (const name of ["A", "B"]) {
      const c = await connect(server);
      assert.equal((await c.request({ type: "join", roomId: open.id, name })).status, "joined");
    }
    const third = await connect(server);
    await refused(third.request({ type: "join", roomId: open.id, name: "C" }), "room-full");

    const guarded = await createRoom(server.url, { lobby: true, e2ee: false });
    for (const name of ["X", "Y"]) {
      const c = await connect(server);
      assert.deepEqual(await c.request({ type: "join", roomId: guarded.id, name }), {
        status: "lobby",
      });
    }
    const late = await connect(server);
    await refused(late.request({ type: "join", roomId: guarded.id, name: "Z" }), "lobby-full");

    const text = await metrics(server);
    assert.match(text, /plenum_limit_refusals_total\{limit="participants"\} [1-9]/);
    assert.match(text, /plenum_limit_refusals_total\{limit="lobby"\} [1-9]/);
    assert.match(text, /plenum_limit\{limit="participants"\} 2/);
  });

  it("LIMIT-1: room creation is limited per address, and refused from another site's page", async () => {
    const server = await serve({ PLENUM_ROOMS_PER_ADDRESS_PER_HOUR: "3" });
    assert.equal((await post(server, { origin: "https://evil.example" })).status, 403);
    for (let i = 0; i < 3; i++) assert.equal((await post(server)).status, 201);
    const fourth = await post(server);
    assert.equal(fourth.status, 429);
    assert.equal(((await fourth.json()) as { code: string }).code, "too-many-rooms");
    assert.match(await metrics(server), /plenum_limit_refusals_total\{limit="rooms-per-address"\}/);
  });

  it("LIMIT-1: moderator actions are rate-limited per moderator", async () => {
    const server = await serve({ PLENUM_MODERATOR_ACTIONS_PER_MINUTE: "5" });
    const room = await createRoom(server.url, { lobby: false, e2ee: false });
    const mod = await connect(server);
    await mod.request({
      type: "join",
      roomId: room.id,
      name: "Mod",
      moderatorToken: room.moderatorToken,
    });
    for (let i = 0; i < 5; i++) await mod.request({ type: "lock", locked: i % 2 === 0 });
    await refused(mod.request({ type: "set-password", password: "x".repeat(12) }), "rate-limited");
  });

  it("LIMIT-2: with PLENUM_ROOM_CREATION=organisers a guest cannot create a room", async () => {
    const server = await serve({ PLENUM_ROOM_CREATION: "organisers" });
    const response = await post(server);
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, "organisers-only");
  });
});
