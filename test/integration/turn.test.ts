import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TurnProtocol, UdpTransport } from "werift";
import { iceServersFor, turnCredentials } from "../../src/server/turn/credentials";
import { type Coturn, startCoturn } from "../support/coturn";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { SignallingClient } from "../support/signalling-client";
import { TurnProbe } from "../support/turn-probe";
import { WeriftClient } from "../support/werift-client";

/** The SFU's media address in this test: on loopback, but not 127.0.0.1. */
const SFU = "127.0.0.2";

/**
 * A TURN allocation on `coturn` with these credentials (werift's TURN client).
 * Built by hand rather than with createTurnClient, which leaves its socket
 * open when the allocation is refused.
 */
async function allocate(coturn: Coturn, username: string, password: string): Promise<TurnProtocol> {
  const transport = await UdpTransport.init("udp4", { interfaceAddresses: { udp4: "127.0.0.1" } });
  const turn = new TurnProtocol(["127.0.0.1", coturn.port], username, password, 600, transport);
  try {
    await turn.connectionMade();
    return turn;
  } catch (error) {
    await transport.close();
    throw error;
  }
}

/** coturn's answer to CreatePermission for `ip`: "ok" or the STUN error code and reason. */
async function permission(turn: TurnProtocol, ip: string): Promise<string> {
  try {
    await turn.getPermission([ip, 9]);
    return "ok";
  } catch (error) {
    const response = (error as { response?: { getAttributeValue(name: string): unknown } })
      .response;
    const code = response?.getAttributeValue("ERROR-CODE") as [number, string] | undefined;
    return code ? `${code[0]} ${code[1]}` : String(error);
  }
}

describe("TURN with the shipped coturn configuration", () => {
  let coturn: Coturn;
  let turn: TurnProtocol | undefined;

  before(async () => {
    coturn = await startCoturn([
      // The SFU of this test sits on loopback; coturn refuses loopback peers
      // before it looks at allowed-peer-ip, so this test needs both lines. The
      // shipped file's deny list still covers 127.0.0.0/8: 127.0.0.1 stays refused.
      "allow-loopback-peers",
      `allowed-peer-ip=${SFU}`,
      // werift's TURN client refreshes on an uncancellable timer of 5/6 of the
      // lifetime, which keeps the test process alive after close: keep it short.
      "max-allocate-lifetime=24",
    ]);
  });
  after(async () => {
    await turn?.close();
    await coturn?.close();
  });

  it("allocates a relay for credentials derived from the shared secret, and refuses others", async () => {
    const good = turnCredentials({ urls: [coturn.url], secret: coturn.secret, ttlSeconds: 600 });
    turn = await allocate(coturn, good.username, good.credential);
    assert.equal(turn.relayedAddress[0], "127.0.0.1");

    const forged = turnCredentials({
      urls: [],
      secret: "another-secret-of-some-length",
      ttlSeconds: 600,
    });
    await assert.rejects(allocate(coturn, good.username, forged.credential));
    const expired = turnCredentials(
      { urls: [], secret: coturn.secret, ttlSeconds: 300 },
      Date.now() - 3_600_000,
    );
    await assert.rejects(allocate(coturn, expired.username, expired.credential));
  });

  it("refuses to relay to loopback, private, CGNAT, link-local and metadata addresses (403 Forbidden IP)", async () => {
    assert.ok(turn, "the allocation of the previous test");
    for (const ip of [
      "127.0.0.1",
      "10.0.0.1",
      "10.255.1.2",
      "172.16.5.4",
      "192.168.1.1",
      "100.64.0.1",
      "169.254.169.254",
      "0.1.2.3",
    ]) {
      assert.equal(await permission(turn, ip), "403 Forbidden IP", `relaying to ${ip}`);
    }
  });

  it("relays to the SFU's own address, the one allowed exception", async () => {
    assert.ok(turn);
    assert.equal(await permission(turn, SFU), "ok");
  });

  describe("a meeting whose participants reach the SFU only through coturn", () => {
    let server: TestServer;
    const clients: WeriftClient[] = [];

    before(async () => {
      server = await startTestServer({
        PLENUM_MEDIA_ADDRESSES: SFU,
        PLENUM_TURN_URLS: coturn.url,
        PLENUM_TURN_SECRET: coturn.secret,
      });
    });
    after(async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
      await server?.close();
    });

    it("hands out TURN credentials on join and media flows through the relay", async () => {
      const { id: roomId } = await createRoom(server.url, { lobby: false });
      const alice = await WeriftClient.connect(server.url, "Alice");
      const bob = await WeriftClient.connect(server.url, "Bob");
      clients.push(alice, bob);
      for (const client of [alice, bob]) {
        const joined = await client.join(roomId);
        assert.equal(joined.iceServers.length, 1);
        const [ice] = joined.iceServers;
        assert.deepEqual(ice?.urls, [coturn.url]);
        assert.match(ice?.username ?? "", /^\d{10}:[A-Za-z0-9_-]{12}$/);
        client.relayThrough(joined.iceServers);
      }
      await alice.publish();
      await bob.publish();
      await bob.waitForMediaFrom(alice.id, 30);
      await alice.waitForMediaFrom(bob.id, 30);
      for (const client of [alice, bob]) {
        const pair = client.connections.upstream?.iceTransports[0]?.connection.nominated;
        assert.equal(pair?.localCandidate.type, "relay", `${client.name} sends through coturn`);
        assert.equal(pair?.remoteCandidate.host, SFU);
      }
    });
  });
});

describe("TURN over IPv6 with the shipped coturn configuration", () => {
  let coturn: Coturn;
  let probe: TurnProbe | undefined;

  before(async () => {
    // ::1 is the one allowed peer here, so that an "ok" shows IPv6 relaying itself works and
    // every 403 below comes from the shipped deny list.
    coturn = await startCoturn([
      "listening-ip=::1",
      "relay-ip=::1",
      "allow-loopback-peers",
      "allowed-peer-ip=::1",
    ]);
  });
  after(async () => {
    probe?.close();
    await coturn?.close();
  });

  it("refuses IPv6 peers that reach inside: unique-local, link-local, IPv4-mapped, NAT64, multicast, documentation, cloud metadata", async () => {
    const credentials = turnCredentials({ urls: [], secret: coturn.secret, ttlSeconds: 600 });
    probe = await TurnProbe.allocateIpv6(
      "::1",
      coturn.port,
      credentials.username,
      credentials.credential,
    );
    assert.equal(await probe.permission("::1"), "ok", "the allowed peer");
    for (const ip of [
      "::",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:10.1.2.3",
      "::ffff:169.254.169.254",
      "64:ff9b::a00:1",
      "2001:db8::1",
      "2002:a00:1::1",
      "ff02::1",
      "fd00:ec2::254",
    ]) {
      assert.equal(await probe.permission(ip), "403 Forbidden IP", `relaying to ${ip}`);
    }
  });
});

describe("without TURN configured", () => {
  it("gives joined participants no ICE servers at all (never someone else's STUN)", async () => {
    assert.deepEqual(iceServersFor(undefined), []);
    const server = await startTestServer();
    const client = await SignallingClient.greeted(server.url);
    try {
      const { id } = await createRoom(server.url, { lobby: false });
      const joined = await client.request({ type: "join", roomId: id, name: "Alice" });
      assert.equal(joined.status, "joined");
      assert.deepEqual(joined.status === "joined" && joined.iceServers, []);
    } finally {
      client.close();
      await server.close();
    }
  });
});
