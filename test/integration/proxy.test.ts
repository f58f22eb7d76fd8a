import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";

/** One join allowed per address (burst 1, 1 a minute): the second from the same address is refused. */
const ONE_JOIN = { PLENUM_JOIN_BURST: "1", PLENUM_JOINS_PER_MINUTE: "1" };

describe("client addresses behind a reverse proxy (SPEC ABUSE-1)", () => {
  let server: TestServer | undefined;
  const clients: SignallingClient[] = [];
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await server?.close();
  });

  /** Joins a fresh room as someone whose request says X-Forwarded-For `forwarded`. */
  async function joinAs(forwarded: string, from = "127.0.0.1"): Promise<string> {
    if (!server) throw new Error("no server");
    const { id } = await createRoom(server.url, { lobby: false });
    const client = await SignallingClient.greeted(
      server.url,
      { "x-forwarded-for": forwarded },
      from,
    );
    clients.push(client);
    try {
      const reply = await client.request({ type: "join", roomId: id, name: "Someone" });
      return reply.status;
    } catch (error) {
      if (error instanceof RequestError) return error.code;
      throw error;
    }
  }

  it("ignores a spoofed X-Forwarded-For from an address that is not a trusted proxy", async () => {
    server = await startTestServer(ONE_JOIN);
    assert.equal(await joinAs("203.0.113.1"), "joined");
    // Another claimed address, the same real one: still limited.
    assert.equal(await joinAs("203.0.113.2"), "rate-limited");
  });

  it("counts each client separately behind a trusted proxy, and the proxy's own word only", async () => {
    server = await startTestServer({ ...ONE_JOIN, PLENUM_TRUSTED_PROXIES: "127.0.0.1/32" });
    assert.equal(await joinAs("203.0.113.1"), "joined");
    assert.equal(await joinAs("203.0.113.2"), "joined", "another client behind the proxy");
    assert.equal(await joinAs("203.0.113.1"), "rate-limited", "the first client again");
    // A spoofed entry before the proxy's own is not believed: the proxy appends the real peer.
    assert.equal(await joinAs("203.0.113.2, 203.0.113.1"), "rate-limited");
    // 127.0.0.2 is not the proxy: its header is ignored, it is one client however it dresses up.
    assert.equal(await joinAs("198.51.100.1", "127.0.0.2"), "joined");
    assert.equal(await joinAs("198.51.100.2", "127.0.0.2"), "rate-limited");
  });
});
