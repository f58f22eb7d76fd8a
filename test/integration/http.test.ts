import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRoom, STUB_INDEX_HTML, startTestServer, type TestServer } from "../support/server";
import { WeriftClient } from "../support/werift-client";

/** Room ids that are unknown, or not room ids at all: all must look the same from outside. */
const NOT_ROOMS = [
  "AAAAAAAAAAAAAAAAAAAAAA", // well-formed, 128 bits, never created
  "not-a-room", // too short
  "has%20a%20space%20in%20it%20yes%20indeed", // forbidden characters
  "A".repeat(65), // one too long
  "B".repeat(300), // far too long (beyond the router's parameter limit)
  "%E0%A4%A", // not even valid percent-encoding
];

describe("HTTP", () => {
  let server: TestServer;
  const clients: WeriftClient[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("creates a room with an unguessable id and a moderator secret kept out of the server's sight", async () => {
    const response = await fetch(`${server.url}/api/rooms`, { method: "POST" });
    assert.equal(response.status, 201);
    const room = (await response.json()) as { id: string; url: string; moderatorUrl: string };
    assert.deepEqual(Object.keys(room).sort(), ["id", "moderatorUrl", "url"]);
    assert.match(room.id, /^[A-Za-z0-9_-]{22,}$/);
    assert.ok(Buffer.from(room.id, "base64url").length >= 16, "a room id carries >= 128 bits");
    assert.equal(room.url, `${server.url}/r/${room.id}`);
    const moderator = new URL(room.moderatorUrl);
    assert.equal(`${moderator.origin}${moderator.pathname}${moderator.search}`, room.url);
    // Browsers never send the fragment, so the secret stays out of logs and Referer headers.
    const secret = new URLSearchParams(moderator.hash.slice(1)).get("mod") ?? "";
    assert.ok(Buffer.from(secret, "base64url").length >= 16, "the moderator secret is long");
    assert.notEqual((await createRoom(server.url)).id, room.id);
  });

  it("confirms a room exists without saying who is in it", async () => {
    const room = await createRoom(server.url, { lobby: false });
    const alice = await WeriftClient.connect(server.url, "Alice");
    clients.push(alice);
    await alice.join(room.id);
    const response = await fetch(`${server.url}/api/rooms/${room.id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: room.id });
  });

  it("answers an unknown room and a malformed id identically", async () => {
    const answers = await Promise.all(
      NOT_ROOMS.map(async (id) => {
        const response = await fetch(`${server.url}/api/rooms/${id}`);
        return {
          status: response.status,
          type: response.headers.get("content-type"),
          body: await response.text(),
        };
      }),
    );
    const [first] = answers;
    assert.equal(first?.status, 404);
    answers.forEach((answer, i) => {
      assert.deepEqual(answer, first, `${NOT_ROOMS[i]} answered differently`);
    });
  });

  it("reports health", async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  });

  it("serves the client for the start page and for room links", async () => {
    const room = await createRoom(server.url);
    for (const path of ["/", `/r/${room.id}`]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/, path);
      assert.equal(await response.text(), STUB_INDEX_HTML, path);
    }
  });

  it("sends the security headers on every kind of response", async () => {
    const requests: Array<[string, RequestInit?]> = [
      ["/"],
      ["/healthz"],
      ["/api/rooms", { method: "POST" }],
      ["/api/rooms/AAAAAAAAAAAAAAAAAAAAAA"],
      ["/no/such/page"],
      ["/api/no-such-route"],
      [`/api/rooms/${"B".repeat(300)}`],
      ["/%E0%A4%A"],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${server.url}${path}`, init);
      await response.arrayBuffer();
      const h = response.headers;
      const csp = h.get("content-security-policy") ?? "";
      assert.match(csp, /(^|;\s*)default-src 'self'(;|$)/, `${path}: CSP`);
      assert.match(csp, /frame-ancestors 'none'/, `${path}: CSP frame-ancestors`);
      assert.equal(h.get("referrer-policy"), "no-referrer", `${path}: Referrer-Policy`);
      assert.equal(h.get("x-content-type-options"), "nosniff", `${path}: X-Content-Type-Options`);
      assert.equal(h.get("x-frame-options"), "DENY", `${path}: X-Frame-Options`);
    }
  });
});
