import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ErrorCode } from "../../src/protocol/errors";
import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../../src/protocol/messages";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";

type ErrorReply = Extract<ServerMessage, { type: "error" }>;

/** Sends `text` and returns the error reply it draws. */
async function errorFor(client: SignallingClient, text: string): Promise<ErrorReply> {
  client.sendRaw(text);
  return client.take(
    `an error reply to ${text.slice(0, 60)}`,
    (m): m is ErrorReply => m.type === "error",
  );
}

async function assertRefused(request: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(request, (e: unknown) => e instanceof RequestError && e.code === code);
}

describe("signalling defences", () => {
  let server: TestServer;
  let roomId: string;
  /** Someone in a meeting the whole time, who must notice nothing of the abuse. */
  let bystander: SignallingClient;
  const clients: SignallingClient[] = [];
  const greeted = async () => {
    const client = await SignallingClient.greeted(server.url);
    clients.push(client);
    return client;
  };
  const raw = async () => {
    const client = await SignallingClient.connect(server.url);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer();
    roomId = (await createRoom(server.url, { lobby: false })).id;
    bystander = await greeted();
    await bystander.request({ type: "join", roomId, name: "Bystander" });
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server?.close();
  });

  it("answers text that is not JSON with bad-json and keeps the connection", async () => {
    const client = await greeted();
    const reply = await errorFor(client, "{this is not json");
    assert.equal(reply.code, "bad-json");
    assert.equal(reply.id, null);
    assert.ok(client.isOpen);
  });

  it("answers messages outside the protocol with bad-message, echoing the request id", async () => {
    const client = await greeted();
    const cases = [
      { type: "dance", id: 7 }, // unknown type
      { type: "join", id: 8, roomId: 42, name: "Mallory" }, // schema violation (a malformed id string is room-unavailable, SPEC ACC-2)
      { type: "join", id: 9, roomId, name: "\u0007bell" }, // control character in a name
      { type: "leave", id: 10, role: "moderator" }, // unknown field
      { type: "leave", id: -1 }, // an id that is not a request id
    ];
    for (const message of cases) {
      const reply = await errorFor(client, JSON.stringify(message));
      assert.equal(reply.code, "bad-message", JSON.stringify(message));
      assert.equal(reply.id, message.id >= 0 ? message.id : null, JSON.stringify(message));
      assert.ok(reply.message.length > 0);
    }
    assert.ok(client.isOpen);
  });

  it("refuses duplicate keys, prototype keys and deep nesting as unsafe-message", async () => {
    const client = await greeted();
    const cases = [
      '{"type":"leave","type":"join","id":1}',
      '{"type":"leave","id":2,"__proto__":{"admin":true}}',
      '{"type":"leave","id":3,"constructor":{"prototype":{}}}',
      `{"type":"leave","id":4,"x":${"[".repeat(20)}${"]".repeat(20)}}`,
    ];
    for (const text of cases) {
      assert.equal((await errorFor(client, text)).code, "unsafe-message", text);
    }
    assert.ok(client.isOpen);
  });

  it("closes a connection that sends a frame over 64 KiB with 1009", async () => {
    const client = await greeted();
    const name = "x".repeat(MAX_MESSAGE_BYTES);
    client.sendRaw(JSON.stringify({ type: "join", id: 1, roomId, name }));
    assert.equal((await client.closed).code, 1009);
  });

  it("refuses another protocol version", async () => {
    const client = await raw();
    await assertRefused(
      client.request({ type: "hello", protocolVersion: PROTOCOL_VERSION + 1 }),
      "version-mismatch",
    );
  });

  it("answers a request before hello with hello-first and closes with 1008", async () => {
    const client = await raw();
    await assertRefused(client.request({ type: "join", roomId, name: "Eager" }), "hello-first");
    assert.equal((await client.closed).code, 1008);
  });

  it("answers a join of a room that does not exist with room-unavailable", async () => {
    const client = await greeted();
    const unknown = randomBytes(16).toString("base64url");
    await assertRefused(
      client.request({ type: "join", roomId: unknown, name: "Lost" }),
      "room-unavailable",
    );
  });

  it("answers publish before join with not-joined", async () => {
    const client = await greeted();
    await assertRefused(client.request({ type: "publish", sdp: "v=0\r\n" }), "not-joined");
    await assertRefused(
      client.request({ type: "subscriber-answer", sdp: "v=0\r\n" }),
      "not-joined",
    );
    await assertRefused(
      client.request({ type: "media-state", media: { audio: true, video: true } }),
      "not-joined",
    );
  });

  it("throttles a flood with a few rate-limited replies and keeps serving everyone", async () => {
    const flooder = await greeted();
    const replies: ServerMessage[] = [];
    flooder.onMessage((m) => replies.push(m));
    const FLOOD = 2000;
    for (let i = 0; i < FLOOD; i++)
      flooder.sendRaw(JSON.stringify({ type: "leave", id: 100_000 + i }));

    // Another connection is served meanwhile.
    const other = await greeted();
    await assertRefused(other.request({ type: "leave" }), "not-joined");
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    // Once its bucket refills, the flooder is served again; messages are handled in order,
    // so by then every reply to the flood has been sent.
    await waitFor("the flooding connection to be served again", async () => {
      try {
        await flooder.request({ type: "leave" }, 1000);
        return false;
      } catch (error) {
        return error instanceof RequestError && error.code === "not-joined";
      }
    });
    const limited = replies.filter((m) => m.type === "error" && m.code === "rate-limited").length;
    const answered = replies.filter((m) => m.type === "error" && m.code === "not-joined").length;
    assert.ok(limited >= 1, "the flooder is told to slow down");
    assert.ok(
      limited <= 5,
      `a flood must not be answered by a flood (${limited} rate-limited replies)`,
    );
    assert.ok(answered < FLOOD / 10, `most of the flood is dropped (${answered} answered)`);
    assert.ok(flooder.isOpen);
  });

  it("refuses a WebSocket opened by a page of another site", async () => {
    await assert.rejects(
      SignallingClient.connect(server.url, { Origin: "https://evil.example" }),
      /403/,
    );
    // The same site is welcome.
    const same = await SignallingClient.connect(server.url, { Origin: server.url });
    clients.push(same);
    assert.ok(same.isOpen);
  });

  it("kept serving through all of that: a newcomer joins, and the bystander sees them", async () => {
    assert.ok(bystander.isOpen, "the bystander's connection survived");
    const newcomer = await greeted();
    const joined = await newcomer.request({ type: "join", roomId, name: "Newcomer" });
    assert.ok(joined.status === "joined", "the room's lobby is off");
    assert.deepEqual(
      joined.participants.map((p) => p.name),
      ["Bystander"],
    );
    const event = await bystander.take(
      "the bystander to hear of the newcomer",
      (m) => m.type === "participant-joined" && m.participant.id === joined.self.id,
    );
    assert.equal(event.type, "participant-joined");
    // Nothing of the abuse reached the bystander: only the newcomer's arrival.
    assert.deepEqual(
      bystander.unread.map((m) => m.type),
      [],
    );
  });
});
