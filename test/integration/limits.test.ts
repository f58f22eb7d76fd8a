import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { PROTOCOL_VERSION } from "../../src/protocol/messages";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";

/**
 * Issue 19, finding 3: everything that costs or grows has a bound, a clear
 * error and a figure in /metrics (docs/SPEC.md LIMIT-1, LIMIT-2, LIMIT-3).
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

  it("LIMIT-3: connections per address are capped with a clear close reason; other addresses and freed places get in", async () => {
    const server = await serve({ PLENUM_MAX_CONNECTIONS_PER_ADDRESS: "3" });
    const held = [await connect(server), await connect(server), await connect(server)];
    // A flood of 60 more from the same address while one of the three keeps pinging.
    const flood = Promise.all(
      Array.from({ length: 60 }, async () => {
        const c = await SignallingClient.connect(server.url);
        open.push(c);
        return c.closed;
      }),
    );
    const rtts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      await held[0]?.request({ type: "ping" });
      rtts.push(performance.now() - start);
    }
    const closes = await flood;
    assert.deepEqual(
      new Set(closes.map((c) => `${c.code} ${c.reason}`)),
      new Set(["4002 too-many-connections"]),
      "every connection over the cap is closed with 4002 and its reason",
    );
    rtts.sort((a, b) => a - b);
    console.log(`LIMIT-3: 60 refused; ping p95 during the flood ${rtts[18]?.toFixed(1)} ms`);

    // Another computer (another loopback address) is not affected.
    const other = await SignallingClient.greeted(server.url, {}, "127.0.0.2");
    open.push(other);
    // A closed connection gives its place back.
    await held[2]?.close();
    await waitFor("a freed place", async () => {
      const c = await SignallingClient.connect(server.url);
      open.push(c);
      return c.request({ type: "hello", protocolVersion: PROTOCOL_VERSION }).then(
        () => true,
        () => false,
      );
    });

    const text = await metrics(server);
    assert.match(
      text,
      /plenum_limit_refusals_total\{limit="connections-per-address"\} (6[0-9]|[7-9]\d)/,
    );
    assert.match(text, /plenum_limit\{limit="connections_per_address"\} 3/);
  });

  it("LIMIT-2: with PLENUM_ROOM_CREATION=organisers a guest cannot create a room", async () => {
    const server = await serve({ PLENUM_ROOM_CREATION: "organisers" });
    const response = await post(server);
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { code: string }).code, "organisers-only");
  });
});
