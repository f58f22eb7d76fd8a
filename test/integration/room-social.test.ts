import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ServerProcess, startServerProcess } from "../support/process";
import { SignallingClient as Client, createRoom } from "../support/social-client";
import { waitFor } from "../support/wait";

describe("chat, hands, reactions and screen sharing rules (server)", () => {
  let server: ServerProcess;
  let roomId: string;
  let a: Client;
  let b: Client;
  let ids: { a: string; b: string };

  before(async () => {
    server = await startServerProcess({ PLENUM_LOG_LEVEL: "trace" });
    roomId = (await createRoom(server.url)).id;
    a = await Client.connect(server.url);
    b = await Client.connect(server.url);
    const ja = await a.request({ type: "join", roomId, name: "Ada" });
    const jb = await b.request({ type: "join", roomId, name: "Ben" });
    assert.ok(ja.type === "ok" && jb.type === "ok");
    ids = {
      a: (ja.result as { self: { id: string } }).self.id,
      b: (jb.result as { self: { id: string } }).self.id,
    };
  });

  after(async () => {
    a?.close();
    b?.close();
    await server?.close();
  });

  it("relays chat to everyone with the sender from the session, and never logs its text", async () => {
    const secret = "the-secret-chat-text-4711";
    const reply = await a.request({ type: "chat", text: `  ${secret}  ` });
    assert.equal(reply.type, "ok");
    for (const c of [a, b]) {
      const [message] = await waitFor("chat", () =>
        c.events("chat").length ? c.events("chat") : undefined,
      );
      assert.equal(message?.text, secret, "trimmed, otherwise unchanged");
      assert.equal(message?.from, ids.a);
      assert.equal(message?.name, "Ada");
    }
    assert.ok(
      !server.output().includes(secret),
      "the text appears in no log line, even at trace level",
    );
  });

  it("refuses a message over 2000 characters with its own code, and an empty one", async () => {
    const long = await a.request({ type: "chat", text: "é".repeat(2001) });
    assert.equal(long.type === "error" && long.code, "chat-too-long");
    const fits = await a.request({ type: "chat", text: "😀".repeat(2000) });
    assert.equal(fits.type, "ok", "characters are counted as code points");
    const empty = await a.request({ type: "chat", text: "   " });
    assert.equal(empty.type === "error" && empty.code, "chat-empty");
    const spoofed = await a.request({ type: "chat", text: "hi", from: ids.b });
    assert.equal(
      spoofed.type === "error" && spoofed.code,
      "bad-message",
      "no sender in the message",
    );
  });

  it("rate-limits chat per connection", async () => {
    const replies = await Promise.all(
      Array.from({ length: 15 }, (_, i) => b.request({ type: "chat", text: `flood ${i}` })),
    );
    assert.ok(replies.some((r) => r.type === "error" && r.code === "rate-limited"));
  });

  it("keeps hands in the order raised and tells everyone", async () => {
    await b.request({ type: "hand", raised: true });
    await a.request({ type: "hand", raised: true });
    await waitFor("two hands", () => a.events("hands").at(-1)?.queue.length === 2);
    assert.deepEqual(a.events("hands").at(-1)?.queue, [ids.b, ids.a]);
    await b.request({ type: "hand", raised: false });
    await waitFor("one hand", () => b.events("hands").at(-1)?.queue.length === 1);
    assert.deepEqual(b.events("hands").at(-1)?.queue, [ids.a]);
  });

  it("accepts only reactions from the fixed set", async () => {
    const ok = await a.request({ type: "reaction", emoji: "👍" });
    assert.equal(ok.type, "ok");
    await waitFor("reaction", () => b.events("reaction").length === 1);
    const bad = await a.request({ type: "reaction", emoji: "<b>" });
    assert.equal(bad.type === "error" && bad.code, "bad-message");
  });

  it("allows one screen share at a time by default", async () => {
    assert.equal((await a.request({ type: "screen-share", on: true })).type, "ok");
    const second = await b.request({ type: "screen-share", on: true });
    assert.equal(second.type === "error" && second.code, "screen-share-busy");
    await waitFor("a's share announced", () =>
      b
        .events("participant-updated")
        .some((e) => e.participant.id === ids.a && e.participant.screen),
    );
    await a.request({ type: "screen-share", on: false });
    assert.equal((await b.request({ type: "screen-share", on: true })).type, "ok");
  });
});
